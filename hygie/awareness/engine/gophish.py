"""Import GoPhish templates and landing pages from their JSON (API / export format).

GoPhish documents a template as ``{id, name, subject, text, html, modified_date, attachments}``
(attachments: ``{content (base64), type, name}``, plus ``envelope_sender`` in recent versions)
and a landing page as ``{id, name, html, capture_credentials, capture_passwords, redirect_url,
modified_date}``. The input may be one object, a list of them (``GET /api/templates/``), or an
object ``{"templates": [...], "pages": [...]}``. Every problem is reported with its location.
Attachments are not imported (a simulation mail with a payload is out of scope); their count
is reported so the trainer knows. Passwords are never captured whatever the export says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hygie.lib.documents import Document, DocumentError, Limits, load_json
from hygie.lib.errors import Location

from .errors import AwarenessError
from .templates import MAX_TEMPLATE_CHARS, LandingPage, MailTemplate, placeholders

_LIMITS = Limits(max_bytes=8 * 1024 * 1024, max_depth=16, max_nodes=200_000)
MAX_ITEMS = 500


@dataclass(frozen=True)
class ImportProblem:
    message: str
    location: Location


@dataclass(frozen=True)
class GoPhishImport:
    templates: tuple[MailTemplate, ...] = ()
    pages: tuple[LandingPage, ...] = ()
    skipped_attachments: int = 0
    problems: tuple[ImportProblem, ...] = ()


def _text(
    item: dict[str, Any], key: str, document: Document, path: tuple[str | int, ...],
    problems: list[ImportProblem], *, required: bool = False,
) -> str:  # fmt: skip
    value = item.get(key)
    if value is None or value == "":
        if required:
            problems.append(ImportProblem(f"'{key}' is missing", document.location(path)))
        return ""
    if not isinstance(value, str):
        problems.append(ImportProblem(f"'{key}' must be text", document.location((*path, key))))
        return ""
    if len(value) > MAX_TEMPLATE_CHARS:
        problems.append(ImportProblem(f"'{key}' is too long", document.location((*path, key))))
        return ""
    try:
        placeholders(value)
    except AwarenessError as error:
        problems.append(ImportProblem(error.message, document.location((*path, key))))
        return ""
    return value


def _kind(item: dict[str, Any]) -> str:
    if "subject" in item or "attachments" in item or "text" in item:
        return "template"
    if "capture_credentials" in item or "redirect_url" in item or "capture_passwords" in item:
        return "page"
    return ""


def parse_gophish(data: str | bytes, source: str = "gophish.json") -> GoPhishImport:
    """Templates and pages found in a GoPhish JSON export, with every problem located.

    Raises ``AwarenessError`` when the text is not JSON or holds nothing importable; otherwise
    items with problems are left out and listed in ``problems``.
    """
    try:
        document = load_json(data, source, _LIMITS)
    except DocumentError as error:
        raise AwarenessError(error.message, error.location) from None
    root = document.data
    entries: list[tuple[tuple[str | int, ...], Any, str]] = []
    if isinstance(root, dict) and ("templates" in root or "pages" in root):
        for key, kind in (("templates", "template"), ("pages", "page")):
            items = root.get(key) or []
            if not isinstance(items, list):
                raise AwarenessError(f"'{key}' must be a list", document.location((key,)))
            entries.extend(((key, i), item, kind) for i, item in enumerate(items))
    elif isinstance(root, list):
        entries.extend(((i,), item, "") for i, item in enumerate(root))
    elif isinstance(root, dict):
        entries.append(((), root, ""))
    else:
        raise AwarenessError(
            "expected a GoPhish template, page, or a list of them", Location(source)
        )
    if len(entries) > MAX_ITEMS:
        raise AwarenessError(f"more than {MAX_ITEMS} items", Location(source))
    templates: list[MailTemplate] = []
    pages: list[LandingPage] = []
    problems: list[ImportProblem] = []
    attachments = 0
    for path, item, kind in entries:
        if not isinstance(item, dict):
            problems.append(ImportProblem("an item must be an object", document.location(path)))
            continue
        kind = kind or _kind(item)
        before = len(problems)
        name = _text(item, "name", document, path, problems, required=True)[:200]
        if kind == "template":
            subject = _text(item, "subject", document, path, problems, required=True)
            html = _text(item, "html", document, path, problems)
            text = _text(item, "text", document, path, problems)
            sender = _text(item, "envelope_sender", document, path, problems)
            if not html and not text and len(problems) == before:
                problems.append(
                    ImportProblem("a template needs 'html' or 'text'", document.location(path))
                )
            found = item.get("attachments")
            if isinstance(found, list):
                attachments += len(found)
            if len(problems) == before:
                templates.append(
                    MailTemplate(name, subject[:250], html, text, envelope_sender=sender[:254])
                )
        elif kind == "page":
            html = _text(item, "html", document, path, problems, required=True)
            redirect = _text(item, "redirect_url", document, path, problems)
            if redirect and not redirect.lower().startswith(("https://", "http://")):
                problems.append(
                    ImportProblem(
                        "'redirect_url' must be an http(s) address",
                        document.location((*path, "redirect_url")),
                    )
                )
            capture = item.get("capture_credentials", False)
            if len(problems) == before:
                pages.append(LandingPage(name, html, capture is True, redirect[:2000]))
        else:
            problems.append(
                ImportProblem("neither a template nor a landing page", document.location(path))
            )
    if not templates and not pages:
        if problems:  # nothing importable: the first problem, located, is the answer
            raise AwarenessError(problems[0].message, problems[0].location)
        raise AwarenessError("nothing to import", Location(source))
    return GoPhishImport(tuple(templates), tuple(pages), attachments, tuple(problems))
