"""Notification drafts: generate from the incident, edit, move to final/sent, export.

Regeneration keeps what the team typed: every field a user edited is marked ``edited`` in the
stored content and survives a regeneration; ``reset=True`` discards the edits (see
docs/decisions). A sent draft is the record of what left the building: it can be exported but no
longer edited, regenerated or reopened.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core import audit, display
from hygie.core.models import User
from hygie.core.services.pdf import render_pdf
from hygie.response.choices import DraftKind, DraftStatus, TaskStatus, TimelineKind
from hygie.response.engine.drafts import (
    DRAFT_OBLIGATIONS,
    LANGUAGES,
    DraftError,
    DraftFacts,
    ObligationFact,
    apply_values,
    build_draft,
    merge_edits,
    suggested_kinds,
)
from hygie.response.models import (
    Incident,
    IncidentObligation,
    NotificationDraft,
    RegulatoryProfile,
)
from hygie.response.services.timeline import add_entry

JSON_SCHEMA = "hygie.response.draft/1"
EXPORT_FORMATS = ("pdf", "docx", "json")
TRANSITIONS = {
    DraftStatus.DRAFT: {DraftStatus.FINAL, DraftStatus.SENT},
    DraftStatus.FINAL: {DraftStatus.DRAFT, DraftStatus.SENT},
    DraftStatus.SENT: set(),
}


# --- the snapshot -------------------------------------------------------------------------------


def _person_label(user: User | None) -> tuple[str, str, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return "", "", ""
    name = user.get_full_name() or user.get_username()
    return name, str(user.get_role_display()), user.email or ""


def _account_name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _dpo_of(incident: Incident) -> Any:
    """The establishment's DPO account, if one is registered (staff contact, not a patient)."""
    return (
        User.objects.filter(role="dpo", is_active=True)
        .filter(Q(has_all_establishments=True) | Q(establishments=incident.establishment_id))
        .order_by("-has_all_establishments", "pk")
        .first()
    )


def obligation_facts(incident: Incident, language: str | None = None) -> tuple[ObligationFact, ...]:
    """The incident's obligations, their title and recipient in ``language`` (the draft's)."""
    return tuple(
        ObligationFact(
            o.obligation_id,
            o.text("title", language),
            o.applies,
            o.text("recipient", language),
            o.due_at,
            o.status,
            o.done_at,
        )
        for o in IncidentObligation.objects.filter(incident=incident)
    )


def incident_facts(incident: Incident, user: User | None, language: str) -> DraftFacts:
    """Everything the drafts engine may use, read from the incident at this moment."""
    establishment = incident.establishment
    profile = RegulatoryProfile.objects.filter(establishment=establishment).first()
    asset_counts: dict[str, int] = {}
    for kind in incident.assets.values_list("kind", flat=True):
        asset_counts[kind] = asset_counts.get(kind, 0) + 1
    done = incident.tasks.filter(status=TaskStatus.DONE).order_by("completed_at", "order", "pk")
    measures = [task.title + (f" — {task.decision}" if task.decision else "") for task in done]
    measures += [
        entry.text
        for entry in incident.timeline.filter(kind=TimelineKind.DECISION).order_by("at", "pk")
    ]
    declarant = _person_label(user)
    contacts = establishment.contacts()  # stored once on the establishment or organisation
    dpo = None if contacts["dpo_name"] else _dpo_of(incident)
    with translation.override(language):
        severity = str(incident.get_severity_display())
    return DraftFacts(
        reference=incident.reference,
        title=incident.title,
        category=incident.category,
        severity=severity,
        care_impact=incident.care_impact,
        status=incident.status,
        discovered_at=incident.discovered_at,
        generated_at=timezone.now(),
        establishment_name=establishment.name,
        country=establishment.country,
        timezone=establishment.timezone,
        finess=establishment.finess_eg or establishment.finess_ej,
        description=incident.description,
        occurred_at=incident.occurred_at,
        contained_at=incident.contained_at,
        recovered_at=incident.recovered_at,
        departments=tuple(incident.departments.order_by("name").values_list("name", flat=True)),
        affected_establishments=tuple(
            incident.affected_establishments.exclude(pk=establishment.pk)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        asset_counts=tuple(sorted(asset_counts.items())),
        data_categories=tuple(incident.data_categories or ()),
        individuals=incident.individuals_affected,
        personal_data=incident.personal_data,
        risk=incident.risk_to_individuals,
        data_encrypted=incident.data_encrypted,
        measures=tuple(measures),
        root_cause=incident.root_cause,
        iocs=tuple(incident.observables.filter(is_ioc=True).values_list("kind", "value")),
        residents_by_state=tuple(
            sorted((str(k), int(v)) for k, v in (incident.residents_by_state or {}).items())
        ),
        obligations=obligation_facts(incident, language),
        nis2_class=profile.nis2 if profile else "none",
        declarant_name=declarant[0],
        declarant_role=declarant[1],
        declarant_email=declarant[2],
        dpo_name=contacts["dpo_name"] or _account_name(dpo),
        dpo_email=contacts["dpo_email"] or (dpo.email if dpo else ""),
        dpo_phone=contacts["dpo_phone"],
        rssi_name=contacts["rssi_name"],
        rssi_email=contacts["rssi_email"],
        rssi_phone=contacts["rssi_phone"],
        on_call_phone=contacts["on_call_phone"],
        legal_representative_name=contacts["legal_representative_name"],
        legal_representative_title=contacts["legal_representative_title"],
        postal_address=contacts["postal_address"],
    )


# --- queries ------------------------------------------------------------------------------------


def suggested_draft_kinds(incident: Incident) -> list[str]:
    return [kind.value for kind in suggested_kinds(obligation_facts(incident))]


def matching_obligation(draft: NotificationDraft) -> IncidentObligation | None:
    """The obligation this draft serves (the one its sending may prove), if assessed."""
    # The mapping is keyed by the engine's StrEnum, which hashes and compares as its text:
    # looking the stored text up works, but mypy's Mapping is invariant in its key type.
    ids = DRAFT_OBLIGATIONS.get(draft.kind, ())  # type: ignore[call-overload]
    obligations = {
        o.obligation_id: o
        for o in IncidentObligation.objects.filter(
            incident_id=draft.incident_id, obligation_id__in=ids
        )
    }
    applying = [obligations[i] for i in ids if i in obligations and obligations[i].applies]
    return (
        applying[0] if applying else next((obligations[i] for i in ids if i in obligations), None)
    )


def to_complete_count(content: dict[str, Any]) -> int:
    return sum(
        1
        for group in content.get("groups", [])
        for item in group.get("fields", [])
        if item.get("to_complete")
    )


# --- writes -------------------------------------------------------------------------------------


def _check_kind_language(kind: str, language: str) -> None:
    errors = {}
    if kind not in DraftKind.values:
        errors["kind"] = [_("Unknown kind of draft.")]
    if language not in LANGUAGES:
        errors["language"] = [_("The language must be fr or en.")]
    if errors:
        raise ValidationError(errors)


def _kind_label(kind: str) -> str:
    return str(DraftKind(kind).label)


@transaction.atomic
def generate_draft(
    incident: Incident, kind: str, language: str, user: User | None, *, reset: bool = False
) -> tuple[NotificationDraft, bool]:
    """Create the draft, or regenerate it from the incident's current facts.

    Returns ``(draft, created)``. Values the user edited are kept unless ``reset``; a final
    draft goes back to draft (its content changed); a sent draft is refused.
    """
    _check_kind_language(kind, language)
    fresh = build_draft(incident_facts(incident, user, language), kind, language).to_dict()
    fresh["generated_at"] = timezone.now().isoformat()
    draft = (
        NotificationDraft.objects.select_for_update()
        .filter(incident=incident, kind=kind, language=language)
        .first()
    )
    actor = user if getattr(user, "is_authenticated", False) else None
    if draft is None:
        fresh["history"] = [_history("generated", actor)]
        draft = NotificationDraft.objects.create(
            incident=incident,
            kind=kind,
            language=language,
            content=fresh,
            created_by=actor,
            updated_by=actor,
        )
        add_entry(
            incident,
            lambda: (
                _("Notification draft created: %(kind)s (%(language)s).")
                % {"kind": _kind_label(kind), "language": language}
            ),
            author=actor,
        )
        return draft, True
    if draft.status == DraftStatus.SENT:
        raise ValidationError(
            _("This draft was sent: it is kept as it was sent and cannot be regenerated.")
        )
    content = fresh if reset else merge_edits(fresh, draft.content)
    content["history"] = [
        *draft.content.get("history", []),
        _history("reset" if reset else "regenerated", actor),
    ]
    draft.content = content
    draft.status = DraftStatus.DRAFT
    draft.updated_by = actor
    draft.save()
    add_entry(
        incident,
        lambda: (
            (
                _("Notification draft regenerated from scratch: %(kind)s (%(language)s).")
                if reset
                else _("Notification draft regenerated, edits kept: %(kind)s (%(language)s).")
            )
            % {"kind": _kind_label(kind), "language": language}
        ),
        author=actor,
    )
    return draft, False


def _history(event: str, user: User | None, **extra: Any) -> dict[str, Any]:
    return {
        "event": event,
        "at": timezone.now().isoformat(),
        "by": (user.get_username() if user is not None else ""),
        **extra,
    }


@transaction.atomic
def update_draft(draft: NotificationDraft, values: dict[str, str], user: User | None) -> int:
    """Write field values (``"group.field"`` → text); returns how many changed."""
    draft = NotificationDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status == DraftStatus.SENT:
        raise ValidationError(_("This draft was sent: it can no longer be edited."))
    try:
        content = apply_values(draft.content, values)
    except DraftError as error:
        raise ValidationError({"values": [str(error)]}) from None
    changed = sum(
        1
        for group, old in zip(content["groups"], draft.content.get("groups", []), strict=False)
        for new_field, old_field in zip(group["fields"], old["fields"], strict=False)
        if new_field.get("value") != old_field.get("value")
    )
    if not changed:
        return 0
    actor = user if getattr(user, "is_authenticated", False) else None
    draft.content = content
    draft.updated_by = actor
    draft.save(update_fields=["content", "updated_by", "updated_at"])
    add_entry(
        draft.incident,
        lambda: (
            _("Notification draft edited: %(kind)s (%(language)s), %(count)d field(s).")
            % {"kind": _kind_label(draft.kind), "language": draft.language, "count": changed}
        ),
        author=actor,
    )
    return changed


@transaction.atomic
def set_status(draft: NotificationDraft, status: str, user: User | None) -> NotificationDraft:
    """draft ⇄ final → sent. Sending is recorded on the incident's timeline."""
    draft = NotificationDraft.objects.select_for_update().get(pk=draft.pk)
    if status not in DraftStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status == draft.status:
        return draft
    if status not in TRANSITIONS[DraftStatus(draft.status)]:
        raise ValidationError(
            {
                "status": [
                    _("A draft cannot go from %(old)s to %(new)s.")
                    % {"old": draft.get_status_display(), "new": DraftStatus(status).label}
                ]
            }
        )
    actor = user if getattr(user, "is_authenticated", False) else None
    draft.status = status
    draft.updated_by = actor
    draft.content = {
        **draft.content,
        "history": [*draft.content.get("history", []), _history(status, actor)],
    }
    if status == DraftStatus.SENT:
        draft.content["sent_at"] = timezone.now().isoformat()
    draft.save(update_fields=["status", "content", "updated_by", "updated_at"])
    if status == DraftStatus.SENT:
        text = _("Notification sent: %(kind)s (%(language)s) to %(recipient)s.") % {
            "kind": _kind_label(draft.kind),
            "language": draft.language,
            "recipient": draft.content.get("recipient", ""),
        }
        add_entry(draft.incident, text, kind=TimelineKind.LOG, author=actor)
    else:
        add_entry(
            draft.incident,
            lambda: (
                _("Notification draft marked %(status)s: %(kind)s (%(language)s).")
                % {
                    "status": draft.get_status_display(),
                    "kind": _kind_label(draft.kind),
                    "language": draft.language,
                }
            ),
            author=actor,
        )
    return draft


# --- exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    content_type: str
    filename: str


def _filename(draft: NotificationDraft, extension: str) -> str:
    return f"{draft.incident.reference}-{draft.kind}-{draft.language}.{extension}"


def export_json(draft: NotificationDraft) -> bytes:
    content = draft.content
    document = {
        "schema": JSON_SCHEMA,
        "incident": {
            "reference": draft.incident.reference,
            "establishment": draft.incident.establishment.name,
        },
        "kind": draft.kind,
        "language": draft.language,
        "status": draft.status,
        "title": content.get("title", ""),
        "recipient": content.get("recipient", ""),
        "legal_basis": content.get("legal_basis", ""),
        "notes": content.get("notes", []),
        "generated_at": content.get("generated_at", ""),
        "sent_at": content.get("sent_at"),
        "exported_at": timezone.now().isoformat(),
        "to_complete": to_complete_count(content),
        "groups": [
            {
                "key": g["key"],
                "title": g["title"],
                "fields": [
                    {k: item.get(k) for k in ("key", "label", "value", "to_complete", "help")}
                    for item in g["fields"]
                ],
            }
            for g in content.get("groups", [])
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# Audit messages of the response module, translated when the trail is read (hygie.core.display).
display.register_audit_messages(
    gettext_noop("notification draft exported (%(format)s)"),
    gettext_noop("breach register exported (%(format)s): %(count)s rows"),
    gettext_noop("incident evidence downloaded (%(reference)s)"),
)


def css_safe(text: str) -> str:
    """Text for a CSS string (the page footer): no quotes, backslashes or markup."""
    return re.sub(r"[^\w .·:/()-]", "", text)[:120]


def _print_context(draft: NotificationDraft) -> dict[str, Any]:
    chrome = _chrome(draft)
    missing = to_complete_count(draft.content)
    status = DraftStatus(draft.status)
    with translation.override(draft.language):
        status_label = str(status.label)
    notes, notes_to_check = _notes(draft.content)
    return {
        "t": chrome,
        "notes": notes,
        "notes_to_check": notes_to_check,
        "status_label": status_label,
        "count_text": chrome["count"].format(n=missing),
        "generated_text": chrome["generated"].format(
            at=formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
            + timezone.localtime().strftime(" %Z")
        ),
        "draft": draft,
        "content": draft.content,
        "incident": draft.incident,
        "to_complete": to_complete_count(draft.content),
        "exported_at": timezone.now(),
        "lang": draft.language,
        "footer": css_safe(f"{draft.incident.reference} · {draft.content.get('title', '')}"),
    }


def export_pdf(draft: NotificationDraft) -> bytes:
    with translation.override(draft.language):
        return render_pdf("response/print/draft.html", _print_context(draft))


# The document's own words follow the draft's language, not the reader's interface: a French
# declaration is French from title to footer (held here as data, like the engine's labels).
_CHROME = {
    "fr": {
        "to_complete": "À COMPLÉTER",
        "incident": "Incident",
        "recipient": "Destinataire",
        "basis": "Base légale",
        "status": "Statut",
        "notes": "Notes",
        "count": "{n} champ(s) à compléter avant envoi (surlignés).",
        "generated": "Document généré par Hygie le {at}.",
        "to_check": "* À vérifier sur le texte officiel.",
    },
    "en": {
        "to_complete": "TO COMPLETE",
        "incident": "Incident",
        "recipient": "Recipient",
        "basis": "Legal basis",
        "status": "Status",
        "notes": "Notes",
        "count": "{n} field(s) to complete before sending (highlighted).",
        "generated": "Generated by Hygie on {at}.",
        "to_check": "* To be checked against the official text.",
    },
}


def _notes(content: dict[str, Any]) -> tuple[list[str], bool]:
    """The draft's notes for a document: developer flags (UNVERIFIED) become a footnote mark
    (``*``, explained once by the chrome's ``to_check`` line); whether any note has one."""
    notes = [display.to_check_text(note) for note in content.get("notes", [])]
    return notes, any(display.split_to_check(note)[1] for note in content.get("notes", []))


def _chrome(draft: NotificationDraft) -> dict[str, str]:
    return _CHROME["fr" if draft.language == "fr" else "en"]


def export_docx(draft: NotificationDraft) -> bytes:
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    text = _chrome(draft)
    content = draft.content
    document = Document()
    document.core_properties.title = content.get("title", "")
    document.core_properties.subject = draft.incident.reference
    document.add_heading(content.get("title", ""), level=0)
    meta = document.add_paragraph()
    for label, value in (
        (text["incident"], draft.incident.reference),
        (text["recipient"], content.get("recipient", "")),
        (text["basis"], content.get("legal_basis", "")),
        (text["status"], draft.get_status_display()),
    ):
        meta.add_run(f"{label} : " if draft.language == "fr" else f"{label}: ").bold = True
        meta.add_run(f"{value}\n")
    missing = to_complete_count(content)
    if missing:
        run = document.add_paragraph().add_run(text["count"].format(n=missing))
        run.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for group in content.get("groups", []):
        document.add_heading(group["title"], level=1)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for item in group["fields"]:
            row = table.add_row().cells
            row[0].paragraphs[0].add_run(item["label"]).bold = True
            paragraph = row[1].paragraphs[0]
            if item.get("to_complete"):
                run = paragraph.add_run(f"[{text['to_complete']}]")
                run.bold = True
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                if item.get("help"):
                    hint = paragraph.add_run(f" {item['help']}")
                    hint.italic = True
                    hint.font.size = Pt(9)
                    hint.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            else:
                lines = str(item.get("value", "")).split("\n")
                for index, line in enumerate(lines):
                    run = paragraph.add_run(line)
                    if index < len(lines) - 1:
                        run.add_break()
    if content.get("notes"):
        document.add_heading(text["notes"], level=2)
        notes, flagged = _notes(content)
        for note in notes:
            document.add_paragraph(note, style="List Bullet")
        if flagged:
            document.add_paragraph(text["to_check"])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export_draft(draft: NotificationDraft, fmt: str) -> ExportFile:
    """The draft as a downloadable file; the download is recorded in the audit trail."""
    if fmt == "pdf":
        result = ExportFile(export_pdf(draft), "application/pdf", _filename(draft, "pdf"))
    elif fmt == "docx":
        result = ExportFile(
            export_docx(draft),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _filename(draft, "docx"),
        )
    elif fmt == "json":
        result = ExportFile(export_json(draft), "application/json", _filename(draft, "json"))
    else:
        raise ValidationError({"format": [_("Export as pdf, docx or json.")]})
    audit.record(
        "export",
        draft,
        establishment_id=draft.incident.establishment_id,
        message=f"notification draft exported ({fmt})",
    )
    return result
