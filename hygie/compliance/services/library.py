"""The framework library in the database: the shipped files synchronised, users' imports
previewed then saved atomically, requirement trees and framework-to-framework links.

The pure engine (``hygie.compliance.engine``) parses and validates; this service stores. The
shipped library is loaded on first use and by ``hygie compliance sync-library`` (idempotent:
running it twice changes nothing).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from hygie.compliance.choices import FrameworkSource, VerificationStatus
from hygie.compliance.engine.propagation import MappedLink, links_both_ways
from hygie.compliance.models import Framework, Requirement
from hygie.compliance.roles import ASSESS
from hygie.core import audit

if TYPE_CHECKING:
    from hygie.core.models import User

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
FORMAT_HYGIE = "hygie"
FORMAT_CISO_ASSISTANT = "ciso_assistant"


@dataclass
class SyncReport:
    frameworks: int = 0
    created: int = 0
    updated: int = 0
    requirements: int = 0
    kept_withdrawn: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str


@dataclass
class ImportPreview:
    """What an import would do, computed without saving anything."""

    file_name: str
    sha256: str
    framework: Any = None  # the engine's Framework when the file is valid
    problems: list[ImportProblem] = field(default_factory=list)
    replaces: Framework | None = None
    requirements: int = 0
    assessable: int = 0
    unverified: int = 0

    @property
    def is_valid(self) -> bool:
        return self.framework is not None and not self.problems

    @property
    def framework_name(self) -> str:
        """The framework's name in the reader's language (else English, else any)."""
        if self.framework is None:
            return ""
        from django.utils.translation import get_language

        from hygie.compliance.engine.library import localized

        language = (get_language() or "en").split("-")[0]
        return localized(self.framework.name, language) or self.framework.id


def _text(localized: Mapping[str, str] | None, language: str) -> str:
    if not localized:
        return ""
    return str(localized.get(language, "") or "")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the shipped library --------------------------------------------------------------------


def _library_errors() -> tuple[type[BaseException], ...]:
    """What loading the shipped library may raise: the engine's LibraryError, or no engine or
    library file at all (a partial installation)."""
    try:
        from hygie.compliance.engine import LibraryError
    except ImportError:
        return (ImportError, OSError)
    return (LibraryError, ImportError, OSError)


def _shipped() -> tuple[Any, dict[str, str]]:
    """The parsed shipped library and its files' texts (the engine raises LibraryError)."""
    from hygie.compliance import library_files

    return library_files.shipped_library(), library_files.read_library_files()


def control_links(library: Any) -> dict[str, list[dict[str, str]]]:
    """Requirement URN → [{"id": control id, "relation": …}] from the control mapping files."""
    found: dict[str, list[dict[str, str]]] = {}
    for mapping in getattr(library, "mappings", ()):
        if mapping.target != "controls":
            continue
        for entry in mapping.entries:
            found.setdefault(entry.source, []).append(
                {"id": entry.target, "relation": entry.relation}
            )
    return found


_BATCH = 500
_REQUIREMENT_FIELDS = (
    "ref_id",
    "is_assessable",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "verification_status",
    "attributes",
    "controls",
    "order",
)


def _refuse_foreign_urns(urns: list[str], framework: Framework) -> None:
    """A requirement's URN is unique across frameworks: a file may not take another's."""
    for start in range(0, len(urns), _BATCH):
        taken = (
            Requirement.objects.filter(urn__in=urns[start : start + _BATCH])
            .exclude(framework=framework)
            .values_list("urn", flat=True)
            .first()
        )
        if taken is not None:
            raise ValueError(f"requirement {taken} belongs to another framework")


def sync_shipped_library() -> SyncReport:
    """Load (or refresh) every shipped framework into the database. Requirements that left a
    file are deleted unless answered; answered ones are kept (an assessment's record)."""
    report = SyncReport()
    try:
        library, files = _shipped()
    except _library_errors() as error:
        problems = getattr(error, "problems", None) or [error]
        report.problems = [str(problem) for problem in problems][:50]
        logger.warning("shipped compliance library not loaded: %d problem(s)", len(problems))
        return report
    controls = control_links(library)
    for framework in library.frameworks.values():
        name = str(getattr(framework, "source_name", "") or "")
        text = (
            next((body for path, body in files.items() if path.endswith(name)), "") if name else ""
        )
        created, count = store_framework(
            framework,
            source=FrameworkSource.SHIPPED,
            file_name=name,
            sha256=_digest(text) if text else "",
            controls=controls,
        )
        report.frameworks += 1
        report.created += int(created)
        report.updated += int(not created)
        report.requirements += count
    framework_links.cache_clear()
    return report


def ensure_library() -> None:
    """Load the shipped library when no shipped framework is stored yet (first use; one
    query otherwise)."""
    if not Framework.objects.filter(source=FrameworkSource.SHIPPED).exists():
        sync_shipped_library()


@transaction.atomic
def store_framework(
    framework: Any,
    *,
    source: str,
    file_name: str = "",
    sha256: str = "",
    controls: Mapping[str, list[dict[str, str]]] | None = None,
    user: User | None = None,
) -> tuple[bool, int]:
    """Create or update one framework and its requirements from the engine's ``Framework``.
    Returns (created, number of requirements)."""
    defaults = {
        "urn": framework.urn,
        "name_fr": _text(framework.name, "fr"),
        "name_en": _text(framework.name, "en"),
        "description_fr": _text(framework.description, "fr"),
        "description_en": _text(framework.description, "en"),
        "version": str(framework.version or "")[:100],
        "publication_date": str(framework.publication_date or "")[:20],
        "provider": str(framework.provider or "")[:300],
        "source_url": str(framework.source_url or "")[:500],
        "licence_note": str(framework.licence_note or ""),
        "metadata": {"locales": list(getattr(framework, "locales", ()) or ())},
        "source": source,
        "file_name": file_name[:255],
        "sha256": sha256,
    }
    if user is not None:
        defaults["imported_by"] = user
    stored = Framework.objects.filter(framework_id=framework.id).first()
    created = stored is None
    if stored is None:
        stored = Framework.objects.create(framework_id=framework.id, **defaults)
    else:
        changed = {key: value for key, value in defaults.items() if getattr(stored, key) != value}
        if changed:
            for key, value in changed.items():
                setattr(stored, key, value)
            stored.save()
    existing = {item.urn: item for item in stored.requirements.all()}
    wanted = list(framework.requirements)
    controls = controls or {}
    _refuse_foreign_urns([item.urn for item in wanted if item.urn not in existing], stored)
    # A library holds thousands of requirements: rows are written in batches (one query per
    # batch, not several per requirement), which also keeps a test's library fixture cheap.
    by_urn: dict[str, Requirement] = {}
    new_rows: list[Requirement] = []
    changed_rows: list[Requirement] = []
    for position, requirement in enumerate(wanted):
        values = {
            "ref_id": str(requirement.ref_id or "")[:100],
            "is_assessable": bool(requirement.assessable),
            "title_fr": _text(requirement.title, "fr"),
            "title_en": _text(requirement.title, "en"),
            "description_fr": _text(requirement.description, "fr"),
            "description_en": _text(requirement.description, "en"),
            "verification_status": VerificationStatus.VERIFIED
            if requirement.verification_status == "verified"
            else VerificationStatus.UNVERIFIED,
            "attributes": dict(requirement.attributes or {}),
            "controls": list(controls.get(requirement.urn, [])),
            "order": position,
        }
        row = existing.pop(requirement.urn, None)
        if row is None:
            row = Requirement(framework=stored, urn=requirement.urn, **values)
            new_rows.append(row)
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed_rows.append(row)
        by_urn[requirement.urn] = row
    Requirement.objects.bulk_create(new_rows, batch_size=_BATCH)
    Requirement.objects.bulk_update(changed_rows, list(_REQUIREMENT_FIELDS), batch_size=_BATCH)
    # Parents and depths, once every row exists (a parent may come after its child).
    parents = {item.urn: item.parent for item in wanted}
    moved: list[Requirement] = []
    for urn, row in by_urn.items():
        parent_urn = parents.get(urn)
        parent = by_urn.get(parent_urn) if parent_urn else None
        depth, cursor, seen = 0, parent_urn, set()
        while cursor and cursor not in seen:
            seen.add(cursor)
            depth += 1
            cursor = parents.get(cursor)
        parent_id = parent.pk if parent else None
        if row.parent_id != parent_id or row.depth != depth:
            row.parent_id, row.depth = parent_id, depth
            moved.append(row)
    Requirement.objects.bulk_update(moved, ["parent", "depth"], batch_size=_BATCH)
    # Requirements that left the file: gone unless an answer keeps them.
    leaving = [row.pk for row in existing.values()]
    if leaving:
        answered = set(
            Requirement.objects.filter(pk__in=leaving, answers__isnull=False).values_list(
                "pk", flat=True
            )
        )
        Requirement.objects.filter(pk__in=set(leaving) - answered).update(parent=None)
        Requirement.objects.filter(pk__in=set(leaving) - answered).delete()
    return created, len(by_urn)


# --- users' imports -------------------------------------------------------------------------


def _problems_of(error: Exception) -> list[ImportProblem]:
    problems = getattr(error, "problems", None)
    if not problems:
        return [ImportProblem(None, str(error) or _("The file could not be read."))]
    return [
        ImportProblem(getattr(problem, "line", None), str(getattr(problem, "message", problem)))
        for problem in problems
    ]


def preview_import(
    file_name: str, content: bytes, file_format: str = FORMAT_HYGIE
) -> ImportPreview:
    """Parse and check an uploaded framework file; saves nothing. Every problem is listed."""
    preview = ImportPreview(file_name=file_name[:255], sha256=hashlib.sha256(content).hexdigest())
    if len(content) > MAX_IMPORT_BYTES:
        preview.problems.append(
            ImportProblem(
                None,
                _("The file is larger than %(size)s MB.")
                % {"size": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        )
        return preview
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        preview.problems.append(ImportProblem(None, _("The file is not UTF-8 text.")))
        return preview
    from hygie.compliance import engine

    try:
        if file_format == FORMAT_CISO_ASSISTANT:
            framework = engine.parse_ciso_assistant_library(preview.file_name, text)
        else:
            framework = engine.parse_framework(preview.file_name, text)
    except engine.LibraryError as error:
        preview.problems.extend(_problems_of(error))
        return preview
    preview.framework = framework
    stored = Framework.objects.filter(framework_id=framework.id).first()
    if stored is not None:
        preview.replaces = stored
        if stored.source == FrameworkSource.SHIPPED:
            preview.problems.append(
                ImportProblem(
                    None,
                    _(
                        "A framework shipped with Hygie already has the identifier %(id)s: "
                        "give yours another one."
                    )
                    % {"id": framework.id},
                )
            )
    clashes = (
        Requirement.objects.filter(urn__in=[item.urn for item in framework.requirements])
        .exclude(framework__framework_id=framework.id)
        .values_list("urn", flat=True)[:20]
    )
    for urn in clashes:
        preview.problems.append(
            ImportProblem(
                None,
                _("The requirement %(urn)s already belongs to another framework.") % {"urn": urn},
            )
        )
    preview.requirements = len(framework.requirements)
    preview.assessable = sum(1 for item in framework.requirements if item.assessable)
    preview.unverified = sum(
        1 for item in framework.requirements if item.verification_status != "verified"
    )
    return preview


def check_may_change_library(user: User | None) -> None:
    """The library is the installation's: every establishment's assessments use it, so only
    users who see every establishment may change it (``user`` None: the platform itself)."""
    if user is None:
        return
    if not user.can(ASSESS):
        raise PermissionDenied(_("Your role does not allow importing frameworks."))
    if not user.sees_all_establishments:
        raise PermissionDenied(
            _("Only users with organisation-wide access may change the framework library.")
        )


def import_framework(
    user: User | None, file_name: str, content: bytes, file_format: str = FORMAT_HYGIE
) -> tuple[ImportPreview, Framework | None]:
    """Save an uploaded framework if, and only if, its preview shows no problem (atomic)."""
    check_may_change_library(user)
    preview = preview_import(file_name, content, file_format)
    if not preview.is_valid:
        return preview, None
    with transaction.atomic():
        store_framework(
            preview.framework,
            source=FrameworkSource.IMPORTED,
            file_name=preview.file_name,
            sha256=preview.sha256,
            user=user,
        )
        stored = Framework.objects.get(framework_id=preview.framework.id)
        audit.record(
            "update" if preview.replaces else "create",
            stored,
            message=f"Framework imported from a file ({preview.requirements} requirements)",
        )
    framework_links.cache_clear()
    return preview, stored


@transaction.atomic
def delete_framework(user: User | None, framework: Framework) -> None:
    """Delete an imported framework with no assessment (shipped ones come back at sync)."""
    check_may_change_library(user)
    if framework.source == FrameworkSource.SHIPPED:
        raise PermissionDenied(_("A framework shipped with Hygie cannot be deleted."))
    if framework.assessments.exists():
        raise PermissionDenied(_("This framework has assessments: it is kept as their record."))
    audit.record("delete", framework, message="Imported framework deleted")
    Requirement.objects.filter(framework=framework).update(parent=None)
    framework.delete()


# --- reading ---------------------------------------------------------------------------------


def frameworks_with_counts() -> Any:
    ensure_library()
    return Framework.objects.annotate(
        requirement_count=Count("requirements", filter=Q(requirements__is_assessable=True)),
        unverified_count=Count(
            "requirements",
            filter=Q(
                requirements__is_assessable=True,
                requirements__verification_status=VerificationStatus.UNVERIFIED,
            ),
        ),
    ).order_by("framework_id")


def chapter_of(requirements: Iterable[Requirement]) -> dict[int, Requirement | None]:
    """Requirement id → its top-level ancestor (the chapter), None for a top-level item."""
    rows = {item.pk: item for item in requirements}
    chapters: dict[int, Requirement | None] = {}
    for pk, item in rows.items():
        cursor, seen = item, set()
        while cursor.parent_id is not None and cursor.parent_id in rows and cursor.pk not in seen:
            seen.add(cursor.pk)
            cursor = rows[cursor.parent_id]
        chapters[pk] = None if cursor.pk == pk else cursor
    return chapters


@lru_cache(maxsize=1)
def framework_links() -> dict[str, list[MappedLink]]:
    """Requirement URN → links to requirements of other frameworks (both directions), from the
    shipped framework-to-framework mapping files."""
    try:
        library, _files = _shipped()
    except _library_errors():  # no library: no propagation
        return {}
    links = [
        MappedLink(entry.source, entry.target, entry.relation, dict(entry.rationale or {}))
        for mapping in getattr(library, "mappings", ())
        if mapping.target != "controls"
        for entry in mapping.entries
    ]
    return links_both_ways(links)


def requirements_for_controls(control_ids: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """Control id → [(requirement id, relation)] over the whole stored library."""
    wanted = set(control_ids)
    found: dict[str, list[tuple[int, str]]] = {}
    for pk, controls in Requirement.objects.exclude(controls=[]).values_list("pk", "controls"):
        for item in controls or []:
            if isinstance(item, dict) and item.get("id") in wanted:
                found.setdefault(str(item["id"]), []).append(
                    (pk, str(item.get("relation") or "equal"))
                )
    return found
