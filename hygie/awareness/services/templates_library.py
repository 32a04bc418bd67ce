"""Mail templates and landing pages: the shipped lure library (``hygie/awareness/library``),
kept in step with the database, GoPhish imports (with a preview), and the checks a template
written here must pass before a campaign can send it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.awareness import engine
from hygie.awareness.models import ContentSource, LandingPage, MailTemplate
from hygie.core.services.crud import check_establishment_allowed

if TYPE_CHECKING:
    from hygie.core.models import Establishment, User

MAX_GOPHISH_BYTES = 5 * 1024 * 1024


# A library template is named after its subject, its variables shown as words of its language
# (a trainer picks "[expéditeur] a partagé…", not "{{ sender_name }} a partagé…").
_VARIABLE_WORDS = {
    "fr": {
        "first_name": "prénom",
        "last_name": "nom",
        "email": "adresse",
        "department": "service",
        "establishment": "établissement",
        "sender_name": "expéditeur",
        "date": "date",
        "tracking_link": "lien",
        "tracking_pixel": "pixel",
    },
    "en": {
        "first_name": "first name",
        "last_name": "last name",
        "email": "address",
        "department": "department",
        "establishment": "establishment",
        "sender_name": "sender",
        "date": "date",
        "tracking_link": "link",
        "tracking_pixel": "pixel",
    },
}
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def library_name(subject: str, language: str) -> str:
    """The name of a library template: its subject with ``[word]`` for each variable."""
    words = _VARIABLE_WORDS.get(language, _VARIABLE_WORDS["en"])
    return _VARIABLE.sub(lambda match: f"[{words.get(match[1], '…')}]", subject)[:200]


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lures: list[str] = field(default_factory=list)


def library_lures() -> list[engine.Lure]:
    """Every lure shipped with Hygie, parsed (a broken file is a bug: it raises)."""
    folder = files("hygie.awareness") / "library"
    lures = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".yaml"):
            lures.append(engine.parse_lure(entry.read_bytes(), f"library/{entry.name}"))
    return lures


def _store(
    model: type[Any], lookup: dict[str, Any], values: dict[str, Any], result: SyncResult
) -> Any:
    current = model.objects.filter(establishment__isnull=True, **lookup).first()
    if current is None:
        result.created += 1
        return model.objects.create(establishment=None, **lookup, **values)
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        result.unchanged += 1
        return current
    for name, value in changed.items():
        setattr(current, name, value)
    if hasattr(current, "version"):
        current.version += 1
    current.save()
    result.updated += 1
    return current


def sync_library() -> SyncResult:
    """Create or update the shared templates and landing pages from the shipped lures (a
    changed lure gets a new version number; campaigns keep pointing to the same row)."""
    result = SyncResult()
    lures = library_lures()
    with transaction.atomic():
        for lure in lures:
            result.lures.append(lure.id)
            for language, version in lure.versions.items():
                lookup = {"lure_id": lure.id, "language": language, "source": ContentSource.LIBRARY}
                _store(
                    MailTemplate,
                    lookup,
                    {
                        "name": library_name(version.template.subject, language),
                        "sender_name": version.template.sender_name[:200],
                        "subject": version.template.subject[:300],
                        "html": version.template.html,
                        "text": version.template.text,
                        "clues": [
                            {"title": clue.title, "explanation": clue.explanation}
                            for clue in version.clues
                        ],
                        "difficulty": lure.difficulty,
                    },
                    result,
                )
                _store(
                    LandingPage,
                    lookup,
                    {"name": version.landing_title[:200], "html": version.landing.html},
                    result,
                )
    return result


def ensure_library() -> None:
    """Load the library once, the first time someone needs it."""
    if not MailTemplate.objects.filter(source=ContentSource.LIBRARY).exists():
        sync_library()


def check_template(template: MailTemplate) -> None:
    """A template a campaign can send: known variables only, and a tracking link in each body
    (else nobody could ever click). Raises ``ValidationError``."""
    errors: dict[str, list[str]] = {}
    for name in ("subject", "html", "text"):
        try:
            used = engine.placeholders(getattr(template, name) or "")
        except engine.AwarenessError as error:
            errors.setdefault(name, []).append(
                _("Unknown variable: %(detail)s. Allowed: %(allowed)s.")
                % {"detail": str(error), "allowed": ", ".join(sorted(engine.VARIABLES))}
            )
            continue
        if name != "subject" and getattr(template, name) and "tracking_link" not in used:
            errors.setdefault(name, []).append(_("The body needs a {{ tracking_link }}."))
    if not template.html and not template.text:
        errors.setdefault("html", []).append(_("Write an HTML or a text body."))
    if errors:
        raise ValidationError(errors)


# --- GoPhish ------------------------------------------------------------------------------------


def preview_gophish(data: bytes | str, source: str = "gophish.json") -> engine.GoPhishImport:
    """What an import would create, with the problems located; raises ``ValidationError``."""
    if len(data) > MAX_GOPHISH_BYTES:
        raise ValidationError(_("The file is too large (5 MB at most)."))
    try:
        return engine.parse_gophish(data, source)
    except engine.AwarenessError as error:
        raise ValidationError(
            _("This is not a GoPhish export: %(reason)s") % {"reason": str(error)}
        ) from None


@dataclass
class ImportResult:
    templates: list[MailTemplate]
    pages: list[LandingPage]
    preview: engine.GoPhishImport


def import_gophish(
    data: bytes | str,
    establishment: Establishment,
    user: User | None,
    language: str,
    source: str = "gophish.json",
) -> ImportResult:
    """Create the templates and landing pages of a GoPhish export in ``establishment``: all of
    them or none. GoPhish variables are translated; attachments are not imported."""
    check_establishment_allowed(user, establishment.pk)
    preview = preview_gophish(data, source)
    templates: list[MailTemplate] = []
    pages: list[LandingPage] = []
    with transaction.atomic():
        for item in preview.templates:
            template = MailTemplate(
                establishment=establishment,
                language=language,
                name=item.name[:200],
                sender_name=item.sender_name[:200],
                subject=item.subject[:300],
                html=item.html,
                text=item.text,
                source=ContentSource.GOPHISH,
            )
            template.full_clean()
            template.save()
            templates.append(template)
        for page_item in preview.pages:
            page = LandingPage(
                establishment=establishment,
                language=language,
                name=page_item.name[:200],
                html=page_item.html,
                redirect_url=page_item.redirect_url[:500],
                source=ContentSource.GOPHISH,
            )
            page.full_clean()
            page.save()
            pages.append(page)
    return ImportResult(templates, pages, preview)
