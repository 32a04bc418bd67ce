"""GDPR registers: the record of processing activities (art. 30) and DPIAs (art. 35), shared
by the pages, the API and the demo. Writes go through ``hygie.core.services.crud`` (scoping,
validation and the audit trail in one transaction); exports are audited.

The breach register (art. 33(5)) belongs to the response module, which compliance never
imports: the pages link to it by URL name and show the stored results of the probes informing
the ``hygie.incident.breach_register`` control.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from hygie.compliance.engine import dpia as engine
from hygie.compliance.engine.registers import Preset, parse_presets
from hygie.compliance.models import DPIA, DPIARisk, ProbeRun, ProcessingActivity
from hygie.compliance.models.registers import (
    PRINCIPLE_GROUP_LABELS,
    PRINCIPLE_LABELS,
    DPIACriterion,
    DPIAStatus,
    DPODecision,
    Evaluation,
    ProcessingStatus,
    RiskKind,
    RiskLevel,
    RiskZone,
    contact_defaults,
)
from hygie.core import audit
from hygie.core.charts import GridPoint, render_grid
from hygie.core.registries import ProbeResult, landing_panels, probes
from hygie.core.services import crud
from hygie.core.services.pdf import render_pdf
from hygie.lib.spreadsheet import csv_writer, spreadsheet_cell

if TYPE_CHECKING:
    from hygie.core.models import Establishment, Organisation, User

PRESETS_FILE = Path(__file__).resolve().parents[1] / "library" / "registers" / "presets.yaml"
BREACH_CONTROL = "hygie.incident.breach_register"
BREACH_REGISTER_URL_NAME = "response:breach_register"
EXPORT_FORMATS = ("csv", "xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RISK_SHORT = {"illegitimate_access": "A", "unwanted_modification": "M", "disappearance": "D"}
ZONE_STATUS = {
    engine.Zone.ACCEPTABLE: "ok",
    engine.Zone.TO_REDUCE: "warning",
    engine.Zone.UNACCEPTABLE: "critical",
    engine.Zone.NOT_ASSESSED: "neutral",
}

FINDING_MESSAGES = {
    engine.Issue.PRINCIPLE_NOT_ASSESSED: gettext_lazy("Principle not assessed: %(subject)s."),
    engine.Issue.PRINCIPLE_UNACCEPTABLE: gettext_lazy(
        "Principle judged unacceptable: %(subject)s. Correct it before validation."
    ),
    engine.Issue.RISK_NOT_ASSESSED: gettext_lazy(
        "%(subject)s: severity and likelihood are not both assessed."
    ),
    engine.Issue.RESIDUAL_NOT_ASSESSED: gettext_lazy(
        "%(subject)s: the residual risk (after measures) is not assessed."
    ),
    engine.Issue.RESIDUAL_ABOVE_INITIAL: gettext_lazy(
        "%(subject)s: the residual level is above the initial one; measures do not make a risk "
        "worse."
    ),
    engine.Issue.NO_MEASURES: gettext_lazy(
        "%(subject)s: the risk is not negligible but no measure is described."
    ),
    engine.Issue.RESIDUAL_UNACCEPTABLE: gettext_lazy(
        "%(subject)s: the residual risk stays high; the CNIL must be consulted before the "
        "processing starts (GDPR art. 36)."
    ),
    engine.Issue.MISSING_RISK: gettext_lazy("%(subject)s: the feared event is missing."),
    engine.Issue.NO_ACTION_PLAN: gettext_lazy(
        "Planned measures lower some risks but the action plan is empty."
    ),
}


# --- presets ---------------------------------------------------------------------------------


@cache
def presets() -> tuple[Preset, ...]:
    """The health presets shipped with Hygie (a broken file is a bug: the tests read it)."""
    return parse_presets(PRESETS_FILE.read_text(encoding="utf-8"), PRESETS_FILE.name)


def preset(key: str) -> Preset | None:
    return next((item for item in presets() if item.key == key), None)


def preset_initial(key: str, establishment: Establishment | None = None) -> dict[str, Any]:
    """The add form's initial values from a preset, in the active language ({} if unknown)."""
    found = preset(key)
    if found is None:
        return {}
    values = found.values(translation.get_language())
    if establishment is not None:
        values["establishment"] = establishment.pk
        values.update(contact_defaults(establishment))
    return values


def create_from_preset(
    establishment: Establishment, key: str, user: User | None, **overrides: Any
) -> ProcessingActivity:
    """A new entry of the record prefilled from a preset (API, demo)."""
    values = preset_initial(key)
    if not values:
        raise ValidationError({"preset": [_("Unknown preset.")]})
    values.pop("establishment", None)
    values.update(overrides)
    activity = ProcessingActivity(establishment=establishment, created_by=user)
    return crud.save_instance(activity, user, **values)


# --- DPIA scoring ----------------------------------------------------------------------------


def evaluations(dpia: DPIA) -> dict[str, str]:
    return {key: dpia.principle(key)["evaluation"] for key in engine.PRINCIPLE_KEYS}


def assess(dpia: DPIA, risks: Sequence[DPIARisk] | None = None) -> engine.Assessment:
    rows = list(risks) if risks is not None else list(dpia.risks.all())
    return engine.assess(
        evaluations(dpia),
        [risk.as_input() for risk in rows],
        has_action_plan=bool(dpia.action_plan.strip()),
    )


def finding_messages(assessment: engine.Assessment) -> list[tuple[str, bool]]:
    """Each finding in words, with whether it blocks the validation."""
    kinds = dict(RiskKind.choices)
    messages = []
    for finding in assessment.findings:
        subject = PRINCIPLE_LABELS.get(finding.subject) or kinds.get(finding.subject) or ""
        text = str(FINDING_MESSAGES[finding.issue]) % {"subject": subject}
        messages.append((text, finding.blocking))
    return messages


def zone_label(zone: engine.Zone) -> str:
    return str(dict(RiskZone.choices)[zone.value])


def risk_map(dpia: DPIA, risks: Sequence[DPIARisk], chart_id: str = "risk-map") -> SafeString:
    """The risk map (severity × likelihood) with each feared event before and after measures."""
    levels = [str(label) for _value, label in RiskLevel.choices]
    zones = [
        [ZONE_STATUS[engine.zone(s, li)] for li in range(1, 5)] for s in range(1, 5)
    ]  # zones[severity - 1][likelihood - 1]
    kinds = dict(RiskKind.choices)
    points = []
    for point in engine.map_points([risk.as_input() for risk in risks]):
        name = kinds.get(point.kind, point.kind)
        label = (
            _("%(risk)s, after the planned measures") if point.residual else _("%(risk)s, initial")
        ) % {"risk": name}
        points.append(
            GridPoint(
                column=int(point.likelihood) - 1,
                row=int(point.severity) - 1,
                short=RISK_SHORT.get(point.kind, "?"),
                label=str(label),
                filled=point.residual,
            )
        )
    return render_grid(
        _("Risk map"),
        _(
            "Severity (rows) against likelihood (columns) of each feared event: hollow marks "
            "before measures, filled marks after the planned measures. A: illegitimate access, "
            "M: unwanted modification, D: disappearance."
        ),
        levels,
        levels,
        zones,
        points,
        chart_id,
        column_axis=_("Likelihood"),
        row_axis=_("Severity"),
        zone_labels={status: zone_label(zone) for zone, status in ZONE_STATUS.items()},
        mark_header=_("Feared event"),
        zone_header=_("Zone"),
    )


def principle_rows(dpia: DPIA) -> list[dict[str, Any]]:
    evaluations_labels = dict(Evaluation.choices)
    rows = []
    for principle in engine.PRINCIPLES:
        answer = dpia.principle(principle.key)
        rows.append(
            {
                "key": principle.key,
                "group": str(PRINCIPLE_GROUP_LABELS[principle.group]),
                "label": str(PRINCIPLE_LABELS[principle.key]),
                "article": principle.article,
                "evaluation": answer["evaluation"],
                "evaluation_label": str(evaluations_labels.get(answer["evaluation"], "")),
                "comment": answer["comment"],
            }
        )
    return rows


def risk_rows(risks: Sequence[DPIARisk], assessment: engine.Assessment) -> list[dict[str, Any]]:
    outcomes = {outcome.kind: outcome for outcome in assessment.risks}
    rows = []
    for risk in risks:
        outcome = outcomes.get(risk.kind)
        rows.append(
            {
                "risk": risk,
                "initial_zone": outcome.initial.value if outcome else "not_assessed",
                "initial_label": zone_label(outcome.initial) if outcome else "",
                "residual_zone": outcome.residual.value if outcome else "not_assessed",
                "residual_label": zone_label(outcome.residual) if outcome else "",
            }
        )
    return rows


# --- DPIA writes -----------------------------------------------------------------------------


def update_principles(dpia: DPIA, user: User | None, answers: dict[str, tuple[str, str]]) -> DPIA:
    """Set the evaluation and comment of principles (``{key: (evaluation, comment)}``)."""
    allowed = set(Evaluation.values)
    principles = dict(dpia.principles) if isinstance(dpia.principles, dict) else {}
    for key, (evaluation, comment) in answers.items():
        if key not in engine.PRINCIPLE_KEYS:
            raise ValidationError({"principles": [_("Unknown principle.")]})
        if evaluation not in allowed:
            raise ValidationError({"principles": [_("Unknown evaluation.")]})
        principles[key] = {"evaluation": evaluation, "comment": comment.strip()[:5000]}
    with transaction.atomic():
        dpia.reopen()
        return crud.save_instance(dpia, user, principles=principles)


RISK_FIELDS = (
    "sources",
    "threats",
    "impacts",
    "existing_measures",
    "planned_measures",
    "severity",
    "likelihood",
    "residual_severity",
    "residual_likelihood",
)


def update_risk(risk: DPIARisk, user: User | None, **fields: Any) -> DPIARisk:
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise ValidationError({"risk": [_("Unknown field.")]})
    with transaction.atomic():
        dpia = risk.dpia
        saved = crud.save_instance(risk, user, **fields)
        dpia.reopen()
        crud.save_instance(dpia, user)
    return saved


def submit(dpia: DPIA, user: User | None) -> DPIA:
    """Hand the DPIA to the DPO; refused while something blocks the validation."""
    if dpia.status == DPIAStatus.VALIDATED:
        raise ValidationError(_("This DPIA is already validated."))
    assessment = assess(dpia)
    if not assessment.is_ready_for_validation:
        raise ValidationError([text for text, blocking in finding_messages(assessment) if blocking])
    return crud.save_instance(dpia, user, status=DPIAStatus.SUBMITTED)


def validate(dpia: DPIA, user: User, decision: str, opinion: str) -> DPIA:
    """Record the DPO's opinion: favourable (with or without reservations) validates the DPIA,
    unfavourable sends it back for revision. Who and when are recorded."""
    if decision not in (
        DPODecision.FAVOURABLE,
        DPODecision.WITH_RESERVATIONS,
        DPODecision.UNFAVOURABLE,
    ):
        raise ValidationError({"dpo_decision": [_("Choose an opinion.")]})
    if decision != DPODecision.FAVOURABLE and not opinion.strip():
        raise ValidationError({"dpo_opinion": [_("Explain the reservations or the refusal.")]})
    if dpia.status != DPIAStatus.SUBMITTED:
        raise ValidationError(_("Only a DPIA submitted to the DPO can receive an opinion."))
    if decision != DPODecision.UNFAVOURABLE and not assess(dpia).is_ready_for_validation:
        raise ValidationError(_("This DPIA is not complete enough to be validated."))
    status = DPIAStatus.TO_REVISE if decision == DPODecision.UNFAVOURABLE else DPIAStatus.VALIDATED
    return crud.save_instance(
        dpia,
        user,
        status=status,
        dpo_decision=decision,
        dpo_opinion=opinion.strip(),
        validated_by=user,
        validated_at=timezone.now(),
    )


# --- the record as rows, and its exports -----------------------------------------------------


REGISTER_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("reference", gettext_lazy("Reference")),
    ("name", gettext_lazy("Processing activity")),
    ("establishment", gettext_lazy("Establishment")),
    ("status", gettext_lazy("Status")),
    ("controller", gettext_lazy("Controller")),
    ("joint_controllers", gettext_lazy("Joint controllers")),
    ("dpo", gettext_lazy("Data protection officer")),
    ("purposes", gettext_lazy("Purposes")),
    ("legal_basis", gettext_lazy("Legal basis (art. 6)")),
    ("legal_basis_details", gettext_lazy("Legal basis details")),
    ("special_category_exception", gettext_lazy("Art. 9(2) exception")),
    ("data_subjects", gettext_lazy("Categories of data subjects")),
    ("data_categories", gettext_lazy("Categories of personal data")),
    ("special_categories", gettext_lazy("Special categories of data")),
    ("data_source", gettext_lazy("Source of the data")),
    ("recipients_internal", gettext_lazy("Internal recipients")),
    ("recipients_external", gettext_lazy("External recipients")),
    ("processors", gettext_lazy("Processors")),
    ("transfers", gettext_lazy("Transfers outside the EU and safeguards")),
    ("retention", gettext_lazy("Retention periods")),
    ("security_measures", gettext_lazy("Security measures")),
    ("dpia", gettext_lazy("DPIA")),
    ("created_at", gettext_lazy("Created")),
    ("updated_at", gettext_lazy("Last updated")),
)


@dataclass(frozen=True)
class RegisterRow:
    activity: ProcessingActivity
    cells: dict[str, Any]


def _dpia_summary(activity: ProcessingActivity) -> str:
    dpias = list(activity.dpias.all())
    if dpias:
        return "; ".join(f"{d.title} ({d.get_status_display()})" for d in dpias)
    if activity.is_dpia_required:
        return _("Required, not started")
    return _("Not required by the criteria")


def register_rows(activities: Iterable[ProcessingActivity]) -> list[RegisterRow]:
    rows = []
    for activity in activities:
        transfers = (
            activity.transfers if activity.transfers_outside_eu else _("No transfer outside the EU")
        )
        cells: dict[str, Any] = {
            "reference": activity.reference,
            "name": activity.name,
            "establishment": activity.establishment.name,
            "status": activity.get_status_display(),
            "controller": activity.controller or activity.establishment.name,
            "joint_controllers": activity.joint_controllers,
            "dpo": activity.dpo,
            "purposes": activity.purposes,
            "legal_basis": activity.get_legal_basis_display(),
            "legal_basis_details": activity.legal_basis_details,
            "special_category_exception": activity.get_special_category_exception_display()
            if activity.has_special_categories
            else "",
            "data_subjects": activity.data_subjects,
            "data_categories": activity.data_categories,
            "special_categories": activity.special_categories,
            "data_source": activity.data_source,
            "recipients_internal": activity.recipients_internal,
            "recipients_external": activity.recipients_external,
            "processors": activity.processors,
            "transfers": transfers,
            "retention": activity.retention,
            "security_measures": activity.security_measures,
            "dpia": _dpia_summary(activity),
            "created_at": activity.created_at,
            "updated_at": activity.updated_at,
        }
        rows.append(RegisterRow(activity, cells))
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return spreadsheet_cell(value)


def _pdf_text(value: Any) -> str:
    if isinstance(value, datetime):  # the reader's format (decision 0025); exports keep ISO
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return "" if value is None else str(value)


def _record_export(activities: QuerySet[ProcessingActivity], what: str, fmt: str) -> None:
    targets: list[int | None] = [
        *sorted(set(activities.order_by().values_list("establishment_id", flat=True)))
    ]
    for establishment_id in targets or [None]:
        audit.record(
            "export",
            None,
            object_type="compliance.processingactivity",
            object_repr="GDPR record of processing activities",
            establishment_id=establishment_id,
            message=f"{what} exported ({fmt})",
        )


def export_register(activities: QuerySet[ProcessingActivity], fmt: str) -> tuple[bytes, str, str]:
    """The record as (bytes, content type, file name), for auditors; audited."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": [_("Export as csv, xlsx or pdf.")]})
    queryset = activities.select_related("establishment").prefetch_related("dpias")
    rows = register_rows(queryset)
    headers = [str(label) for _key, label in REGISTER_COLUMNS]
    stamp = timezone.localdate().isoformat()
    name = f"processing-register-{stamp}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(row.cells[key]) for key, _label in REGISTER_COLUMNS])
        # A BOM so that spreadsheet software reads UTF-8 accents correctly.
        result = (("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", name)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.worksheets[0]
        sheet.title = _("Register")[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row.cells[key]) for key, _label in REGISTER_COLUMNS])
        for index, column in enumerate(sheet.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 28
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "C2"
        output = io.BytesIO()
        workbook.save(output)
        result = (output.getvalue(), XLSX_TYPE, name)
    else:
        data = render_pdf(
            "compliance/registers/print/register.html",
            {
                "sections": [
                    (
                        " — ".join(filter(None, (row.activity.reference, row.activity.name))),
                        [
                            (label, _pdf_text(row.cells[key]))
                            for key, label in REGISTER_COLUMNS
                            if key not in ("reference", "name")
                        ],
                    )
                    for row in rows
                ],
                "generated_at": timezone.now(),
                "establishments": sorted({row.activity.establishment.name for row in rows}),
            },
        )
        result = (data, "application/pdf", name)
    _record_export(activities, "record of processing activities", fmt)
    return result


def dpia_document_context(dpia: DPIA) -> dict[str, Any]:
    risks = list(dpia.risks.all())
    assessment = assess(dpia, risks)
    return {
        "dpia": dpia,
        "principles": principle_rows(dpia),
        "risks": risk_rows(risks, assessment),
        "assessment": assessment,
        "findings": finding_messages(assessment),
        "risk_map": risk_map(dpia, risks),
        "worst_residual": zone_label(assessment.worst_residual),
        "criteria": [
            label
            for value, label in DPIACriterion.choices
            if value in (dpia.processing.dpia_criteria or [])
        ],
    }


def export_dpia_pdf(dpia: DPIA) -> tuple[bytes, str, str]:
    context = {**dpia_document_context(dpia), "generated_at": timezone.now()}
    data = render_pdf("compliance/registers/print/dpia.html", context)
    audit.record("export", dpia, message="DPIA exported (pdf)")
    return data, "application/pdf", f"dpia-{dpia.pk}-{timezone.localdate().isoformat()}.pdf"


# --- the breach register, kept by the response module -----------------------------------------


@dataclass(frozen=True)
class BreachEvidence:
    establishment: str
    title: str
    status: str
    status_label: str
    summary: str
    ran_at: datetime


def breach_register_evidence(user: User) -> list[BreachEvidence]:
    """The latest stored result of each probe informing the breach register control, per
    establishment the user sees (computed by the probe runs, not duplicated here)."""
    probe_ids = [key for key, probe in probes.items() if BREACH_CONTROL in probe.controls]
    runs = (
        ProbeRun.objects.visible_to(user)
        .filter(probe_id__in=probe_ids)
        .select_related("establishment")
        .order_by("establishment__name", "probe_id", "-ran_at")
    )
    latest: dict[tuple[int, str], ProbeRun] = {}
    for run in runs[:500]:
        latest.setdefault((run.establishment_id, run.probe_id), run)
    return [
        BreachEvidence(
            establishment=run.establishment.name,
            title=run.title_display,
            status=run.status,
            status_label=run.get_status_display(),
            summary=run.summary_display,
            ran_at=run.ran_at,
        )
        for run in latest.values()
    ]


BREACH_PANEL = "response.breach_register"


def breach_register_counts(user: User) -> dict[str, int] | None:
    """How many breaches the response module's register holds for this user (total, still
    open), read through its landing panel in the core registry; None when that module is not
    installed or the user may not see it."""
    if BREACH_PANEL not in landing_panels:
        return None
    panel = landing_panels.get(BREACH_PANEL)
    if panel.capability and not user.can(panel.capability):
        return None
    context = panel.context(user) or {}
    total, still_open = context.get("total"), context.get("open")
    if not isinstance(total, int) or not isinstance(still_open, int):
        return None
    return {"total": total, "open": still_open}


# --- probes (registered in ``hygie/compliance/probes.py``) ----------------------------------


def _probe_result(
    status: str, msgid: str, params: dict[str, Any], data: dict[str, Any]
) -> ProbeResult:
    return ProbeResult.translatable(status, msgid, params, data)


def processing_register_kept(establishment: Establishment) -> ProbeResult:
    """The establishment keeps a record of processing activities (GDPR art. 30): at least one
    entry not ended, each with its legal basis, retention and security measures (the form
    requires them)."""
    statuses = list(
        ProcessingActivity.objects.filter(establishment=establishment).values_list(
            "status", flat=True
        )
    )
    current = [status for status in statuses if status != ProcessingStatus.RETIRED]
    data: dict[str, Any] = {
        "entries": len(statuses),
        "in_operation": statuses.count(ProcessingStatus.ACTIVE),
        "drafts": statuses.count(ProcessingStatus.DRAFT),
    }
    if not current:
        return _probe_result(
            "fail",
            gettext_noop("No processing activity is recorded for this establishment."),
            {},
            data,
        )
    if not data["in_operation"]:
        return _probe_result(
            "partial",
            gettext_noop("%(count)s processing activity(ies) recorded, all still drafts."),
            {"count": len(current)},
            data,
        )
    return _probe_result(
        "pass",
        gettext_noop("%(count)s processing activity(ies) in the record of processing."),
        {"count": len(current)},
        data,
    )


def dpia_where_required(establishment: Establishment) -> ProbeResult:
    """Every processing meeting two DPIA criteria or more has a validated DPIA."""
    rows = ProcessingActivity.objects.filter(establishment=establishment).exclude(
        status=ProcessingStatus.RETIRED
    )
    required = {row.pk: row.name for row in rows if row.is_dpia_required}
    if not required:
        return _probe_result(
            "not_applicable",
            gettext_noop("No recorded processing activity requires a DPIA by its criteria."),
            {},
            {"required": 0},
        )
    validated = set(
        DPIA.objects.filter(processing_id__in=required, status=DPIAStatus.VALIDATED).values_list(
            "processing_id", flat=True
        )
    )
    missing = sorted(pk for pk in required if pk not in validated)
    data = {"required": len(required), "without_validated_dpia": missing[:50]}
    if not missing:
        return _probe_result(
            "pass",
            gettext_noop(
                "All %(count)s processing activity(ies) requiring a DPIA have one validated."
            ),
            {"count": len(required)},
            data,
        )
    return _probe_result(
        "partial" if len(missing) < len(required) else "fail",
        gettext_noop(
            "%(missing)s of %(count)s processing activity(ies) requiring a DPIA have "
            "no validated DPIA."
        ),
        {"missing": len(missing), "count": len(required)},
        data,
    )


# --- demo ------------------------------------------------------------------------------------

DEMO_PRESETS = ("patient-record", "imaging", "human-resources", "video-surveillance")


def load_demo(organisation: Organisation, establishments: Sequence[Establishment]) -> None:
    """A few entries of the record and one DPIA (on the patient record) for the first
    establishment of the demo organisation; fictitious content only. Written in French, like
    the rest of the demo organisation (a command runs without an active language)."""
    if not establishments:
        return
    with translation.override("fr"):
        _load_demo(establishments[0])


def _load_demo(establishment: Establishment) -> None:
    activities = {}
    for index, key in enumerate(DEMO_PRESETS, start=1):
        activities[key] = create_from_preset(
            establishment,
            key,
            None,
            reference=f"T-{index:03d}",
            status=ProcessingStatus.ACTIVE,
        )
    record = activities["patient-record"]
    dpia = crud.save_instance(
        DPIA(establishment=establishment, processing=record),
        None,
        title=_("DPIA — electronic patient record"),
        description=_("Electronic patient record shared by the care units of the establishment."),
        data_description=record.data_categories + "\n" + record.special_categories,
        lifecycle=_(
            "Collected at admission, completed during the stay, archived 20 years after the last "
            "stay, then destroyed."
        ),
        supports=_("EHR application servers, HDS-certified host, workstations of care units."),
        action_plan=_("Quarterly access review of the EHR — RSSI — end of next quarter"),
    )
    answers = {key: ("acceptable", "") for key in engine.PRINCIPLE_KEYS}
    answers["retention"] = ("improvable", _("Archive purge not automated yet."))
    update_principles(dpia, None, answers)
    levels = {
        "illegitimate_access": (3, 3, 3, 2),
        "unwanted_modification": (3, 2, 3, 1),
        "disappearance": (4, 2, 4, 1),
    }
    for risk in dpia.risks.all():
        severity, likelihood, residual_severity, residual_likelihood = levels[risk.kind]
        update_risk(
            risk,
            None,
            sources=_("Staff without a need to know; external attacker; software fault"),
            threats=_("Use of another person's session; ransomware; faulty update"),
            impacts=_("Disclosure of health data; wrong care decisions; care interrupted"),
            existing_measures=_("Named accounts, access logging, daily backups"),
            planned_measures=_("Access review, offline backup copy tested each quarter"),
            severity=severity,
            likelihood=likelihood,
            residual_severity=residual_severity,
            residual_likelihood=residual_likelihood,
        )
