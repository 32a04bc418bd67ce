"""E-mail (RFC 5322 .eml): headers, text and HTML bodies; attachments become nested inputs."""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

from hygie.privacy.engine.document import Child, ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.rebuilt import TextBuilder
from hygie.privacy.engine.model import EntityType as E

_TAG = re.compile(r"<[^>]{0,2000}>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject")
MAX_PARTS = 1_000


# The email package keeps undecodable header bytes as lone surrogates (surrogateescape): text
# that cannot be encoded, hashed or stored. They become U+FFFD, as in every other extractor.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text)


def _html_text(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", markup)))


def _parts(message: Message) -> list[Message]:
    parts = list(message.walk())
    if len(parts) > MAX_PARTS:
        raise ExtractionError(f"e-mail has more than {MAX_PARTS} MIME parts")
    return parts


def extract_eml(data: bytes) -> ExtractedDocument:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError) as error:
        raise ExtractionError("unreadable e-mail message") from error
    builder = TextBuilder()
    for header in _HEADERS:
        for value in message.get_all(header, []):
            addresses = getattr(value, "addresses", ())
            if not addresses:  # Subject, or an address header the parser could not split
                builder.add(_clean(f"{header}: {value}"), f"header {header}")
            for address in addresses:
                builder.add(_clean(address.display_name), f"header {header} name", E.PERSON)
                builder.add(_clean(address.addr_spec), f"header {header} address")
    attachments: list[Child] = []
    for number, part in enumerate(_parts(message), start=1):
        if part.is_multipart():
            continue
        filename = part.get_filename()
        try:
            if filename or part.get_content_disposition() == "attachment":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    attachments.append(Child(filename or f"part-{number}", payload))
                continue
            if part.get_content_maintype() != "text":
                continue
            content = part.get_content() if isinstance(part, EmailMessage) else ""
        except (LookupError, ValueError, AssertionError) as error:
            raise ExtractionError("e-mail part with an unreadable encoding") from error
        if part.get_content_subtype() == "html":
            content = _html_text(str(content))
        builder.add(_clean(str(content)), f"body part {number} ({part.get_content_type()})")
    return ExtractedDocument(
        "eml",
        builder.text,
        builder.segments,
        is_stored_text=False,
        free_text=True,
        children=_iterate(attachments),
    )


def _iterate(children: list[Child]) -> Iterator[Child]:
    yield from children
