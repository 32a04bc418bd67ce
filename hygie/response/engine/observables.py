"""Normalising and validating observables (IP, domain, URL, hash, e-mail, account, host).

Pure: a kind and a raw string in, the canonical value out, so the same indicator typed twice
(``203.0.113.5`` and ``203.0.113[.]5``, ``Example.ORG.`` and ``example.org``) is stored once and
can later be matched against threat intelligence. Refanging undoes the usual defanging
(``hxxp``, ``[.]``, ``(.)``, ``[@]``) analysts use when they paste indicators into mails.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from hygie.response.engine.errors import ResponseEngineError

KINDS = ("ip", "domain", "url", "hash", "email", "account", "host")
MAX_VALUE_LENGTH = 2048
HASH_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
URL_SCHEMES = ("http", "https", "ftp")

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_HEX = re.compile(r"^[0-9a-f]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEFANGS = (
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("[:]", ":"),
    ("[@]", "@"),
    ("[at]", "@"),
)


class ObservableError(ResponseEngineError):
    """A value that is not a valid observable of its kind. The message never repeats the value
    (it may be an account name or an address)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def refang(value: str) -> str:
    text = value
    for defanged, plain in _DEFANGS:
        text = text.replace(defanged, plain)
    return re.sub(
        r"^(h[xX]{2}p)(s?)://", lambda m: "http" + m.group(2) + "://", text, flags=re.IGNORECASE
    )


def normalise(kind: str, raw: str) -> str:
    """The canonical form of ``raw`` as an observable of ``kind``, or ObservableError."""
    if kind not in KINDS:
        raise ObservableError("unknown_kind", "unknown observable kind")
    value = raw.strip()
    if not value:
        raise ObservableError("empty", "the value is empty")
    if len(value) > MAX_VALUE_LENGTH:
        raise ObservableError("too_long", f"the value is longer than {MAX_VALUE_LENGTH} characters")
    if _CONTROL.search(value):
        raise ObservableError("control_characters", "the value contains control characters")
    if kind in ("ip", "domain", "url", "email", "host"):
        value = refang(value)
    normaliser = {
        "ip": normalise_ip,
        "domain": normalise_domain,
        "url": normalise_url,
        "hash": normalise_hash,
        "email": normalise_email,
        "account": normalise_account,
        "host": normalise_host,
    }[kind]
    return normaliser(value)


def normalise_ip(value: str) -> str:
    candidate = value.strip("[]")
    try:
        return ipaddress.ip_address(candidate).compressed
    except ValueError:
        raise ObservableError("invalid_ip", "not an IPv4 or IPv6 address") from None


def normalise_domain(
    value: str, *, allow_single_label: bool = False, label_pattern: re.Pattern[str] = _LABEL
) -> str:
    """The ASCII (IDNA, punycode) lower-case form, without the final dot."""
    name = value.strip().rstrip(".").lower()
    if not name:
        raise ObservableError("invalid_domain", "not a domain name")
    try:
        ascii_name = ".".join(_idna_label(label) for label in name.split("."))
    except (UnicodeError, ValueError):
        raise ObservableError(
            "invalid_domain", "not a valid internationalised domain name"
        ) from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(label_pattern.match(label) for label in labels):
        raise ObservableError("invalid_domain", "not a valid domain name")
    if len(labels) < 2 and not allow_single_label:
        raise ObservableError(
            "invalid_domain", "a domain needs at least two labels (e.g. example.org)"
        )
    if labels[-1].isdigit():
        raise ObservableError("invalid_domain", "this looks like an IP address, not a domain")
    return ascii_name


def _idna_label(label: str) -> str:
    if not label:
        raise ValueError("empty label")
    if label.isascii():
        return label
    return label.encode("idna").decode("ascii")


def normalise_url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ObservableError("invalid_url", "not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        raise ObservableError("invalid_url_scheme", "only http, https and ftp URLs are accepted")
    host = parts.hostname or ""
    if not host:
        raise ObservableError("invalid_url", "the URL has no host")
    try:
        host = ipaddress.ip_address(host).compressed
        if ":" in host:
            host = f"[{host}]"
    except ValueError:
        host = normalise_domain(host, allow_single_label=True)
    netloc = host
    if parts.username is not None:
        # Credentials in an indicator URL are part of the lure; keep them as seen.
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    default_ports = {"http": 80, "https": 443, "ftp": 21}
    if port is not None and port != default_ports[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def normalise_hash(value: str) -> str:
    digest = value.strip().lower()
    if ":" in digest:
        # "sha256:abcd…" as some tools print it.
        digest = digest.split(":", 1)[1].strip()
    if not _HEX.match(digest):
        raise ObservableError("invalid_hash", "a hash is written in hexadecimal")
    if len(digest) not in HASH_LENGTHS:
        raise ObservableError(
            "invalid_hash_length",
            "a hash has 32 (MD5), 40 (SHA-1), 64 (SHA-256) or 128 (SHA-512) hexadecimal characters",
        )
    return digest


def hash_algorithm(digest: str) -> str:
    return HASH_LENGTHS.get(len(digest), "")


def normalise_email(value: str) -> str:
    address = value.strip().strip("<>")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ObservableError("invalid_email", "not an e-mail address")
    if len(local) > 64 or any(character.isspace() for character in local) or '"' in local:
        raise ObservableError("invalid_email", "not a valid e-mail address")
    try:
        domain = normalise_domain(domain)
    except ObservableError:
        raise ObservableError("invalid_email", "the e-mail address has an invalid domain") from None
    return f"{local.lower()}@{domain}"


def normalise_account(value: str) -> str:
    account = " ".join(value.split())
    if len(account) > 256:
        raise ObservableError("too_long", "an account name has at most 256 characters")
    return account


def normalise_host(value: str) -> str:
    """A host name (single label allowed, e.g. ``srv-fichiers-01``; underscores tolerated as
    Windows names use them) or an IP address."""
    try:
        return normalise_ip(value)
    except ObservableError:
        pass
    try:
        return normalise_domain(value, allow_single_label=True, label_pattern=_HOST_LABEL)
    except ObservableError:
        raise ObservableError("invalid_host", "not a valid host name") from None
