"""Audit-ready assessment reports: one gathering (:func:`build_report`) shown as a page and
exported as PDF (the platform's one renderer, ``hygie.core.services.pdf``), CSV and XLSX
(``hygie.lib.spreadsheet``). Every download is recorded in the audit trail.

The report reads what the other services keep: scores and their history
(``services.assessments``), the latest probe results (``services.probes``), the remediation
plan. Evidence files are listed by their masked name and SHA-256, never by the uploaded name.
Requirements not verified against the official text carry the platform's discreet marker
(``hygie.core.display``), never a developer note or a repository path.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.compliance.choices import AnswerStatus, ProbeStatus
from hygie.compliance.engine import scoring
from hygie.compliance.models import Answer, Assessment, ProbeRun, RemediationAction, Requirement
from hygie.compliance.services import assessments as assessment_service
from hygie.compliance.services import library
from hygie.compliance.services import probes as probe_service
from hygie.core import audit, display
from hygie.core.charts import render_chart
from hygie.core.registries import Series
from hygie.core.services.pdf import render_pdf
from hygie.lib.spreadsheet import csv_writer, spreadsheet_cell

if TYPE_CHECKING:
    from hygie.core.models import Evidence, User

FORMATS = ("pdf", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GAP_STATUSES = (AnswerStatus.NON_COMPLIANT, AnswerStatus.PARTIAL)
# The flag the display helpers recognise: alone, it renders as the marker and nothing else.
_FLAG = "UNVERIFIED"
# Audit messages (msgids: the audit page shows them in the reader's language).
EXPORT_MESSAGES = {
    "pdf": gettext_noop("assessment report exported (pdf)"),
    "csv": gettext_noop("assessment report exported (csv)"),
    "xlsx": gettext_noop("assessment report exported (xlsx)"),
    "json": gettext_noop("assessment report exported (json)"),
}


def to_check_marker() -> SafeString:
    """The discreet “to be checked against the official text” marker (with its tooltip)."""
    return display.to_check_html(_FLAG)


def person(user: User | None) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def local_date(value: date | datetime | None) -> str:
    """A date (or a moment, in the active time zone) in the reader's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def percent(value: float | None) -> str:
    """A score as the reader writes it (“72,5 %” in French), “—” when there is none."""
    if value is None:
        return "—"
    return (
        f"{formats.number_format(round(value, 1), decimal_pos=0 if value == int(value) else 1)}"
        "\u00a0%"
    )


# --- the gathering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    title: str
    file_name: str  # masked (extension only), "" for a snapshot
    sha256: str
    collected_at: datetime
    kind: str  # “file”, “snapshot” or “link”, translated


@dataclass(frozen=True)
class ProbeItem:
    run: ProbeRun
    title: str
    status: str
    status_label: str
    summary: str
    ran_at: datetime


@dataclass
class ReportRow:
    requirement: Requirement
    answer: Answer
    chapter: Requirement | None
    title: str  # without developer notes
    to_check: bool
    evidence: list[EvidenceItem] = field(default_factory=list)
    probes: list[ProbeItem] = field(default_factory=list)
    actions: list[RemediationAction] = field(default_factory=list)
    badge: str = ""  # the page's badge class for the status (set by the view)

    @property
    def is_gap(self) -> bool:
        return self.answer.status in GAP_STATUSES

    @property
    def computed_label(self) -> str:
        if not self.answer.proposal_source:
            return ""
        if self.answer.is_computed:
            return (
                _("computed by the platform, confirmed")
                if self.answer.is_confirmed
                else _("computed by the platform, not yet confirmed")
            )
        return _("proposal overridden by a person")


@dataclass
class ChapterRow:
    chapter: Requirement | None
    title: str
    to_check: bool
    score: scoring.Score
    depth: int = 0  # 0: a top-level chapter; 1, 2…: a heading under it


@dataclass
class Report:
    assessment: Assessment
    generated_at: datetime
    score: scoring.Score
    chapters: list[ChapterRow]
    history: list[Any]  # ScoreSnapshot, last of each day
    rows: list[ReportRow]
    actions: list[RemediationAction]
    assessors: list[str]
    unverified: int

    @property
    def framework(self) -> Any:
        return self.assessment.framework

    @property
    def establishment(self) -> Any:
        return self.assessment.establishment

    @property
    def publication_date(self) -> str:
        """The framework's publication date in the reader's format when it is a full date
        (the library may give only a year or a month)."""
        text = str(self.framework.publication_date or "")
        try:
            return local_date(date.fromisoformat(text))
        except ValueError:
            return text

    @property
    def gaps(self) -> list[ReportRow]:
        return [row for row in self.rows if row.is_gap]

    @property
    def has_unverified(self) -> bool:
        return self.unverified > 0


def _clean(text: str, verified: bool) -> tuple[str, bool]:
    cleaned, flagged = display.split_to_check(text)
    return cleaned, flagged or not verified


def _evidence_item(evidence: Evidence) -> EvidenceItem:
    if evidence.file:
        kind = _("file")
    elif evidence.snapshot is not None:
        kind = _("snapshot")
    else:
        kind = _("link")
    return EvidenceItem(
        title=evidence.title,
        file_name=evidence.file_name if evidence.file else "",
        sha256=evidence.sha256,
        collected_at=evidence.collected_at,
        kind=kind,
    )


def _probe_item(run: ProbeRun) -> ProbeItem:
    return ProbeItem(
        run=run,
        title=run.title_display,
        status=run.status,
        status_label=str(ProbeStatus(run.status).label)
        if run.status in ProbeStatus.values
        else run.status,
        summary=run.summary_display,
        ran_at=run.ran_at,
    )


def build_report(assessment: Assessment) -> Report:
    """Everything an auditor reads about one assessment, in the framework's order."""
    requirements = list(assessment.framework.requirements.order_by("order"))
    chapters = library.chapter_of(requirements)
    answers = {
        answer.requirement_id: answer
        for answer in assessment.answers.select_related(
            "owner", "answered_by", "proposed_from_run"
        ).prefetch_related(
            "evidence",
            Prefetch(
                "actions",
                queryset=RemediationAction.objects.select_related("owner").order_by(
                    "due_date", "pk"
                ),
            ),
        )
    }
    by_control: dict[str, list[ProbeRun]] = {}
    for run in probe_service.latest_runs([assessment.establishment_id]):
        for control in run.controls or []:
            by_control.setdefault(str(control), []).append(run)

    rows: list[ReportRow] = []
    assessors: dict[int, str] = {}
    if assessment.created_by is not None:
        assessors[assessment.created_by.pk] = person(assessment.created_by)
    for item in requirements:
        answer = answers.get(item.pk)
        if answer is None:
            continue
        title, to_check = _clean(item.title, item.is_verified)
        runs: dict[int, ProbeRun] = {}
        for control in item.controls or []:
            if isinstance(control, dict):
                for run in by_control.get(str(control.get("id")), []):
                    runs.setdefault(run.pk, run)
        if answer.proposed_from_run is not None:
            runs.setdefault(answer.proposed_from_run.pk, answer.proposed_from_run)
        if answer.answered_by is not None:
            assessors.setdefault(answer.answered_by.pk, person(answer.answered_by))
        rows.append(
            ReportRow(
                requirement=item,
                answer=answer,
                chapter=chapters.get(item.pk),
                title=title,
                to_check=to_check,
                evidence=[_evidence_item(evidence) for evidence in answer.evidence.all()],
                probes=[_probe_item(run) for run in sorted(runs.values(), key=lambda r: r.title)],
                actions=list(answer.actions.all()),
            )
        )
    chapter_rows = []
    for entry in assessment_service.section_scores(assessment):
        heading = entry.chapter
        title, to_check = (
            _clean(heading.title, True) if heading is not None else (_("Other requirements"), False)
        )
        chapter_rows.append(ChapterRow(heading, title, to_check, entry.score, entry.depth))
    answer_ids = [row.answer.pk for row in rows]
    actions = list(
        RemediationAction.objects.filter(
            establishment_id=assessment.establishment_id, answers__in=answer_ids
        )
        .select_related("owner")
        .prefetch_related("answers__requirement")
        .distinct()
        .order_by("due_date", "pk")
    )
    return Report(
        assessment=assessment,
        generated_at=timezone.now(),
        score=assessment_service.assessment_score(assessment),
        chapters=chapter_rows,
        history=assessment_service.score_history(assessment),
        rows=rows,
        actions=actions,
        assessors=sorted(assessors.values()),
        unverified=sum(1 for row in rows if row.to_check),
    )


def history_series(report: Report) -> Series | None:
    """The score over time as a chart's data (None with fewer than two days)."""
    if len(report.history) < 2:
        return None
    return Series(
        title=_("Score over time"),
        description=_(
            "Score of the assessment (percent) on each day it changed, from %(first)s to %(last)s."
        )
        % {
            "first": local_date(timezone.localtime(report.history[0].taken_at).date()),
            "last": local_date(timezone.localtime(report.history[-1].taken_at).date()),
        },
        labels=[
            formats.date_format(timezone.localtime(item.taken_at).date(), "SHORT_DATE_FORMAT")
            for item in report.history
        ],
        values={_("Score (%)"): [int(round(item.score or 0)) for item in report.history]},
        kind="lines",
    )


def history_chart(report: Report, chart_id: str) -> SafeString | None:
    series = history_series(report)
    return render_chart(series, chart_id) if series is not None else None


# --- exports ---------------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return str(AnswerStatus(status).label) if status in AnswerStatus.values else status


def requirement_headers() -> list[str]:
    return [
        _("Chapter"),
        _("Reference"),
        _("Requirement"),
        _("Verification"),
        _("Status"),
        _("Maturity (0-5)"),
        _("Computed"),
        _("Justification"),
        _("Owner"),
        _("Due date"),
        _("Comments"),
        _("Evidence (title, file, SHA-256, collected)"),
        _("Probe results (result, date)"),
        _("Remediation actions"),
        _("Answered by"),
        _("Answered at"),
    ]


def _evidence_text(items: Sequence[EvidenceItem]) -> str:
    return "\n".join(
        " · ".join(
            part
            for part in (
                item.title,
                item.file_name,
                f"SHA-256 {item.sha256}" if item.sha256 else "",
                local_date(item.collected_at),
            )
            if part
        )
        for item in items
    )


def _probes_text(items: Sequence[ProbeItem]) -> str:
    return "\n".join(
        f"{item.title}: {item.status_label} ({local_date(item.ran_at)})"
        + (f" — {item.summary}" if item.summary else "")
        for item in items
    )


def _actions_text(actions: Sequence[RemediationAction]) -> str:
    return "\n".join(
        f"{action.title} ({action.get_status_display()}"
        + (f", {_('due')} {local_date(action.due_date)}" if action.due_date else "")
        + ")"
        for action in actions
    )


def requirement_cells(row: ReportRow) -> list[Any]:
    answer = row.answer
    chapter = row.chapter
    return [
        chapter.ref_id if chapter is not None else "",
        row.requirement.ref_id,
        row.title,
        display.to_check_label() if row.to_check else "",
        _status_label(answer.status),
        answer.maturity,
        row.computed_label,
        answer.justification,
        person(answer.owner),
        answer.due_date,
        answer.comments,
        _evidence_text(row.evidence),
        _probes_text(row.probes),
        _actions_text(row.actions),
        person(answer.answered_by),
        timezone.localtime(answer.answered_at).strftime("%Y-%m-%d %H:%M")
        if answer.answered_at
        else "",
    ]


def file_name(assessment: Assessment, fmt: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"compliance-report-{assessment.framework.framework_id}-{assessment.pk}-{stamp}.{fmt}"


def _csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(requirement_headers())
    for row in report.rows:
        writer.writerow(requirement_cells(row))
    # A BOM so that spreadsheet software reads UTF-8 accents correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _summary_rows(report: Report) -> list[list[Any]]:
    framework = report.framework
    score = report.score
    rows: list[list[Any]] = [
        [_("Assessment"), report.assessment.title],
        [_("Establishment"), report.establishment.name],
        [_("Framework"), framework.name],
        [_("Version"), framework.version],
        [_("Provider"), framework.provider],
        [_("Source"), framework.source_url],
        [_("Assessment date"), report.assessment.date],
        [_("Assessors"), ", ".join(report.assessors)],
        [_("Generated at"), timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")],
        [_("Score (%)"), score.score if score.score is None else round(score.score, 1)],
        [_("Average maturity (0-5)"), None if score.maturity is None else round(score.maturity, 1)],
        [_("Compliant"), score.compliant],
        [_("Partially compliant"), score.partial],
        [_("Non-compliant"), score.non_compliant],
        [_("Not applicable"), score.not_applicable],
        [_("Not assessed"), score.not_assessed],
        [
            _("Requirements to be checked against the official text"),
            report.unverified,
        ],
    ]
    return rows


def _xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def cell(value: Any) -> Any:
        return None if value is None else spreadsheet_cell(value)

    workbook = Workbook()
    summary = workbook.worksheets[0]
    summary.title = _("Summary")[:31]
    for label, value in _summary_rows(report):
        summary.append([cell(label), cell(value)])
    summary.append([])
    summary.append([cell(_("Chapter")), cell(_("Score (%)")), cell(_("Answered"))])
    summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    for chapter in report.chapters:
        label = "  " * chapter.depth + (
            f"{chapter.chapter.ref_id} {chapter.title}".strip()
            if chapter.chapter
            else chapter.title
        )
        value = chapter.score.score
        summary.append(
            [
                cell(label),
                None if value is None else round(value, 1),
                f"{chapter.score.assessed}/{chapter.score.total}",
            ]
        )
    summary.append([])
    summary.append([cell(_("Date")), cell(_("Score (%)"))])
    summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    for snapshot in report.history:
        summary.append(
            [
                timezone.localtime(snapshot.taken_at).date().isoformat(),
                None if snapshot.score is None else round(snapshot.score, 1),
            ]
        )
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 60
    for first_column in summary.iter_rows(min_col=1, max_col=1):
        for item in first_column:
            item.font = Font(bold=True)

    sheet = workbook.create_sheet(_("Requirements")[:31])
    sheet.append([cell(header) for header in requirement_headers()])
    for item in sheet[1]:
        item.font = Font(bold=True)
    for row in report.rows:
        sheet.append([cell(value) for value in requirement_cells(row)])
    for index, column in enumerate(sheet.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 30
        for item in column[1:]:
            item.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"

    plan = workbook.create_sheet(_("Action plan")[:31])
    plan.append(
        [
            cell(_("Action")),
            cell(_("Requirements")),
            cell(_("Owner")),
            cell(_("Due date")),
            cell(_("Status")),
            cell(_("Overdue")),
        ]
    )
    for item in plan[1]:
        item.font = Font(bold=True)
    for action in report.actions:
        plan.append(
            [
                cell(action.title),
                cell(", ".join(answer.requirement.ref_id for answer in action.answers.all())),
                cell(person(action.owner)),
                cell(action.due_date),
                cell(action.get_status_display()),
                cell(_("yes") if action.is_overdue else ""),
            ]
        )
    for index in range(1, 7):
        plan.column_dimensions[get_column_letter(index)].width = 30 if index != 1 else 60
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def document_context(report: Report, *, printing: bool = False) -> dict[str, Any]:
    """The context of the report's page and of its PDF (one body template for both): the page
    marks unverified requirements with the discreet marker, the PDF with a footnote mark."""
    return {
        "report": report,
        "assessment": report.assessment,
        "printing": printing,
        "mark": display.to_check_text(_FLAG) if printing else to_check_marker(),
        "to_check_label": display.to_check_label(),
        "score_text": percent(report.score.score),
        "status_labels": dict(AnswerStatus.choices),
    }


def export_report(assessment: Assessment, fmt: str) -> tuple[bytes, str, str]:
    """The report as (bytes, content type, file name); the download is audited."""
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Export as pdf, csv or xlsx.")]})
    report = build_report(assessment)
    if fmt == "pdf":
        context = {
            **document_context(report, printing=True),
            "history_chart": history_chart(report, f"report-{assessment.pk}-history"),
        }
        data = render_pdf("compliance/print/report.html", context)
        content_type = "application/pdf"
    elif fmt == "csv":
        data = _csv(report)
        content_type = "text/csv; charset=utf-8"
    else:
        data = _xlsx(report)
        content_type = XLSX_TYPE
    audit.record("export", assessment, message=EXPORT_MESSAGES[fmt])
    return data, content_type, file_name(assessment, fmt)


def report_data(assessment: Assessment) -> dict[str, Any]:
    """The report as plain data (the API's JSON); recorded in the audit trail like a download."""
    report = build_report(assessment)
    framework = report.framework

    def score_dict(value: scoring.Score) -> dict[str, Any]:
        return {
            "score": None if value.score is None else round(value.score, 1),
            "maturity": None if value.maturity is None else round(value.maturity, 1),
            "assessed": value.assessed,
            "total": value.total,
            **value.counts(),
        }

    data = {
        "assessment": {
            "id": assessment.pk,
            "title": assessment.title,
            "date": assessment.date,
            "status": assessment.status,
            "scope": assessment.scope,
        },
        "establishment": {"id": report.establishment.pk, "name": report.establishment.name},
        "framework": {
            "framework_id": framework.framework_id,
            "name": framework.name,
            "version": framework.version,
            "provider": framework.provider,
            "publication_date": framework.publication_date,
            "source_url": framework.source_url,
            "to_check": report.unverified,
        },
        "assessors": report.assessors,
        "generated_at": report.generated_at,
        "score": score_dict(report.score),
        "chapters": [
            {
                "ref_id": item.chapter.ref_id if item.chapter else None,
                "title": item.title,
                "depth": item.depth,
                "score": score_dict(item.score),
            }
            for item in report.chapters
        ],
        "history": [{"taken_at": item.taken_at, "score": item.score} for item in report.history],
        "requirements": [
            {
                "urn": row.requirement.urn,
                "ref_id": row.requirement.ref_id,
                "title": row.title,
                "to_check": row.to_check,
                "chapter_ref_id": row.chapter.ref_id if row.chapter else None,
                "status": row.answer.status,
                "maturity": row.answer.maturity,
                "justification": row.answer.justification,
                "computed": bool(row.answer.proposal_source) and row.answer.is_computed,
                "confirmed": row.answer.is_confirmed,
                "evidence": [
                    {
                        "title": item.title,
                        "file_name": item.file_name,
                        "sha256": item.sha256,
                        "collected_at": item.collected_at,
                    }
                    for item in row.evidence
                ],
                "probe_results": [
                    {
                        "id": item.run.pk,
                        "probe_id": item.run.probe_id,
                        "title": item.title,
                        "status": item.status,
                        "summary": item.summary,
                        "ran_at": item.ran_at,
                    }
                    for item in row.probes
                ],
                "action_ids": [action.pk for action in row.actions],
            }
            for row in report.rows
        ],
        "actions": [
            {
                "id": action.pk,
                "title": action.title,
                "status": action.status,
                "due_date": action.due_date,
                "is_overdue": action.is_overdue,
                "owner": person(action.owner) or None,
                "requirement_ref_ids": [a.requirement.ref_id for a in action.answers.all()],
            }
            for action in report.actions
        ],
    }
    audit.record("export", assessment, message=EXPORT_MESSAGES["json"])
    return data
