"""After the incident: KPIs, the post-incident report (PDF) and the GDPR breach register.

KPIs are read from the lifecycle milestones the transition service sets:
time to detect = started (occurred_at) → discovered; time to contain = discovered → containment
started; time to recover = discovered → recovery started (or post-incident, when recovery was
skipped). Obligations are "met on time" when done no later than their due instant.

The breach register (GDPR art. 33(5)) lists every incident whose personal data involvement is
"yes" or still "unknown": an incident under investigation is registered as "to be confirmed"
rather than left out, so the register is never short of a breach that turns out to be one.
"""

from __future__ import annotations

import io
import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.display import duration_short
from hygie.core.services.pdf import render_pdf
from hygie.lib.spreadsheet import csv_writer, spreadsheet_cell
from hygie.response.choices import (
    CareImpact,
    DataCategory,
    ObligationStatus,
    PersonalData,
    Risk,
    TaskStatus,
    TimelineKind,
)
from hygie.response.models import Incident, IncidentObligation
from hygie.response.services.obligations import UNTIMED_KINDS, obligation_label

METRICS = ("time_to_detect", "time_to_contain", "time_to_recover")


# --- KPIs ---------------------------------------------------------------------------------------


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None or end < start:
        return None
    return end - start


@dataclass(frozen=True)
class ObligationTally:
    on_time: int = 0
    late: int = 0  # done after the due instant
    overdue: int = 0  # still pending, due instant passed
    open: int = 0  # still pending, not yet due (or no fixed deadline)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.open

    @property
    def closed(self) -> int:
        return self.on_time + self.late


def obligation_outcome(obligation: IncidentObligation, now: datetime) -> str:
    """on_time, late, overdue, open, or not_applicable."""
    if not obligation.applies or obligation.status == ObligationStatus.NOT_APPLICABLE:
        return "not_applicable"
    if obligation.status == ObligationStatus.DONE:
        if obligation.due_at is None or (
            obligation.done_at and obligation.done_at <= obligation.due_at
        ):
            return "on_time"
        return "late"
    # "Sans délai" and "without undue delay" have no fixed instant: pending, never overdue.
    if (
        obligation.due_at is not None
        and obligation.due_at < now
        and obligation.deadline_kind not in UNTIMED_KINDS
    ):
        return "overdue"
    return "open"


def tally(obligations: Iterable[IncidentObligation], now: datetime) -> ObligationTally:
    counts = {"on_time": 0, "late": 0, "overdue": 0, "open": 0}
    for obligation in obligations:
        outcome = obligation_outcome(obligation, now)
        if outcome in counts:
            counts[outcome] += 1
    return ObligationTally(**counts)


@dataclass(frozen=True)
class IncidentKPIs:
    time_to_detect: timedelta | None
    time_to_contain: timedelta | None
    time_to_recover: timedelta | None
    obligations: ObligationTally

    def as_dict(self) -> dict[str, Any]:
        def seconds(value: timedelta | None) -> int | None:
            return None if value is None else int(value.total_seconds())

        return {
            "time_to_detect_seconds": seconds(self.time_to_detect),
            "time_to_contain_seconds": seconds(self.time_to_contain),
            "time_to_recover_seconds": seconds(self.time_to_recover),
            "obligations_on_time": self.obligations.on_time,
            "obligations_late": self.obligations.late,
            "obligations_overdue": self.obligations.overdue,
            "obligations_open": self.obligations.open,
            "obligations_total": self.obligations.total,
        }


def incident_kpis(incident: Incident, now: datetime | None = None) -> IncidentKPIs:
    now = now or timezone.now()
    return IncidentKPIs(
        time_to_detect=_between(incident.occurred_at, incident.discovered_at),
        time_to_contain=_between(incident.discovered_at, incident.contained_at),
        time_to_recover=_between(
            incident.discovered_at, incident.recovered_at or incident.post_incident_at
        ),
        obligations=tally(incident.obligations.all(), now),
    )


@dataclass(frozen=True)
class MetricSummary:
    count: int
    median: timedelta | None
    mean: timedelta | None

    @classmethod
    def of(cls, values: Sequence[timedelta]) -> MetricSummary:
        if not values:
            return cls(0, None, None)
        seconds = [v.total_seconds() for v in values]
        return cls(
            len(values),
            timedelta(seconds=statistics.median(seconds)),
            timedelta(seconds=statistics.fmean(seconds)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "median_seconds": None if self.median is None else int(self.median.total_seconds()),
            "mean_seconds": None if self.mean is None else int(self.mean.total_seconds()),
        }


@dataclass(frozen=True)
class KPISummary:
    label: str
    establishment_id: int | None
    incidents: int
    metrics: dict[str, MetricSummary]
    obligations: ObligationTally

    @property
    def on_time_rate(self) -> float | None:
        closed = self.obligations.closed + self.obligations.overdue
        return None if not closed else self.obligations.on_time / closed

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "establishment_id": self.establishment_id,
            "incidents": self.incidents,
            **{name: summary.as_dict() for name, summary in self.metrics.items()},
            "obligations": {**asdict(self.obligations), "total": self.obligations.total},
            "on_time_rate": self.on_time_rate,
        }


@dataclass
class _Accumulator:
    incidents: int = 0
    values: dict[str, list[timedelta]] = field(
        default_factory=lambda: {name: [] for name in METRICS}
    )
    obligations: list[IncidentObligation] = field(default_factory=list)

    def add(self, incident: Incident, kpis: IncidentKPIs) -> None:
        self.incidents += 1
        for name in METRICS:
            value = getattr(kpis, name)
            if value is not None:
                self.values[name].append(value)

    def summary(self, label: str, establishment_id: int | None, now: datetime) -> KPISummary:
        return KPISummary(
            label,
            establishment_id,
            self.incidents,
            {name: MetricSummary.of(self.values[name]) for name in METRICS},
            tally(self.obligations, now),
        )


def aggregate_kpis(
    incidents: QuerySet[Incident],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> tuple[KPISummary, list[KPISummary]]:
    """Overall and per-establishment KPIs over ``incidents`` discovered in [since, until)."""
    now = now or timezone.now()
    if since is not None:
        incidents = incidents.filter(discovered_at__gte=since)
    if until is not None:
        incidents = incidents.filter(discovered_at__lt=until)
    incidents = incidents.select_related("establishment").order_by("establishment__name", "pk")
    obligations: dict[int, list[IncidentObligation]] = {}
    for obligation in IncidentObligation.objects.filter(incident__in=incidents):
        obligations.setdefault(obligation.incident_id, []).append(obligation)
    overall = _Accumulator()
    per_establishment: dict[int, tuple[str, _Accumulator]] = {}
    for incident in incidents:
        own = obligations.get(incident.pk, [])
        kpis = IncidentKPIs(
            _between(incident.occurred_at, incident.discovered_at),
            _between(incident.discovered_at, incident.contained_at),
            _between(incident.discovered_at, incident.recovered_at or incident.post_incident_at),
            ObligationTally(),
        )
        _label, bucket = per_establishment.setdefault(
            incident.establishment_id, (incident.establishment.name, _Accumulator())
        )
        for accumulator in (overall, bucket):
            accumulator.add(incident, kpis)
            accumulator.obligations.extend(own)
    return (
        overall.summary(_("All visible establishments"), None, now),
        [acc.summary(label, pk, now) for pk, (label, acc) in per_establishment.items()],
    )


def format_duration(value: timedelta | None) -> str:
    """ "3 j 4 h 05 min" / "3 d 4 h 05 min" (core display helper), or an em dash."""
    return duration_short(value, precise=True)


# --- post-incident report -----------------------------------------------------------------------


def report_context(incident: Incident) -> dict[str, Any]:
    now = timezone.now()
    timeline = list(incident.timeline.select_related("author").order_by("at", "pk"))
    decisions: list[dict[str, Any]] = [
        {"at": task.completed_at or task.created_at, "title": task.title, "text": task.decision}
        # Decision points still open are not decisions yet.
        for task in incident.tasks.filter(is_decision=True)
        .exclude(decision="")
        .order_by("completed_at", "order", "pk")
    ]
    decisions += [
        {"at": entry.at, "title": "", "text": entry.text}
        for entry in timeline
        if entry.kind == TimelineKind.DECISION
    ]
    decisions.sort(key=lambda item: item["at"])
    obligations = [
        {
            "obligation": o,
            "label": obligation_label(o.obligation_id),
            "outcome": obligation_outcome(o, now),
        }
        for o in incident.obligations.order_by("due_at", "pk")
    ]
    kpis = incident_kpis(incident, now)
    milestones = [
        (_("Started"), incident.occurred_at),
        (_("Discovered"), incident.discovered_at),
        (_("Triage started"), incident.triaged_at),
        (_("Containment started"), incident.contained_at),
        (_("Eradication started"), incident.eradicated_at),
        (_("Recovery started"), incident.recovered_at),
        (_("Post-incident started"), incident.post_incident_at),
        (_("Closed"), incident.closed_at),
    ]
    labels = dict(DataCategory.choices)
    return {
        "incident": incident,
        "generated_at": now,
        "footer": f"{incident.reference}",
        "milestones": milestones,
        "timeline": timeline,
        "decisions": decisions,
        "obligations": obligations,
        "kpis": kpis,
        "kpi_rows": [
            (_("Time to detect"), format_duration(kpis.time_to_detect)),
            (_("Time to contain"), format_duration(kpis.time_to_contain)),
            (_("Time to recover"), format_duration(kpis.time_to_recover)),
            (
                _("Obligations met on time"),
                f"{kpis.obligations.on_time} / {kpis.obligations.total}",
            ),
        ],
        "tasks": list(incident.tasks.exclude(status=TaskStatus.CANCELLED).order_by("order", "pk")),
        "departments": list(incident.departments.order_by("name")),
        "data_categories": [str(labels.get(c, c)) for c in incident.data_categories or ()],
    }


def render_report_pdf(incident: Incident, language: str | None = None) -> bytes:
    """The post-incident report; the download is recorded in the audit trail."""
    # Times in the establishment's own zone: the report is read by its crisis cell and auditors.
    with (
        translation.override(language or translation.get_language()),
        timezone.override(ZoneInfo(incident.establishment.timezone)),
    ):
        data = render_pdf("response/print/report.html", report_context(incident))
    audit.record("export", incident, message="post-incident report exported (pdf)")
    return data


# --- GDPR breach register (art. 33(5)) ----------------------------------------------------------

REGISTER_COLUMNS = (
    ("reference", "Reference"),
    ("establishment", "Establishment"),
    ("discovered_at", "Discovered at"),
    ("occurred_at", "Started at"),
    ("personal_data", "Personal data"),
    ("facts", "Facts"),
    ("data_categories", "Data categories"),
    ("individuals", "People affected"),
    ("effects", "Effects"),
    ("remedial_action", "Remedial action"),
    ("authority_notified", "Notified to the authority"),
    ("authority_notified_at", "Notified on"),
    ("individuals_informed", "People informed"),
    ("individuals_informed_at", "Informed on"),
    ("status", "Incident status"),
)


@dataclass(frozen=True)
class BreachRow:
    incident_id: int
    reference: str
    establishment: str
    discovered_at: datetime
    occurred_at: datetime | None
    personal_data: str
    facts: str
    data_categories: str
    individuals: int | None
    effects: str
    remedial_action: str
    authority_notified: str
    authority_notified_at: datetime | None
    individuals_informed: str
    individuals_informed_at: datetime | None
    status: str
    to_confirm: bool

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        for key, value in result.items():
            if isinstance(value, datetime):
                result[key] = value.isoformat()
        return result


def breach_incidents(
    incidents: QuerySet[Incident],
    *,
    since: date | None = None,
    until: date | None = None,
    personal_data: str = "",
    establishment: int | None = None,
) -> QuerySet[Incident]:
    queryset = incidents.filter(personal_data__in=[PersonalData.YES, PersonalData.UNKNOWN])
    if personal_data in (PersonalData.YES, PersonalData.UNKNOWN):
        queryset = queryset.filter(personal_data=personal_data)
    if establishment:
        queryset = queryset.filter(establishment_id=establishment)
    if since:
        queryset = queryset.filter(discovered_at__date__gte=since)
    if until:
        queryset = queryset.filter(discovered_at__date__lte=until)
    return queryset.select_related("establishment").order_by("-discovered_at", "pk")


def _notified(obligation: IncidentObligation | None) -> tuple[str, datetime | None]:
    if obligation is None:
        return _("Not assessed"), None
    if obligation.status == ObligationStatus.DONE:
        return _("Yes"), obligation.done_at
    if not obligation.applies or obligation.status == ObligationStatus.NOT_APPLICABLE:
        return _("No (not required)"), None
    return _("Not yet"), None


def breach_register(incidents: QuerySet[Incident]) -> list[BreachRow]:
    """One register row per incident of ``incidents`` (already filtered by ``breach_incidents``)."""
    incidents = incidents.prefetch_related("tasks")
    wanted = ("gdpr_art33", "gdpr_art34")
    obligations: dict[tuple[int, str], IncidentObligation] = {
        (o.incident_id, o.obligation_id): o
        for o in IncidentObligation.objects.filter(incident__in=incidents, obligation_id__in=wanted)
    }
    categories = dict(DataCategory.choices)
    rows = []
    for incident in incidents:
        effects = [
            str(CareImpact(incident.care_impact).label),
            _("Risk to individuals: %(risk)s") % {"risk": Risk(incident.risk_to_individuals).label},
        ]
        if incident.data_encrypted:
            effects.append(_("Data encrypted, key not compromised"))
        done = [task.title for task in incident.tasks.all() if task.status == TaskStatus.DONE]
        remedial = "\n".join([*done, incident.follow_up_actions]).strip()
        authority, authority_at = _notified(obligations.get((incident.pk, "gdpr_art33")))
        informed, informed_at = _notified(obligations.get((incident.pk, "gdpr_art34")))
        rows.append(
            BreachRow(
                incident_id=incident.pk,
                reference=incident.reference,
                establishment=incident.establishment.name,
                discovered_at=incident.discovered_at,
                occurred_at=incident.occurred_at,
                personal_data=str(PersonalData(incident.personal_data).label),
                facts=f"{incident.get_category_display()}: {incident.title}",
                data_categories=", ".join(
                    str(categories.get(c, c)) for c in incident.data_categories or ()
                ),
                individuals=incident.individuals_affected,
                effects="; ".join(effects),
                remedial_action=remedial,
                authority_notified=authority,
                authority_notified_at=authority_at,
                individuals_informed=informed,
                individuals_informed_at=informed_at,
                status=incident.get_status_display(),
                to_confirm=incident.personal_data == PersonalData.UNKNOWN,
            )
        )
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    # Spreadsheets run text starting with = + - @ as formulas (CSV/XLSX injection).
    return spreadsheet_cell(value)


def _headers() -> list[str]:
    return [_(label) for _key, label in REGISTER_COLUMNS]


def _record_export(rows: Sequence[BreachRow], incidents: QuerySet[Incident], fmt: str) -> None:
    # One entry per establishment, so each establishment's auditors see their own exports.
    establishment_ids = sorted(set(incidents.order_by().values_list("establishment_id", flat=True)))
    targets: list[int | None] = [*establishment_ids] or [None]  # None: no incident exported
    for establishment_id in targets:
        audit.record(
            "export",
            None,
            object_type="response.incident",
            object_repr="GDPR breach register",
            establishment_id=establishment_id,
            message=f"breach register exported ({fmt}): {len(rows)} rows",
        )


def export_register(incidents: QuerySet[Incident], fmt: str) -> tuple[bytes, str, str]:
    """The register of ``incidents`` as (bytes, content type, file name); audited."""
    rows = breach_register(incidents)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer, lineterminator="\r\n")
        writer.writerow(_headers())
        for row in rows:
            writer.writerow([_cell(getattr(row, key)) for key, _label in REGISTER_COLUMNS])
        # A BOM so that spreadsheet software reads UTF-8 accents correctly.
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        result = (data, "text/csv; charset=utf-8", f"breach-register-{stamp}.csv")
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.worksheets[0]
        sheet.title = "Register"
        sheet.append(_headers())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(getattr(row, key)) for key, _label in REGISTER_COLUMNS])
        for index, column in enumerate(sheet.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 22
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        buffer_bytes = io.BytesIO()
        workbook.save(buffer_bytes)
        result = (
            buffer_bytes.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"breach-register-{stamp}.xlsx",
        )
    elif fmt == "json":
        document = {
            "schema": "hygie.response.breach_register/1",
            "exported_at": timezone.now().isoformat(),
            "rows": [row.as_dict() for row in rows],
        }
        result = (
            json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
            "application/json",
            f"breach-register-{stamp}.json",
        )
    else:
        from django.core.exceptions import ValidationError

        raise ValidationError({"format": [_("Export as csv, xlsx or json.")]})
    _record_export(rows, incidents, fmt)
    return result
