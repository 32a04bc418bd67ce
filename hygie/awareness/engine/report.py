"""A reported mail, analysed: the facts the triage page shows and the suggested verdict.

Staff forward a suspicious mail *as an attachment* (or upload the .eml): the reported mail is the
attached ``message/rfc822`` part, which ``unwrap`` takes out of the reporter's own message. The
base facts (sender, reply-to, Authentication-Results, link domains, attachment types) come from
detection's hostile-input parser (``hygie.detection.engine.parse_reported_mail``: one parser of
.eml in Hygie); this module adds what triage needs on top, with the standard ``email`` package:
the Received chain, the From display name, full URLs (with the text of HTML links, to catch a
link that shows one address and goes to another), attachments (detected type, size, SHA-256,
Office macros), Hygie's own simulation tokens, then ``triage`` (look-alike domains, scores) and
the verdict in the five values the app uses: simulation, clean, spam, phishing, malicious.

Pure: no Django, no I/O. The input is hostile: sizes, part counts, URL and attachment counts are
bounded; anything that cannot be a mail raises ``ReportError`` with a stable ``code``. The
subject is returned (the triage page shows it to triage users) but the body never is.
"""

from __future__ import annotations

import email
import hashlib
import io
import re
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from email import policy
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from hygie.detection.engine import ReportedMailError, parse_reported_mail

from .errors import AwarenessError
from .triage import (
    CLEAN,
    MALICIOUS,
    PHISHING,
    SIMULATION,
    SIMULATION_HEADER,
    SUSPICIOUS,
    TriageResult,
    triage,
)

SPAM = "spam"
VERDICTS = (SIMULATION, CLEAN, SPAM, PHISHING, MALICIOUS)
MAX_REPORT_BYTES = 10 * 1024 * 1024
MAX_PARTS = 200
MAX_DEPTH = 3  # forwarded-as-attachment levels unwrapped (a forward of a forward)
MAX_URLS = 100
MAX_URL_LENGTH = 2048
MAX_ATTACHMENTS = 30
MAX_RECEIVED = 30
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
_URL = re.compile(r"""(?i)\bhttps?://[^\s"'<>\\]{1,2048}""")
_TOKEN_PATH = re.compile(r"/[co]/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_RECEIVED_FROM = re.compile(r"(?i)\bfrom\s+(\S{1,255})")
_RECEIVED_BY = re.compile(r"(?i)\bby\s+(\S{1,255})")
_RECEIVED_IP = re.compile(r"\[([0-9a-fA-F:.]{3,45})\]")
_DOMAIN_IN_TEXT = re.compile(r"(?i)\b((?:[a-z0-9-]{1,63}\.)+[a-z]{2,24})\b")
# Strong signs: with any of them a "suspicious" mail is phishing, without them it is spam.
_STRONG = frozenset(
    {
        "dmarc_fail",
        "lookalike_domain",
        "display_name_spoofing",
        "link_text_mismatch",
        "link_to_ip_address",
        "indicator_match",
    }
)
_BULK_HEADERS = ("list-unsubscribe", "list-id")
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-elf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"{\\rtf", "application/rtf"),
    (b"Rar!", "application/x-rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
)


class ReportError(AwarenessError):
    """The report cannot be read; ``code``: empty, too_large, not_mail, too_deep."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Hop:
    """One Received header: the host that handed the mail on, the one that took it, its IP."""

    from_host: str
    by_host: str
    ip: str
    date: str


@dataclass(frozen=True)
class Link:
    url: str
    domain: str
    text_domain: str = ""  # the domain the HTML link's text shows, when it shows one
    mismatch: bool = False  # the text shows another domain than the target


@dataclass(frozen=True)
class Attachment:
    filename: str
    declared_type: str
    detected_type: str
    size: int
    sha256: str
    extension: str
    has_macros: bool = False


@dataclass(frozen=True)
class Analysis:
    verdict: str  # one of VERDICTS
    score: int
    reasons: tuple[str, ...]
    sender: str
    sender_name: str
    reply_to: str
    return_path: str
    message_id: str
    date: str
    subject: str
    authentication: dict[str, str]
    received: tuple[Hop, ...]
    urls: tuple[Link, ...]
    attachments: tuple[Attachment, ...]
    lookalikes: tuple[dict[str, str], ...]
    simulation_token: str | None = None
    candidate_tokens: tuple[str, ...] = ()
    forwarded: bool = False  # the reported mail was unwrapped from the reporter's message
    reporter: str = ""  # the address of the reporter's own message when unwrapped
    bulk: bool = False
    indicator_matches: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the CLI's ``--format json`` and the stored facts)."""
        return asdict(self)

    def observables(self) -> list[tuple[str, str]]:
        """(kind, value) pairs for intel lookups and alerts: kinds as response's observables."""
        pairs: list[tuple[str, str]] = []
        if self.sender:
            pairs.append(("email", self.sender))
        for address in (self.sender, self.reply_to, self.return_path):
            domain = address.rpartition("@")[2]
            if domain and ("domain", domain) not in pairs:
                pairs.append(("domain", domain))
        for link in self.urls:
            pairs.append(("url", link.url))
            if link.domain and ("domain", link.domain) not in pairs:
                pairs.append(("domain", link.domain))
        for attachment in self.attachments:
            pairs.append(("hash", attachment.sha256))
        for hop in self.received[:1]:
            if hop.ip:
                pairs.append(("ip", hop.ip))
        return pairs


def clean_text(value: object, limit: int = 300) -> str:
    """A header value as one safe line: encoded words decoded, control and bidi characters
    removed, whitespace folded, cut at ``limit``."""
    try:
        text = str(value or "")
    except (UnicodeError, LookupError, TypeError):
        text = ""
    try:
        text = str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError, AssertionError, TypeError, MessageError):
        pass  # a broken encoded word: the raw text is shown
    text = _CONTROL.sub("", text)
    return " ".join(text.split())[:limit]


def defang(url: str) -> str:
    """A link that cannot be clicked by mistake: ``hxxps://host[.]tld/…``."""
    text = re.sub(r"(?i)^http", "hxxp", url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text.replace(".", "[.]")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.replace('.', '[.]')}{slash}{path}"


def _parse(data: bytes) -> Message:
    try:
        return email.message_from_bytes(data, policy=policy.compat32)
    except Exception as error:  # noqa: BLE001 - hostile input: any parser failure is "not mail"
        raise ReportError("not_mail") from error


def _attached_message(message: Message) -> bytes | None:
    """The bytes of the one mail attached to ``message`` (message/rfc822, or an .eml file)."""
    found: list[bytes] = []
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS:
            break
        if part is message:
            continue
        content_type = part.get_content_type()
        filename = str(part.get_filename() or "").lower()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                try:
                    found.append(inner.as_bytes(policy=policy.compat32))
                except Exception:  # noqa: BLE001, S112 - a part that cannot be written back
                    continue
        elif filename.endswith(".eml") and not part.is_multipart():
            try:
                payload = part.get_payload(decode=True)
            except Exception:  # noqa: BLE001, S112 - broken transfer encoding
                continue
            if isinstance(payload, bytes) and payload.strip():
                found.append(payload)
        if found:
            break
    return found[0] if found else None


def unwrap(data: bytes) -> tuple[bytes, str]:
    """The reported mail and the reporter's address: when ``data`` is a message carrying a mail
    as attachment (forwarded as attachment), the attached mail and the outer From; otherwise
    ``data`` itself and ""."""
    if not data.strip():
        raise ReportError("empty")
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError("too_large")
    reporter = ""
    current = data
    for depth in range(MAX_DEPTH + 1):
        inner = _attached_message(_parse(current))
        if inner is None:
            return current, reporter
        if depth == MAX_DEPTH:
            raise ReportError("too_deep")
        if not reporter:
            reporter = parseaddr(str(_parse(current).get("From") or ""))[1].lower()[:254]
        current = inner
        if not _looks_like_mail(current):
            raise ReportError("not_mail")
    return current, reporter  # pragma: no cover - the loop returns or raises


def _looks_like_mail(data: bytes) -> bool:
    head = data[:65536].lower()
    return sum(name in head for name in (b"from:", b"subject:", b"date:", b"received:")) >= 2


class _Links(HTMLParser):
    """Hrefs of an HTML body and the text each link shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and len(self.links) < MAX_URLS:
            self._href = next((value or "" for name, value in attrs if name == "href"), None)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None and sum(map(len, self._text)) < 500:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href.strip(), " ".join("".join(self._text).split())))
            self._href = None


def _host(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#\\]", rest, maxsplit=1)[0].rpartition("@")[2]
    host = host.split("]", 1)[0] + "]" if host.startswith("[") else host.split(":", 1)[0]
    return host.strip(".").lower()[:253]


def _registrable(domain: str) -> str:
    labels = [label for label in domain.split(".") if label]
    if len(labels) >= 3 and labels[-2] in {"co", "com", "gouv", "ac", "org", "net", "nhs"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _links(message: Message) -> tuple[list[Link], list[str]]:
    """The mail's links (HTML hrefs with their text first, then plain-text URLs) and the text
    of its bodies (for tokens and lure wording; never returned to the caller)."""
    links: dict[str, Link] = {}
    texts: list[str] = []
    budget = MAX_TEXT_BYTES
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS or len(links) >= MAX_URLS:
            break
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001, S112 - broken transfer encoding: skip the part
            continue
        if not isinstance(payload, bytes) or budget <= 0:
            continue
        payload = payload[:budget]
        budget -= len(payload)
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, "replace")
        except LookupError:
            text = payload.decode("utf-8", "replace")
        texts.append(text)
        if part.get_content_subtype() == "html":
            parser = _Links()
            try:
                parser.feed(text)
                parser.close()
            except Exception:  # noqa: BLE001, S110 - broken HTML: keep what was read
                pass
            for href, shown in parser.links:
                if not href.lower().startswith(("http://", "https://")):
                    continue
                url = _CONTROL.sub("", href)[:MAX_URL_LENGTH]
                domain = _host(url)
                shown_match = _DOMAIN_IN_TEXT.search(shown.lower())
                shown_domain = shown_match.group(1) if shown_match else ""
                mismatch = bool(
                    shown_domain
                    and domain
                    and _registrable(shown_domain) != _registrable(domain)
                    and "." in shown_domain
                )
                if url not in links or mismatch:
                    links[url] = Link(url, domain, shown_domain, mismatch)
        for match in _URL.finditer(text):
            url = _CONTROL.sub("", match.group(0)).rstrip(").,;]>")[:MAX_URL_LENGTH]
            if url not in links and len(links) < MAX_URLS:
                links[url] = Link(url, _host(url))
    return list(links.values()), texts


def _detected_type(data: bytes) -> str:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return "text/html" if b"html" in head[:20] else "application/xml"
    return "application/octet-stream"


def has_macros(data: bytes, detected: str) -> bool:
    """Office macros: a VBA project stream in an OLE file (.doc/.xls), or ``vbaProject.bin`` in
    an OOXML zip (.docm/.xlsm)."""
    if detected == "application/x-ole-storage":
        return b"_VBA_PROJECT" in data or "_VBA_PROJECT".encode("utf-16-le") in data
    if detected == "application/zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()[:MAX_ZIP_ENTRIES]
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            return False
        return any(name.lower().endswith("vbaproject.bin") for name in names)
    return False


def _attachments(message: Message) -> list[Attachment]:
    found: list[Attachment] = []
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS or len(found) >= MAX_ATTACHMENTS:
            break
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - broken transfer encoding: an empty attachment
            payload = b""
        data = payload if isinstance(payload, bytes) else b""
        name = clean_text(filename or "", 200)
        extension = "." + name.rsplit(".", 1)[1].lower()[:10] if "." in name else ""
        detected = _detected_type(data)
        found.append(
            Attachment(
                filename=name,
                declared_type=part.get_content_type()[:100],
                detected_type=detected,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                extension=extension,
                has_macros=has_macros(data, detected),
            )
        )
    return found


def _received(message: Message) -> list[Hop]:
    hops = []
    for value in (message.get_all("Received") or [])[:MAX_RECEIVED]:
        text = " ".join(str(value).split())[:2000]
        head, _sep, date = text.rpartition(";")
        from_match = _RECEIVED_FROM.search(head or text)
        by_match = _RECEIVED_BY.search(head or text)
        ip_match = _RECEIVED_IP.search(head or text)
        hops.append(
            Hop(
                from_host=clean_text(from_match.group(1) if from_match else "", 255),
                by_host=clean_text(by_match.group(1) if by_match else "", 255),
                ip=ip_match.group(1) if ip_match else "",
                date=clean_text(date, 100),
            )
        )
    return hops


def _verdict(result: TriageResult, reasons: list[str], bulk: bool) -> str:
    if result.verdict == SIMULATION:
        return SIMULATION
    if result.verdict == MALICIOUS or "malicious_indicator" in reasons:
        return MALICIOUS
    if result.verdict == PHISHING:
        return PHISHING
    strong = bool(_STRONG & set(reasons))
    if result.verdict == SUSPICIOUS:
        return PHISHING if strong else SPAM
    if strong:
        return PHISHING
    return SPAM if bulk else CLEAN


def analyse(
    data: bytes,
    own_domains: Collection[str] = (),
    *,
    known_tokens: Collection[str] = (),
    indicator_matches: Iterable[dict[str, Any]] = (),
) -> Analysis:
    """Unwrap and analyse one report. ``known_tokens``: the simulation tokens the caller knows
    among ``candidate_tokens`` (a first call with none gives the candidates to look up);
    ``indicator_matches``: what threat intelligence said about ``observables()`` (dicts with at
    least ``kind``; a ``hash`` or ``url`` match makes the mail malicious)."""
    inner, reporter = unwrap(data)
    try:
        facts = parse_reported_mail(inner)
    except ReportedMailError as error:
        raise ReportError(error.code) from None
    message = _parse(inner)
    sender_name, _address = parseaddr(clean_text(message.get("From"), 500))
    links, texts = _links(message)
    attachments = _attachments(message)
    headers = {SIMULATION_HEADER: clean_text(message.get(SIMULATION_HEADER), 100)}
    candidates: list[str] = []
    header_token = headers[SIMULATION_HEADER]
    if _TOKEN.match(header_token):
        candidates.append(header_token)
    # Links rewritten by a mail gateway (Safe Links, URL Defense) carry ours percent-encoded.
    for text in [unquote(link.url) for link in links] + texts:
        for match in _TOKEN_PATH.finditer(text):
            if match.group(1) not in candidates and len(candidates) < 20:
                candidates.append(match.group(1))
    subject = clean_text(message.get("Subject"), 300)
    wording = subject + "\n" + "\n".join(texts)[:20_000]
    result = triage(
        facts,
        own_domains,
        headers=headers,
        tokens_in_mail=candidates,
        known_tokens=set(known_tokens),
        display_name=sender_name,
        wording=wording,
    )
    reasons = list(result.reasons)
    score = result.score
    if result.verdict != SIMULATION:
        if any(link.mismatch for link in links):
            reasons.append("link_text_mismatch")
            score += 3
        if any(a.has_macros for a in attachments) and "macro_attachment" not in reasons:
            reasons.append("macro_attachment")
        if any(
            a.detected_type in {"application/x-msdownload", "application/x-elf"}
            for a in attachments
        ) and ("executable_attachment" not in reasons):
            reasons.append("executable_attachment")
        matches = list(indicator_matches)
        if matches:
            reasons.append("indicator_match")
            score += 5
            if any(m.get("kind") in {"hash", "url"} for m in matches):
                reasons.append("malicious_indicator")
    else:
        matches = []
    bulk = any(message.get(name) for name in _BULK_HEADERS) or str(
        message.get("Precedence") or ""
    ).strip().lower() in {"bulk", "list"}
    verdict = _verdict(result, reasons, bulk)
    if verdict != MALICIOUS and {"macro_attachment", "executable_attachment"} & set(reasons):
        verdict = MALICIOUS
    return Analysis(
        verdict=verdict,
        score=score,
        reasons=tuple(dict.fromkeys(reasons)),
        sender=facts.sender,
        sender_name=clean_text(sender_name, 200),
        reply_to=facts.reply_to,
        return_path=facts.return_path,
        message_id=facts.message_id,
        date=facts.date,
        subject=subject,
        authentication=dict(facts.authentication),
        received=tuple(_received(message)),
        urls=tuple(links),
        attachments=tuple(attachments),
        lookalikes=tuple(
            {"domain": hit.domain, "imitates": hit.imitates, "how": hit.how}
            for hit in result.lookalikes
        ),
        simulation_token=result.simulation_token,
        candidate_tokens=tuple(candidates),
        forwarded=inner is not data,
        reporter=reporter,
        bulk=bulk,
        indicator_matches=tuple(matches),
    )
