"""KPIs from milestones, the post-incident report and the GDPR breach register (real files)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from hygie.response.models import Incident, Task, TimelineEntry
from hygie.response.services import reports
from tests.apps.response.test_drafts_services import make_obligation

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def make_incident(establishment, reference, **facts):
    defaults = dict(title="Incident synthétique", category="malware", discovered_at=T0)
    return Incident.objects.create(
        reference=reference, establishment=establishment, **{**defaults, **facts}
    )


def test_incident_kpis_from_milestones(incident):
    Incident.objects.filter(pk=incident.pk).update(
        occurred_at=T0 - timedelta(hours=30),
        contained_at=T0 + timedelta(hours=4),
        post_incident_at=T0 + timedelta(days=3),
    )
    incident.refresh_from_db()
    kpis = reports.incident_kpis(incident)
    assert kpis.time_to_detect == timedelta(hours=30)
    assert kpis.time_to_contain == timedelta(hours=4)
    assert kpis.time_to_recover == timedelta(days=3)  # no recovery phase: post-incident
    Incident.objects.filter(pk=incident.pk).update(recovered_at=T0 + timedelta(days=2))
    incident.refresh_from_db()
    assert reports.incident_kpis(incident).time_to_recover == timedelta(days=2)


def test_missing_or_inconsistent_milestones_give_no_kpi(incident):
    Incident.objects.filter(pk=incident.pk).update(occurred_at=T0 + timedelta(hours=1))
    incident.refresh_from_db()
    kpis = reports.incident_kpis(incident)
    assert kpis.time_to_detect is None  # started after discovery: a typo, not a negative KPI
    assert kpis.time_to_contain is None and kpis.time_to_recover is None


def test_obligation_outcomes(incident):
    due = T0 + timedelta(hours=72)
    now = T0 + timedelta(days=10)
    for obligation in incident.obligations.all():
        obligation.delete()
    make_obligation(incident, "gdpr_art33", due=due, status="done", done_at=due - timedelta(1))
    make_obligation(
        incident, "nis2_notification", due=due, status="done", done_at=due + timedelta(hours=1)
    )
    make_obligation(incident, "nis2_early_warning", due=T0 + timedelta(hours=24))
    make_obligation(incident, "hipaa_hhs", due=now + timedelta(days=1))
    make_obligation(incident, "cert_sante")  # "sans délai": no due instant, still open
    make_obligation(incident, "gdpr_art34", applies=False)
    tally = reports.tally(incident.obligations.all(), now)
    assert (tally.on_time, tally.late, tally.overdue, tally.open) == (1, 1, 1, 2)
    assert tally.total == 5


def test_sans_delai_is_pending_never_overdue(incident):
    """CERT Santé "sans délai" sorts as due at discovery but has no fixed deadline."""
    declared = make_obligation(incident, "cert_sante", due=T0)
    declared.deadline_kind = "immediate"
    declared.save()
    assert reports.obligation_outcome(declared, T0 + timedelta(days=3)) == "open"


def test_aggregate_median_mean_per_establishment(establishment_a, establishment_b):
    for index, hours in enumerate((2, 4, 12)):
        make_incident(
            establishment_a,
            f"INC-A-{index}",
            contained_at=T0 + timedelta(hours=hours),
            occurred_at=T0 - timedelta(hours=1),
        )
    make_incident(establishment_b, "INC-B-1", contained_at=T0 + timedelta(hours=100))
    make_incident(
        establishment_a, "INC-A-old", discovered_at=T0 - timedelta(days=400), contained_at=T0
    )
    overall, per = reports.aggregate_kpis(Incident.objects.all(), since=T0 - timedelta(days=30))
    assert overall.incidents == 4
    by_name = {summary.label: summary for summary in per}
    alpha = by_name["CH Alpha"].metrics["time_to_contain"]
    assert (alpha.count, alpha.median, alpha.mean) == (3, timedelta(hours=4), timedelta(hours=6))
    assert by_name["CH Alpha"].metrics["time_to_detect"].median == timedelta(hours=1)
    assert by_name["Clinique Beta"].metrics["time_to_detect"].count == 0
    assert overall.metrics["time_to_contain"].median == timedelta(hours=8)


def test_format_duration():
    assert reports.format_duration(None) == "—"
    assert reports.format_duration(timedelta(minutes=5)) == "5 min"
    assert reports.format_duration(timedelta(hours=6, minutes=5)) == "6 h 05 min"
    assert reports.format_duration(timedelta(days=2, hours=1)) == "2 j 1 h 00 min"  # French
    with translation.override("en"):
        assert reports.format_duration(timedelta(days=2, hours=1)) == "2 d 1 h 00 min"


def test_report_context_collects_decisions_and_timeline(incident, user_a):
    Task.objects.create(
        incident=incident,
        title="Couper l'accès VPN",
        is_decision=True,
        decision="Accès coupé pour tous les prestataires",
        status="done",
        completed_at=T0 + timedelta(hours=2),
    )
    TimelineEntry.objects.create(
        incident=incident,
        at=T0 + timedelta(hours=1),
        kind="decision",
        text="Cellule de crise activée",
        author=user_a,
    )
    TimelineEntry.objects.create(
        incident=incident,
        at=T0 + timedelta(minutes=30),
        kind="log",
        text="Appel du standard",
        author=user_a,
    )
    Task.objects.create(incident=incident, title="Payer la rançon ?", is_decision=True)  # open
    context = reports.report_context(incident)
    assert [d["text"] for d in context["decisions"]] == [
        "Cellule de crise activée",
        "Accès coupé pour tous les prestataires",
    ]
    assert "Appel du standard" in [entry.text for entry in context["timeline"]]


def test_report_pdf_has_sections_in_establishment_time(incident, user_a):
    from pypdf import PdfReader

    incident.root_cause = "Mot de passe VPN réutilisé"
    incident.lessons_learned = "Activer le MFA sur le VPN"
    incident.save()
    TimelineEntry.objects.create(
        incident=incident, at=T0, kind="log", text="Début de crise", author=user_a
    )
    data = reports.render_report_pdf(incident, "en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for expected in (
        incident.reference,
        "Root cause",
        "Mot de passe VPN réutilisé",
        "Lessons learned",
        "Activer le MFA",
        "Regulatory obligations",
        "Time to contain",
        "Début de crise",
    ):
        assert expected in text, expected
    # 09:00 UTC shown in Europe/Paris, in the display convention (decision 0025); a table cell
    # may wrap it.
    assert "10 March 2026 10:00 CET" in " ".join(text.split())


@pytest.mark.usefixtures("english")
def test_register_contents_unknown_is_to_confirm(incident, establishment_a):
    make_incident(establishment_a, "INC-NO-DATA", personal_data="false")
    confirmed = make_incident(
        establishment_a,
        "INC-DATA",
        category="data_breach",
        personal_data="true",
        data_categories=["health"],
        individuals_affected=45,
        risk_to_individuals="high",
        follow_up_actions="Revoir les droits d'accès",
    )
    Task.objects.create(incident=confirmed, title="Purger la boîte partagée", status="done")
    make_obligation(confirmed, "gdpr_art33", status="done", done_at=T0 + timedelta(hours=20))
    make_obligation(confirmed, "gdpr_art34", applies=False)
    rows = reports.breach_register(reports.breach_incidents(Incident.objects.all()))
    by_reference = {row.reference: row for row in rows}
    assert set(by_reference) == {incident.reference, "INC-DATA"}
    assert by_reference[incident.reference].to_confirm is True
    row = by_reference["INC-DATA"]
    assert row.to_confirm is False and row.individuals == 45
    assert row.authority_notified == "Yes" and row.authority_notified_at == T0 + timedelta(hours=20)
    assert row.individuals_informed == "No (not required)"
    assert "Purger la boîte partagée" in row.remedial_action
    assert "Revoir les droits" in row.remedial_action
    assert "Health data" in row.data_categories


@pytest.mark.usefixtures("english")
def test_register_csv_neutralises_formulas(establishment_a):
    formula = make_incident(establishment_a, "INC-FORMULA", personal_data="true")
    Task.objects.create(incident=formula, title='=HYPERLINK("http://x")', status="done")
    data, content_type, filename = reports.export_register(
        reports.breach_incidents(Incident.objects.all()), "csv"
    )
    assert content_type.startswith("text/csv") and filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Establishment", "Discovered at"]
    assert rows[1][rows[0].index("Remedial action")] == '\'=HYPERLINK("http://x")'


@pytest.mark.usefixtures("english")
def test_register_xlsx_opens(incident):
    from openpyxl import load_workbook

    data, content_type, _ = reports.export_register(
        reports.breach_incidents(Incident.objects.all()), "xlsx"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert rows[1][0] == incident.reference
    assert "spreadsheetml" in content_type


@pytest.mark.usefixtures("english")
def test_register_xlsx_cells_never_hold_a_formula(establishment_a):
    from openpyxl import load_workbook

    formula = make_incident(establishment_a, "INC-XLSX", personal_data="true")
    Task.objects.create(incident=formula, title="@SUM(1+1)", status="done")
    data, _type, _name = reports.export_register(
        reports.breach_incidents(Incident.objects.all()), "xlsx"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    remedial = [cell for cell in sheet[2] if "SUM(1+1)" in str(cell.value)]
    assert [cell.value for cell in remedial] == ["'@SUM(1+1)"]
    assert all(
        cell.data_type == "s"
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None and not isinstance(cell.value, int | float)
    )


def test_register_filters(incident, establishment_a):
    make_incident(
        establishment_a, "INC-LATER", personal_data="true", discovered_at=T0 + timedelta(days=40)
    )
    everything = Incident.objects.all()
    assert [i.reference for i in reports.breach_incidents(everything, personal_data="true")] == [
        "INC-LATER"
    ]
    assert [
        i.reference
        for i in reports.breach_incidents(everything, until=(T0 + timedelta(days=1)).date())
    ] == [incident.reference]
    assert [
        i.reference
        for i in reports.breach_incidents(everything, since=(T0 + timedelta(days=1)).date())
    ] == ["INC-LATER"]
