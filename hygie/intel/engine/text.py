"""Free text and CSV: refanging defanged indicators, extraction without the usual false
positives (file names read as domains, version numbers read as IPs), CSV with located errors."""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Iterator
from datetime import datetime

from hygie.intel.engine.errors import FormatError, IndicatorError, at
from hygie.intel.engine.model import (
    TLP,
    Collection,
    Indicator,
    IndicatorType,
    KillChainRef,
    Provenance,
    guess_type,
    make_indicator,
)
from hygie.lib.spreadsheet import unneutralise

MAX_TEXT = 20 * 1024 * 1024
MAX_ROWS = 1_000_000

_REFANG = [
    (
        re.compile(r"\b(h[xX]{2}p|hxxp|meow)(s?)(?=\[?:|://)", re.IGNORECASE),
        lambda m: f"http{m[2]}",
    ),
    (re.compile(r"\b(fxp|ftx)(s?)(?=\[?:|://)", re.IGNORECASE), lambda m: f"ftp{m[2]}"),
    (re.compile(r"\[:\]//|\[://\]|\(://\)"), lambda m: "://"),
    (re.compile(r"\[:\]|\(:\)"), lambda m: ":"),
    (re.compile(r"\[/\]"), lambda m: "/"),
    (
        re.compile(r"\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\\\.)\s?", re.IGNORECASE),
        lambda m: ".",
    ),
    (
        re.compile(r"\s?(?:\[at\]|\(at\)|\{at\}|\[@\]|\(@\))\s?", re.IGNORECASE),
        lambda m: "@",
    ),
]


def refang(text: str) -> str:
    """``hxxps[:]//evil[.]example(.)com`` → ``https://evil.example.com``; ``a[at]b[.]fr`` → …"""
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def defang(value: str) -> str:
    """The usual defanged form for sharing in prose: ``hxxp``, ``[.]``, ``[@]``."""
    value = re.sub(r"^http", "hxxp", value, flags=re.IGNORECASE)
    return value.replace(".", "[.]").replace("@", "[@]")


# Extensions that are file names far more often than top-level domains in reports.
FILE_EXTENSIONS = frozenset(
    "exe dll sys scr com bat cmd ps1 psm1 vbs vbe js jse wsf hta lnk msi iso img zip rar 7z gz tar "
    "cab jar apk doc docx docm xls xlsx xlsm ppt pptx pdf rtf txt log csv json xml html htm "
    "php asp aspx jsp py sh elf bin dat tmp png jpg jpeg gif bmp svg mov mp4 eml msg one".split()
)

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`|{}\\^]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}\b")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?(?![\w:])")
_HASH = re.compile(r"\b(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})\b")
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
_DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-]|\.\w)"
)
_VERSION_BEFORE = re.compile(r"(?:\bv|version\s*|ver\.?\s*|build\s*)$", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _ip_kind(candidate: str) -> IndicatorType | None:
    try:
        if "/" in candidate:
            ipaddress.ip_network(candidate, strict=False)
            return IndicatorType.CIDR
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return IndicatorType.IPV4 if address.version == 4 else IndicatorType.IPV6


def extract(text: str) -> Iterator[tuple[IndicatorType, str, int]]:
    """Indicators found in prose (after refanging): (type, raw value, character offset)."""
    if len(text) > MAX_TEXT:
        raise FormatError("text too large")
    text = refang(text)
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _URL.finditer(text):
        value = match[0].rstrip(_TRAILING)
        taken.append((match.start(), match.start() + len(value)))
        yield IndicatorType.URL, value, match.start()
    for match in _EMAIL.finditer(text):
        if free(match.start(), match.end()):
            taken.append(match.span())
            yield IndicatorType.EMAIL, match[0], match.start()
    for match in _CVE.finditer(text):
        taken.append(match.span())
        yield IndicatorType.CVE, match[0], match.start()
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if not free(*match.span()) or _VERSION_BEFORE.search(
                text[max(0, match.start() - 8) : match.start()]
            ):
                continue
            kind = _ip_kind(match[0])
            if kind is not None:
                taken.append(match.span())
                yield kind, match[0], match.start()
    for match in _HASH.finditer(text):
        if free(*match.span()):
            kind = guess_type(match[0])
            if kind is not None:
                taken.append(match.span())
                yield kind, match[0], match.start()
    for match in _DOMAIN.finditer(text):
        if not free(*match.span()):
            continue
        value = match[0]
        suffix = value.rsplit(".", 1)[1].lower()
        if suffix in FILE_EXTENSIONS:
            yield IndicatorType.FILE_NAME, value, match.start()
        elif not suffix.isdigit():
            yield IndicatorType.DOMAIN, value, match.start()


def parse_text(text: str, source: str = "text", tlp: TLP = TLP.AMBER) -> Collection:
    """Every indicator extracted from prose, provenance ``source:line``; invalid ones skipped."""
    collection = Collection()
    line_starts = [0] + [m.end() for m in re.finditer("\n", refang(text))]
    for kind, raw, offset in extract(text):
        line = _line_of(line_starts, offset)
        try:
            indicator = make_indicator(
                kind, raw, tlp=tlp, provenance=(Provenance(source, f"line {line}", tlp=tlp),)
            )
        except IndicatorError as error:
            collection.warnings.append(str(FormatError(error.message, at(source, line))))
            continue
        collection.indicators.append(indicator)
    return collection


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts)
    while low + 1 < high:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle
    return low + 1


# --- CSV -------------------------------------------------------------------------------------

_COLUMNS = {
    "type": ("type", "indicator_type", "kind"),
    "value": ("value", "indicator", "ioc", "observable"),
    "tlp": ("tlp", "marking"),
    "confidence": ("confidence",),
    "description": ("description", "comment"),
    "source": ("source", "provenance"),
    "valid_from": ("valid_from", "first_seen"),
    "valid_until": ("valid_until", "expires", "expiry"),
    "attack": ("attack", "technique", "mitre_attack"),
}
_TYPE_ALIASES = {
    "ip": None,
    "ip-src": None,
    "ip-dst": None,
    "hostname": IndicatorType.DOMAIN,
    "filename": IndicatorType.FILE_NAME,
    "sha-1": IndicatorType.SHA1,
    "sha-256": IndicatorType.SHA256,
    "email-addr": IndicatorType.EMAIL,
    "e-mail": IndicatorType.EMAIL,
    "useragent": IndicatorType.USER_AGENT,
    "vulnerability": IndicatorType.CVE,
    "cidr": IndicatorType.CIDR,
}


def _csv_type(raw: str, value: str) -> IndicatorType | None:
    key = raw.strip().lower().replace("_", "-")
    if not key:
        return guess_type(value)
    if key in _TYPE_ALIASES:
        alias = _TYPE_ALIASES[key]
        if alias is None:  # an address: its family (or a network) from the value
            guessed = guess_type(value)
            if guessed in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR):
                return guessed
            return IndicatorType.IPV6 if ":" in value else IndicatorType.IPV4
        return alias
    try:
        return IndicatorType(key)
    except ValueError:
        raise IndicatorError("unknown indicator type") from None


def parse_csv(text: str, source: str = "csv", tlp: TLP = TLP.AMBER) -> Collection:
    """CSV with a header naming at least a ``value`` column (``type``, ``tlp``, ``confidence``,
    ``description``, ``source``, ``valid_from``, ``valid_until``, ``attack`` optional), or one
    value per line. Values may be defanged. A bad row raises ``FormatError`` with its line."""
    if len(text) > MAX_TEXT:
        raise FormatError("CSV too large", at(source))
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as error:
        raise FormatError(f"unreadable CSV ({error})", at(source)) from None
    if len(rows) > MAX_ROWS:
        raise FormatError("too many CSV rows", at(source))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    columns: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for index, title in enumerate(header):
            if title in aliases:
                columns.setdefault(name, index)
    first = 1 if "value" in columns else 0
    if not columns.get("value"):
        columns.setdefault("value", 0)
    collection = Collection()
    for number, row in enumerate(rows[first:], start=first + 1):
        if not row or not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        try:
            collection.indicators.append(_csv_row(row, columns, source, number, tlp))
        except IndicatorError as error:
            raise FormatError(error.message, at(source, number)) from None
    return collection


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    """A cell's text; the apostrophe Hygie's CSV exports put before a formula-like cell
    (``'=...``, hygie.lib.spreadsheet) is taken off, so an export re-imports unchanged."""
    index = columns.get(name)
    return unneutralise(row[index].strip()) if index is not None and index < len(row) else ""


def _csv_row(
    row: list[str], columns: dict[str, int], source: str, number: int, default_tlp: TLP
) -> Indicator:
    value = refang(_cell(row, columns, "value"))
    kind = _csv_type(_cell(row, columns, "type"), value)
    if kind is None:
        raise IndicatorError("the value's indicator type cannot be recognised")
    raw_tlp = _cell(row, columns, "tlp")
    tlp = TLP.parse(raw_tlp) if raw_tlp else default_tlp
    raw_confidence = _cell(row, columns, "confidence")
    if raw_confidence and not (raw_confidence.isascii() and raw_confidence.isdigit()):
        raise IndicatorError("confidence must be an integer from 0 to 100")
    attack = [t.strip().upper() for t in _cell(row, columns, "attack").split(";") if t.strip()]
    for technique in attack:
        if not re.fullmatch(r"TA?\d{4}(?:\.\d{3})?", technique):
            raise IndicatorError("ATT&CK ids look like T1059, T1059.001 or TA0001")
    origin = _cell(row, columns, "source") or source
    return make_indicator(
        kind,
        value,
        tlp=tlp,
        confidence=int(raw_confidence) if raw_confidence else None,
        description=_cell(row, columns, "description"),
        valid_from=_date(_cell(row, columns, "valid_from")),
        valid_until=_date(_cell(row, columns, "valid_until")),
        kill_chain=tuple(KillChainRef("mitre-attack", technique=t) for t in attack),
        provenance=(Provenance(origin, f"line {number}", tlp=tlp),),
    )


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise IndicatorError("dates are ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z)") from None
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment
