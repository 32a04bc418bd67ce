"""Results of phishing simulations: one campaign's funnel (raw and validated, through the
engine's click classifier), its breakdowns by department, profession, establishment and A/B
variant, the time-to-click and time-to-report distributions, repeat clickers across campaigns,
the trend over campaigns, and the CSV and PDF exports.

A campaign's figures cost two queries whatever its size (recipients, then their click events);
the trend and the tiles read the recipients' ``*_at`` columns in one aggregate query, which the
tracking service keeps in step with the classifier (``confirmed_at`` is set only for a human
click).
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hygie.awareness import engine
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EventKind,
)
from hygie.awareness.services.tracking import interaction_of, scanner_knowledge
from hygie.core import audit, display
from hygie.core.charts import render_chart
from hygie.core.registries import Series
from hygie.core.services.pdf import render_pdf
from hygie.lib.spreadsheet import csv_writer, spreadsheet_cell

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrOrPromise

    from hygie.core.models import User

# Delay buckets of the distributions (upper bound in seconds, label); the last is open-ended.
DELAY_BUCKETS: tuple[tuple[float, StrOrPromise], ...] = (
    (60, gettext_lazy("< 1 min")),
    (5 * 60, gettext_lazy("1–5 min")),
    (15 * 60, gettext_lazy("5–15 min")),
    (60 * 60, gettext_lazy("15–60 min")),
    (4 * 3600, gettext_lazy("1–4 h")),
    (24 * 3600, gettext_lazy("4–24 h")),
    (3 * 86400, gettext_lazy("1–3 days")),
    (float("inf"), gettext_lazy("> 3 days")),
)
REASON_LABELS: dict[str, StrOrPromise] = {
    "fast_after_delivery": gettext_lazy("seconds after delivery"),
    "head_request": gettext_lazy("HEAD request"),
    "scanner_user_agent": gettext_lazy("known scanner (user agent)"),
    "scanner_network": gettext_lazy("known scanner network"),
    "no_user_agent": gettext_lazy("no user agent"),
    "no_javascript": gettext_lazy("no browser confirmation"),
    "link_burst": gettext_lazy("every link at once"),
    "prefetch_header": gettext_lazy("prefetch or preview"),
    "confirmed_in_browser": gettext_lazy("confirmed in a browser"),
}
VERDICT_LABELS: dict[str, StrOrPromise] = {
    engine.HUMAN: pgettext_lazy("click", "human"),
    engine.AUTOMATED: pgettext_lazy("click", "automated"),
    engine.UNCONFIRMED: pgettext_lazy("click", "unconfirmed"),
}
TREND_CAMPAIGNS = 12
NOT_RECORDED = gettext_lazy("Not recorded")


@dataclass(frozen=True)
class RecipientResult:
    """One recipient's outcome."""

    recipient: CampaignRecipient
    verdict: str | None  # human / automated / unconfirmed; None when nothing was clicked
    reasons: tuple[str, ...]
    seconds_to_click: float | None  # first human request after delivery
    seconds_to_report: float | None
    field_names: tuple[str, ...]  # of the landing form, when submitted (names, never values)
    automated_requests: int = 0

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS.get(self.verdict or "", "")) if self.verdict else ""

    @property
    def click_text(self) -> str:
        return duration_text(self.seconds_to_click)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(r, r)) for r in self.reasons if r != "confirmed_in_browser"]


@dataclass(frozen=True)
class GroupResult:
    label: str
    funnel: engine.Funnel

    @property
    def click_rate(self) -> float:
        return self.funnel.rate(self.funnel.clicked_human)

    @property
    def percents(self) -> dict[str, float]:
        """Rates over delivered mails, in percent (for the tables)."""
        return _percents(self.funnel)

    @property
    def raw_click_rate(self) -> float:
        return self.funnel.rate(self.funnel.clicked_raw)

    @property
    def submit_rate(self) -> float:
        return self.funnel.rate(self.funnel.submitted_human)

    @property
    def report_rate(self) -> float:
        return self.funnel.rate(self.funnel.reported)


@dataclass
class CampaignResults:
    campaign: Campaign
    funnel: engine.Funnel
    recipients: list[RecipientResult]
    by_department: list[GroupResult] = field(default_factory=list)
    by_profession: list[GroupResult] = field(default_factory=list)
    by_establishment: list[GroupResult] = field(default_factory=list)
    by_variant: list[GroupResult] = field(default_factory=list)
    click_delays: list[int] = field(default_factory=list)  # per DELAY_BUCKETS
    report_delays: list[int] = field(default_factory=list)
    automated_reasons: list[tuple[str, int]] = field(default_factory=list)
    repeat_clickers: list[RecipientResult] = field(default_factory=list)
    median_seconds_to_click: float | None = None
    median_seconds_to_report: float | None = None

    def rate(self, count: int) -> float:
        return self.funnel.rate(count)

    @property
    def automated_signs_text(self) -> str:
        return ", ".join(f"{label} ({count})" for label, count in self.automated_reasons)

    @property
    def stages(self) -> list[tuple[StrOrPromise, int, int]]:
        """(stage, raw count, validated count) of the funnel, in order."""
        f = self.funnel
        return [
            (_("Delivered"), f.delivered, f.delivered),
            (_("Opened"), f.opened, f.opened),
            (_("Clicked"), f.clicked_raw, f.clicked_human),
            (_("Data submitted"), f.submitted_raw, f.submitted_human),
            (_("Reported"), f.reported, f.reported),
        ]


def _percents(funnel: engine.Funnel) -> dict[str, float]:
    names = (
        "opened", "clicked_raw", "clicked_human", "clicked_automated", "clicked_unconfirmed",
        "submitted_raw", "submitted_human", "reported",
    )  # fmt: skip
    return {name: round(100 * funnel.rate(getattr(funnel, name)), 1) for name in names}


def _bucket(seconds: float) -> int:
    for index, (bound, _label) in enumerate(DELAY_BUCKETS):
        if seconds < bound:
            return index
    return len(DELAY_BUCKETS) - 1


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _engine_recipient(
    recipient: CampaignRecipient, interactions: tuple[engine.Interaction, ...]
) -> engine.Recipient:
    return engine.Recipient(
        delivered_at=recipient.sent_at,
        opened=recipient.first_opened_at is not None,
        interactions=interactions,
        submitted=recipient.submitted_at is not None,
        reported=recipient.reported_at is not None,
    )


def _groups(
    items: Iterable[tuple[RecipientResult, engine.Recipient]],
    key: Callable[[CampaignRecipient], str],
) -> list[GroupResult]:
    grouped: dict[str, list[engine.Recipient]] = defaultdict(list)
    for result, recipient in items:
        grouped[key(result.recipient) or str(NOT_RECORDED)].append(recipient)
    knowledge = scanner_knowledge()
    groups = [GroupResult(label, engine.funnel(rows, knowledge)) for label, rows in grouped.items()]
    return sorted(groups, key=lambda g: (-g.click_rate, -g.funnel.delivered, g.label))


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Every figure of one campaign (two queries, plus one for repeat clickers)."""
    recipients = list(
        CampaignRecipient.objects.filter(campaign=campaign)
        .select_related("establishment")
        .order_by("email")
    )
    events: dict[int, list[CampaignEvent]] = defaultdict(list)
    for event in (
        CampaignEvent.objects.filter(
            recipient__campaign=campaign,
            kind__in=(EventKind.CLICKED, EventKind.CONFIRMED, EventKind.SUBMITTED),
        )
        .only(
            "recipient_id", "kind", "at", "method", "user_agent", "source_network", "reasons",
            "field_names",
        )
        .order_by("at", "pk")
    ):  # fmt: skip
        events[event.recipient_id].append(event)
    knowledge = scanner_knowledge()
    pairs: list[tuple[RecipientResult, engine.Recipient]] = []
    click_delays = [0] * len(DELAY_BUCKETS)
    report_delays = [0] * len(DELAY_BUCKETS)
    clicks: list[float] = []
    reports: list[float] = []
    reasons: Counter[str] = Counter()
    for recipient in recipients:
        own = events.get(recipient.pk, [])
        interactions = tuple(
            interaction_of(e) for e in own if e.kind in (EventKind.CLICKED, EventKind.CONFIRMED)
        )
        verdict = (
            engine.classify_clicks(interactions, knowledge, recipient.sent_at)
            if interactions
            else None
        )
        submitted = [e for e in own if e.kind == EventKind.SUBMITTED]
        to_report = (
            (recipient.reported_at - recipient.sent_at).total_seconds()
            if recipient.reported_at and recipient.sent_at
            else None
        )
        to_click = verdict.seconds_after_delivery if verdict is not None else None
        if to_click is not None:
            clicks.append(to_click)
            click_delays[_bucket(to_click)] += 1
        if to_report is not None:
            reports.append(to_report)
            report_delays[_bucket(max(to_report, 0))] += 1
        if verdict is not None and verdict.verdict != engine.HUMAN:
            reasons.update(str(r) for r in verdict.reasons)
        result = RecipientResult(
            recipient=recipient,
            verdict=verdict.verdict if verdict else None,
            reasons=tuple(str(r) for r in verdict.reasons) if verdict else (),
            seconds_to_click=to_click,
            seconds_to_report=to_report,
            field_names=tuple(submitted[0].field_names or ()) if submitted else (),
            automated_requests=verdict.automated_requests if verdict else 0,
        )
        pairs.append((result, _engine_recipient(recipient, interactions)))
    results = CampaignResults(
        campaign=campaign,
        funnel=engine.funnel((p[1] for p in pairs), knowledge),
        recipients=[p[0] for p in pairs],
        by_department=_groups(pairs, lambda r: r.department_name),
        by_profession=_groups(pairs, lambda r: r.profession),
        by_establishment=_groups(pairs, lambda r: r.establishment.name),
        by_variant=_groups(pairs, lambda r: r.variant.upper()),
        click_delays=click_delays,
        report_delays=report_delays,
        automated_reasons=[
            (str(REASON_LABELS.get(code, code)), count) for code, count in reasons.most_common()
        ],
        median_seconds_to_click=_median(clicks),
        median_seconds_to_report=_median(reports),
    )
    results.repeat_clickers = _repeat_clickers_of(campaign, results.recipients)
    return results


def _repeat_clickers_of(
    campaign: Campaign, results: Sequence[RecipientResult]
) -> list[RecipientResult]:
    """This campaign's human clickers who had already clicked (validated) in an earlier
    campaign of the same establishment."""
    clickers = {r.recipient.email.lower(): r for r in results if r.verdict == engine.HUMAN}
    if not clickers:
        return []
    earlier = (
        CampaignRecipient.objects.filter(
            establishment_id=campaign.establishment_id,
            confirmed_at__isnull=False,
            campaign__launched_at__lt=campaign.launched_at or timezone.now(),
        )
        .exclude(campaign=campaign)
        .values_list("email", flat=True)
    )
    seen = {email.lower() for email in earlier}
    return [result for email, result in sorted(clickers.items()) if email in seen]


# --- across campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    delivered: int
    clicked_raw: int
    clicked_human: int
    submitted_human: int
    reported: int

    def _rate(self, count: int) -> float:
        return round(count / self.delivered, 4) if self.delivered else 0.0

    @property
    def click_rate(self) -> float:
        return self._rate(self.clicked_human)

    @property
    def raw_click_rate(self) -> float:
        return self._rate(self.clicked_raw)

    @property
    def submit_rate(self) -> float:
        return self._rate(self.submitted_human)

    @property
    def report_rate(self) -> float:
        return self._rate(self.reported)

    @property
    def percents(self) -> dict[str, float]:
        return {
            "clicked_raw": round(100 * self.raw_click_rate, 1),
            "clicked_human": round(100 * self.click_rate, 1),
            "submitted_human": round(100 * self.submit_rate, 1),
            "reported": round(100 * self.report_rate, 1),
        }


def summaries(campaigns: QuerySet[Campaign]) -> list[CampaignSummary]:
    """Headline figures of each campaign, in one aggregate query."""
    annotated = campaigns.annotate(
        n_delivered=Count("recipients", filter=Q(recipients__sent_at__isnull=False)),
        n_clicked_raw=Count("recipients", filter=Q(recipients__first_clicked_at__isnull=False)),
        n_clicked_human=Count("recipients", filter=Q(recipients__confirmed_at__isnull=False)),
        n_submitted_human=Count(
            "recipients",
            filter=Q(
                recipients__confirmed_at__isnull=False, recipients__submitted_at__isnull=False
            ),
        ),
        n_reported=Count("recipients", filter=Q(recipients__reported_at__isnull=False)),
    ).select_related("establishment")
    return [
        CampaignSummary(
            c,
            c.n_delivered,
            c.n_clicked_raw,
            c.n_clicked_human,
            c.n_submitted_human,
            c.n_reported,
        )
        for c in annotated
    ]


def launched_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns with results the user may see (running or finished), latest first."""
    return (
        Campaign.objects.visible_to(user)
        .filter(status__in=(CampaignStatus.RUNNING, CampaignStatus.FINISHED))
        .order_by("-launched_at", "-window_start", "-pk")
    )


def trend(user: User, limit: int = TREND_CAMPAIGNS) -> list[CampaignSummary]:
    """The last ``limit`` launched campaigns, oldest first (for the trend chart)."""
    latest = list(launched_campaigns(user)[:limit].values_list("pk", flat=True))
    ordered = summaries(Campaign.objects.filter(pk__in=latest))
    return sorted(ordered, key=lambda s: s.campaign.launched_at or s.campaign.window_start)


@dataclass(frozen=True)
class RepeatClicker:
    email: str
    name: str
    department: str
    campaigns: int
    last_clicked_at: datetime | None
    person_id: int | None


def repeat_clickers(user: User, minimum: int = 2, limit: int = 50) -> list[RepeatClicker]:
    """People whose click was validated as human in ``minimum`` campaigns or more (across the
    establishments the user sees), most repeated first."""
    rows = (
        CampaignRecipient.objects.visible_to(user)
        .filter(confirmed_at__isnull=False)
        .values("email")
        .annotate(n=Count("campaign", distinct=True))
        .filter(n__gte=minimum)
        .order_by("-n", "email")[:limit]
    )
    counts = {row["email"]: row["n"] for row in rows}
    if not counts:
        return []
    latest: dict[str, CampaignRecipient] = {}
    for recipient in (
        CampaignRecipient.objects.visible_to(user)
        .filter(email__in=counts, confirmed_at__isnull=False)
        .order_by("confirmed_at")
    ):
        latest[recipient.email] = recipient
    result = []
    for email, n in counts.items():
        last = latest[email]
        name = " ".join(filter(None, (last.first_name, last.last_name)))
        result.append(
            RepeatClicker(email, name, last.department_name, n, last.confirmed_at, last.person_id)
        )
    return result


# --- charts -----------------------------------------------------------------------------------


def funnel_chart(results: CampaignResults) -> SafeString:
    stages = results.stages
    series = Series(
        title=_("Funnel: raw and validated"),
        description=_(
            "Recipients at each stage; raw counts every request on the link (mail scanners "
            "included), validated only clicks confirmed in a browser."
        ),
        labels=[str(stage) for stage, _raw, _validated in stages],
        values={
            _("Raw"): [raw for _stage, raw, _validated in stages],
            _("Validated"): [validated for _stage, _raw, validated in stages],
        },
    )
    return render_chart(series, f"campaign-{results.campaign.pk}-funnel")


def delays_chart(results: CampaignResults) -> SafeString:
    series = Series(
        title=_("Time to click and time to report"),
        description=_("Recipients by delay after delivery: validated clicks and reports."),
        labels=[str(label) for _bound, label in DELAY_BUCKETS],
        values={_("Clicks"): results.click_delays, _("Reports"): results.report_delays},
    )
    return render_chart(series, f"campaign-{results.campaign.pk}-delays")


def trend_chart(rows: Sequence[CampaignSummary]) -> SafeString | None:
    if not rows:
        return None
    series = Series(
        title=_("Trend over campaigns"),
        description=_(
            "Share of delivered mails (%) with a validated click, data submitted and a report, "
            "campaign by campaign."
        ),
        labels=[row.campaign.name[:24] for row in rows],
        values={
            _("Clicked (%)"): [round(100 * row.click_rate) for row in rows],
            _("Submitted (%)"): [round(100 * row.submit_rate) for row in rows],
            _("Reported (%)"): [round(100 * row.report_rate) for row in rows],
        },
        kind="lines",
    )
    return render_chart(series, "awareness-trend")


# --- exports ------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "pdf")
CSV_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "profession",
    "establishment",
    "variant",
    "sent_at",
    "first_opened_at",
    "first_clicked_at",
    "click_verdict",
    "automated_signs",
    "confirmed_at",
    "seconds_to_click",
    "submitted_at",
    "submitted_field_names",
    "reported_at",
    "seconds_to_report",
    "enrolled",
)


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _seconds(value: float | None) -> int | str:
    return round(value) if value is not None else ""


def export_csv(results: CampaignResults) -> bytes:
    enrolled = set(
        CampaignEvent.objects.filter(
            recipient__campaign=results.campaign, kind=EventKind.ENROLLED
        ).values_list("recipient_id", flat=True)
    )
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in results.recipients:
        r = row.recipient
        writer.writerow(
            [
                spreadsheet_cell(value)
                for value in (
                    r.email,
                    r.first_name,
                    r.last_name,
                    r.department_name,
                    r.profession,
                    r.establishment.name,
                    r.variant,
                    _iso(r.sent_at),
                    _iso(r.first_opened_at),
                    _iso(r.first_clicked_at),
                    row.verdict or "",
                    [x for x in row.reasons if x != "confirmed_in_browser"],
                    _iso(r.confirmed_at),
                    _seconds(row.seconds_to_click),
                    _iso(r.submitted_at),
                    list(row.field_names),
                    _iso(r.reported_at),
                    _seconds(row.seconds_to_report),
                    "yes" if r.pk in enrolled else "",
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def duration_text(seconds: float | None) -> str:
    """A delay for people (the core's compact durations: ``12 min``, ``3 j 4 h``)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return _("under a minute")
    return display.duration_short(timedelta(seconds=seconds))


def export_pdf(results: CampaignResults) -> bytes:
    return render_pdf(
        "awareness/results/print.html",
        {
            **page_context(results),
            "generated_at": timezone.now(),
            "generated_at_text": formats.date_format(
                timezone.localtime(timezone.now()), "DATETIME_FORMAT"
            ),
        },
    )


def export_results(campaign: Campaign, fmt: str) -> tuple[bytes, str, str]:
    """The campaign's results as (bytes, content type, file name); audited (the file names
    the people who clicked)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(fmt)
    results = campaign_results(campaign)
    stamp = timezone.localdate().isoformat()
    name = f"campaign-{campaign.pk}-results-{stamp}.{fmt}"
    if fmt == "csv":
        data, content_type = export_csv(results), "text/csv; charset=utf-8"
    else:
        data, content_type = export_pdf(results), "application/pdf"
    audit.record(
        "export",
        campaign,
        message=f"Campaign results exported ({fmt}): {len(results.recipients)} recipients",
    )
    return data, content_type, name


def page_context(results: CampaignResults) -> dict[str, Any]:
    """What the results page, its live fragment and the PDF show."""
    funnel = results.funnel
    return {
        "campaign": results.campaign,
        "results": results,
        "funnel": funnel,
        "pct": _percents(funnel),
        "funnel_chart": funnel_chart(results),
        "delays_chart": delays_chart(results),
        "median_click": duration_text(results.median_seconds_to_click),
        "median_report": duration_text(results.median_seconds_to_report),
        "groups": [
            (_("By department"), results.by_department),
            (_("By profession"), results.by_profession),
            (_("By establishment"), results.by_establishment),
            (_("By template (A/B)"), results.by_variant),
        ],
        "clickers": [r for r in results.recipients if r.verdict is not None],
        "is_live": results.campaign.status == CampaignStatus.RUNNING,
        "poll_seconds": 10,
        "delay_labels": [str(label) for _bound, label in DELAY_BUCKETS],
    }
