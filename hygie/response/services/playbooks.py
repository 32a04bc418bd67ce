"""Playbook library and application to incidents, shared by the pages, the API and the probe.

The library an organisation sees is the shipped playbooks (read-only YAML files in
``hygie/response/playbooks/``, validated when first loaded) plus its own ``Playbook`` rows: copies
of shipped playbooks and additions, validated by the playbook engine before every save. Applying a
playbook freezes its YAML on the incident and turns each step into a task.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.models import Organisation, User
from hygie.response.choices import TaskStatus
from hygie.response.engine.playbooks import (
    MAX_PLAYBOOK_BYTES,
    PhaseProgress,
    Playbook,
    PlaybookError,
    PlaybookProblem,
    Step,
    bump_version,
    parse_playbook,
    phase_progress,
    replace_key,
    replace_version,
)
from hygie.response.models import AppliedPlaybook, Incident, Task
from hygie.response.models import Playbook as PlaybookRow
from hygie.response.roles import MANAGE_INCIDENTS, MANAGE_PLAYBOOKS
from hygie.response.services.timeline import add_entry

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "playbooks"
REVIEW_PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class ShippedPlaybook:
    playbook: Playbook
    source: str
    filename: str


@dataclass(frozen=True)
class LibraryEntry:
    """One playbook as the library shows it: shipped (``row`` is None) or the organisation's."""

    playbook: Playbook
    source: str
    row: PlaybookRow | None = None
    overridden: bool = False  # a shipped playbook the user's organisation has its own copy of

    @property
    def is_shipped(self) -> bool:
        return self.row is None

    @property
    def key(self) -> str:
        return self.playbook.key


@functools.cache
def shipped_playbooks() -> dict[str, ShippedPlaybook]:
    """The shipped playbooks by key. A shipped file that does not validate raises PlaybookError:
    it is a bug in Hygie, caught by the test suite, never a user's problem."""
    found: dict[str, ShippedPlaybook] = {}
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        playbook = parse_playbook(text, source=path.name)
        if playbook.key in found:
            first = found[playbook.key].filename
            raise PlaybookError([PlaybookProblem("key", f"also used by {first}")], source=path.name)
        found[playbook.key] = ShippedPlaybook(playbook, text, path.name)
    return found


def shipped(key: str) -> ShippedPlaybook | None:
    return shipped_playbooks().get(key)


def parse_row(row: PlaybookRow) -> Playbook:
    """A stored playbook, parsed. Rows are validated before every save, so this only fails if the
    format changed under them; the error then names the row."""
    return _parse_cached(row.source, f"playbook #{row.pk}")


@functools.lru_cache(maxsize=64)  # sources are ~20 KiB, 256 KiB at most
def _parse_cached(source: str, name: str) -> Playbook:
    return parse_playbook(source, source=name)


def organisations_for(user: User | None) -> list[Organisation]:
    return list(Organisation.objects.visible_to(user).order_by("name"))


def library_for(user: User | None, *, category: str = "") -> list[LibraryEntry]:
    """Shipped playbooks and the user's organisations' own, sorted by title."""
    rows = list(PlaybookRow.objects.visible_to(user).select_related("organisation"))
    own_keys = {row.key for row in rows}
    entries = [
        LibraryEntry(item.playbook, item.source, None, item.playbook.key in own_keys)
        for item in shipped_playbooks().values()
    ]
    for row in rows:
        try:
            entries.append(LibraryEntry(parse_row(row), row.source, row))
        except PlaybookError:
            continue  # cannot happen for rows saved through save_playbook
    if category:
        entries = [entry for entry in entries if category in entry.playbook.categories]
    return sorted(
        entries, key=lambda entry: (entry.playbook.title.fr.lower(), entry.row is not None)
    )


def check_can_manage(user: User | None, organisation: Organisation) -> None:
    if user is None:  # the platform itself (demo, commands), as in the other services
        return
    if not user.can(MANAGE_PLAYBOOKS):
        raise PermissionDenied(_("Your role does not allow managing playbooks."))
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You do not have access to this organisation."))


def _problems_error(error: PlaybookError) -> ValidationError:
    """The engine's problems as a ValidationError keyed by path, each message with its line."""
    fields: dict[str, list[str]] = {}
    for problem in error.problems:
        line = _("line %(line)s: ") % {"line": problem.line} if problem.line else ""
        fields.setdefault(problem.path, []).append(f"{line}{problem.message}")
    return ValidationError(fields or {"source": [str(error)]})


def check_size(source: str) -> None:
    if len(source.encode("utf-8", errors="replace")) > MAX_PLAYBOOK_BYTES:
        raise ValidationError(
            {
                "source": [
                    _("The playbook is larger than %(limit)s bytes.")
                    % {"limit": MAX_PLAYBOOK_BYTES}
                ]
            }
        )


@transaction.atomic
def save_playbook(
    user: User | None,
    source: str,
    *,
    organisation: Organisation | None = None,
    instance: PlaybookRow | None = None,
) -> PlaybookRow:
    """Create (``organisation``) or update (``instance``) an organisation's playbook.

    Raises :class:`PlaybookError` with every problem of the YAML, ``ValidationError`` for a key
    already used in the organisation. On update, when the author did not change the version,
    it is bumped (patch level, or today's date) in the stored YAML itself.
    """
    source = source.replace("\r\n", "\n")
    check_size(source)
    playbook = parse_playbook(source, source="playbook.yaml")
    if instance is None:
        if organisation is None:
            raise ValidationError({"organisation": [_("Choose an organisation.")]})
        check_can_manage(user, organisation)
        instance = PlaybookRow(organisation=organisation)
    else:
        check_can_manage(user, instance.organisation)
        instance = PlaybookRow.objects.select_for_update().get(pk=instance.pk)
        if playbook.version == instance.version and source != instance.source:
            new_version = bump_version(instance.version, timezone.localdate())
            source = replace_version(source, new_version)
            playbook = parse_playbook(source, source="playbook.yaml")
    duplicate = PlaybookRow.objects.filter(organisation=instance.organisation, key=playbook.key)
    if instance.pk:
        duplicate = duplicate.exclude(pk=instance.pk)
    if duplicate.exists():
        raise ValidationError(
            {
                "key": [
                    _("The organisation already has a playbook with the key “%(key)s”.")
                    % {"key": playbook.key}
                ]
            }
        )
    instance.key = playbook.key
    instance.title = playbook.title.fr[:300]
    instance.version = playbook.version
    instance.source = source
    instance.updated_by = user if getattr(user, "is_authenticated", False) else None
    instance.full_clean()
    instance.save()
    return instance


def save_playbook_or_errors(user: User | None, source: str, **kwargs: Any) -> PlaybookRow:
    """``save_playbook`` with YAML problems turned into a ValidationError keyed by path."""
    try:
        return save_playbook(user, source, **kwargs)
    except PlaybookError as error:
        raise _problems_error(error) from None


def _free_key(organisation: Organisation, wanted: str) -> str:
    taken = set(
        PlaybookRow.objects.filter(organisation=organisation, key__startswith=wanted).values_list(
            "key", flat=True
        )
    )
    if wanted not in taken:
        return wanted
    for number in range(2, 1000):
        candidate = f"{wanted[:90]}-copy-{number}" if number > 2 else f"{wanted[:94]}-copy"
        if candidate not in taken:
            return candidate
    raise ValidationError(_("Too many copies of this playbook."))


@transaction.atomic
def copy_playbook(
    user: User | None, organisation: Organisation, *, key: str = "", row: PlaybookRow | None = None
) -> PlaybookRow:
    """Copy a shipped playbook (``key``, keeping the key so the copy replaces it for the
    organisation) or one of the organisation's own (``row``, under a new key)."""
    check_can_manage(user, organisation)
    if row is not None:
        source, based_on = row.source, row.based_on
        new_key = _free_key(organisation, row.key)
    else:
        item = shipped(key)
        if item is None:
            raise ValidationError(_("Unknown playbook."))
        if PlaybookRow.objects.filter(organisation=organisation, key=key).exists():
            raise ValidationError(
                _("The organisation already has its own “%(key)s” playbook; edit it instead.")
                % {"key": key}
            )
        source, based_on, new_key = item.source, key, key
    if new_key != parse_playbook(source).key:
        source = replace_key(source, new_key)
    copy = save_playbook(user, source, organisation=organisation)
    copy.based_on = based_on
    copy.save(update_fields=["based_on"])
    return copy


@transaction.atomic
def mark_reviewed(user: User | None, row: PlaybookRow) -> PlaybookRow:
    """Record that the organisation reviewed this playbook now (the compliance probe reads it)."""
    check_can_manage(user, row.organisation)
    row.reviewed_at = timezone.now()
    row.updated_by = user
    row.save(update_fields=["reviewed_at", "updated_by", "updated_at"])
    return row


def is_review_due(row: PlaybookRow) -> bool:
    """Never reviewed, or last reviewed more than 12 months ago."""
    return row.reviewed_at is None or row.reviewed_at < timezone.now() - REVIEW_PERIOD


@transaction.atomic
def adopt_shipped(user: User | None, organisation: Organisation, key: str) -> PlaybookRow:
    """Copy a shipped playbook into the organisation and mark it reviewed, in one step."""
    return mark_reviewed(user, copy_playbook(user, organisation, key=key))


@transaction.atomic
def delete_playbook(user: User | None, row: PlaybookRow) -> None:
    check_can_manage(user, row.organisation)
    row.delete()


def validate_source(source: str) -> list[dict[str, Any]]:
    """The dry run: every problem of a YAML document, as dictionaries (empty when valid)."""
    if len(source.encode("utf-8", errors="replace")) > MAX_PLAYBOOK_BYTES:
        return [
            {
                "path": "(document)",
                "line": None,
                "column": None,
                "message": f"larger than {MAX_PLAYBOOK_BYTES} bytes",
            }
        ]
    try:
        parse_playbook(source, source="playbook.yaml")
    except PlaybookError as error:
        return [problem.to_dict() for problem in error.problems]
    return []


# ----------------------------------------------------------------------------------------------
# Incidents


def resolve_for_incident(incident: Incident, key: str) -> tuple[Playbook, str]:
    """The playbook ``key`` as the incident's organisation uses it: its own active copy first,
    then the shipped one."""
    row = PlaybookRow.objects.filter(
        organisation_id=incident.establishment.organisation_id, key=key, is_active=True
    ).first()
    if row is not None:
        return parse_row(row), row.source
    item = shipped(key)
    if item is None:
        raise ValidationError({"key": [_("Unknown playbook “%(key)s”.") % {"key": key}]})
    return item.playbook, item.source


def available_for_incident(incident: Incident) -> list[Playbook]:
    """Playbooks that can be applied: the organisation's active ones replace the shipped ones of
    the same key; those fitting the incident's category come first."""
    by_key = {key: item.playbook for key, item in shipped_playbooks().items()}
    rows = PlaybookRow.objects.filter(
        organisation_id=incident.establishment.organisation_id, is_active=True
    )
    for row in rows:
        try:
            by_key[row.key] = parse_row(row)
        except PlaybookError:
            continue
    applied = set(incident.playbooks.values_list("key", flat=True))
    candidates = [playbook for key, playbook in by_key.items() if key not in applied]
    return sorted(
        candidates, key=lambda p: (incident.category not in p.categories, p.title.fr.lower())
    )


def _task_description(playbook: Playbook, step: Step, language: str) -> str:
    parts = []
    if step.description:
        parts.append(step.description.get(language))
    if step.decision:
        parts.append(step.decision.question.get(language))
        parts.extend(f"- {option.get(language)}" for option in step.decision.options)
    for ref_id in step.references:
        reference = playbook.reference(ref_id)
        if reference is not None:
            # Stored in the task's language: a reader's words, never the developers' flag.
            flag = (
                ""
                if reference.is_verified
                else " (à vérifier sur le texte officiel)"
                if language == "fr"
                else " (to be checked against the official text)"
            )
            parts.append(f"{reference.id}: {reference.title}{flag}")
    if step.obligations:
        parts.append(
            ("Obligations : " if language == "fr" else "Obligations: ")
            + ", ".join(step.obligations)
        )
    if step.owner_role:
        parts.append(("Rôle : " if language == "fr" else "Role: ") + step.owner_role)
    return "\n".join(parts)


def _due_at(step: Step, discovered_at: datetime, now: datetime) -> datetime | None:
    if step.due_after is None:
        return None
    start = discovered_at if step.due_from == "discovery" else now
    return start + step.due_after


@transaction.atomic
def apply_playbook(user: User | None, incident: Incident, key: str) -> AppliedPlaybook:
    """Freeze the playbook on the incident and create one task per step (owner unset).

    Applying the same playbook twice to an incident is refused.
    """
    if user is not None and not user.can(MANAGE_INCIDENTS):
        raise PermissionDenied(_("Your role does not allow changing incidents."))
    # Lock the incident so two people applying at once cannot both pass the check below.
    incident = (
        Incident.objects.select_for_update().select_related("establishment").get(pk=incident.pk)
    )
    if AppliedPlaybook.objects.filter(incident=incident, key=key).exists():
        raise ValidationError({"key": [_("This playbook is already applied to the incident.")]})
    playbook, source = resolve_for_incident(incident, key)
    language = incident.establishment.default_language
    applied = AppliedPlaybook.objects.create(
        incident=incident,
        key=playbook.key,
        title=playbook.title.get(language)[:300],
        version=playbook.version,
        source=source,
        applied_by=user if getattr(user, "is_authenticated", False) else None,
    )
    now = timezone.now()
    start = (Task.objects.filter(incident=incident).aggregate(top=Max("order"))["top"] or 0) + 1
    tasks = [
        Task(
            incident=incident,
            title=step.title.get(language)[:300],
            description=_task_description(playbook, step, language),
            phase=phase.key,
            status=TaskStatus.TODO,
            due_at=_due_at(step, incident.discovered_at, now),
            is_decision=step.is_decision,
            applied_playbook=applied,
            step_key=step.id,
            order=start + index,
        )
        for index, (phase, step) in enumerate(playbook.steps())
    ]
    # One by one, not bulk_create: every task lands in the audit trail like any other change.
    for task in tasks:
        task.save()
    add_entry(
        incident,
        lambda: (
            _("Playbook “%(title)s” (version %(version)s) applied: %(count)s tasks created.")
            % {"title": applied.title, "version": applied.version, "count": len(tasks)}
        ),
    )
    return applied


def progress(
    applied: AppliedPlaybook, tasks: Iterable[Task] | None = None
) -> tuple[PhaseProgress, ...]:
    """Done/total per phase for an applied playbook; cancelled tasks are left out."""
    if tasks is None:
        tasks = applied.tasks.all()
    return phase_progress(
        [
            (task.phase, task.status == TaskStatus.DONE)
            for task in tasks
            if task.status != TaskStatus.CANCELLED
        ]
    )


def applied_with_progress(
    incident: Incident,
) -> list[tuple[AppliedPlaybook, tuple[PhaseProgress, ...]]]:
    applied = list(AppliedPlaybook.objects.filter(incident=incident).prefetch_related("tasks"))
    return [(item, progress(item, item.tasks.all())) for item in applied]


def organisation_coverage(
    organisation: Organisation, categories: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """For each category: the organisation's active playbook covering it that was reviewed most
    recently (key, version, reviewed_at), or None. Used by the compliance probe."""
    wanted = list(categories)
    best: dict[str, dict[str, Any]] = {category: {} for category in wanted}
    for row in PlaybookRow.objects.filter(organisation=organisation, is_active=True):
        try:
            playbook = parse_row(row)
        except PlaybookError:
            continue
        for category in wanted:
            if category not in playbook.categories:
                continue
            current = best[category]
            if not current or (
                row.reviewed_at
                and (current["reviewed_at"] is None or row.reviewed_at > current["reviewed_at"])
            ):
                best[category] = {
                    "key": row.key,
                    "version": row.version,
                    "reviewed_at": row.reviewed_at,
                }
    return best
