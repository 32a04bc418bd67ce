"""The posture dashboard: tiles from every module's dashboard.py, one card per establishment,
scoped to the user, accessible SVG charts, and a query count that does not grow with data."""

from __future__ import annotations

import re
import sys
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hygie import modules
from hygie.core.charts import render_chart
from hygie.core.models import Establishment
from hygie.core.registries import (
    DashboardTile,
    Series,
    TileData,
    TilePart,
    dashboard_tiles,
    probes,
    tiles_for,
)
from hygie.core.services.alerts import raise_alert
from hygie.core.services.demo import load_demo
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _fresh_probe_cache():
    cache.clear()
    yield
    cache.clear()


def test_every_module_contributes_tiles_through_its_dashboard_file():
    ids = {key for key, _tile in dashboard_tiles.items()}
    assert {
        "core.open_alerts",
        "core.failing_probes",
        "detection.last_24_hours",
        "detection.alerts_30_days",
        "privacy.untriaged_findings",
        "privacy.findings_trend",
        "response.open_incidents",
        "response.next_deadline",
        "response.incidents_30_days",
    } <= ids
    assert "dashboard" in modules.CONVENTIONAL_MODULES
    assert {
        "hygie.core.dashboard",
        "hygie.detection.dashboard",
        "hygie.privacy.dashboard",
        "hygie.response.dashboard",
    } <= set(sys.modules)


def test_tiles_follow_capabilities_and_order(make_user, establishment_a):
    staff = make_user("agent", "staff", [establishment_a])
    rssi = make_user("rssi", "rssi", [establishment_a])
    assert "core.open_alerts" not in [tile.id for tile in tiles_for(staff)]
    orders = [tile.order for tile in tiles_for(rssi)]
    assert orders == sorted(orders)


def test_a_tile_registered_by_a_new_module_appears_without_core_edits(
    client, make_user, login, establishment_a
):
    def compute(user, establishments):
        return {
            est.pk: TileData(value=f"devices-{est.pk}", status="warning") for est in establishments
        }

    extra = DashboardTile(
        id="devices.vital_at_risk", title="Vital devices at risk", order=50, compute=compute
    )
    login(make_user("rssi", "rssi", [establishment_a]))
    with dashboard_tiles.override({**dict(dashboard_tiles.items()), extra.id: extra}):
        content = client.get(reverse("core:dashboard")).content.decode()
    assert "Vital devices at risk" in content
    assert f"devices-{establishment_a.pk}" in content


def test_a_tile_can_supersede_another_and_long_breakdowns_fold(
    client, make_user, login, establishment_a
):
    def compute(user, establishments):
        parts = [TilePart(f"check-{n}", "✗") for n in range(8)]
        return {est.pk: TileData(value=8, status="critical", parts=parts) for est in establishments}

    stored = DashboardTile(
        id="extra.stored_checks",
        title="Stored checks",
        order=60,
        compute=compute,
        supersedes=("core.failing_probes",),
    )
    rssi = make_user("rssi", "rssi", [establishment_a])
    login(rssi)
    with dashboard_tiles.override({**dict(dashboard_tiles.items()), stored.id: stored}):
        ids = [tile.id for tile in tiles_for(rssi)]
        content = client.get(reverse("core:dashboard")).content.decode()
    assert "extra.stored_checks" in ids and "core.failing_probes" not in ids
    assert "check-4" in content and "check-5" not in content  # five shown, the rest counted
    assert "et 3 autres" in content  # the user's language (French by default)


def test_tile_status_must_be_known():
    with pytest.raises(ValueError):
        TileData(value=1, status="red")


@pytest.mark.usefixtures("english")
def test_b_numbers_never_reach_a(client, make_user, login, establishment_a, establishment_b):
    for index in range(3):
        raise_alert(
            establishment=establishment_b,
            source="detection",
            title=f"B only {index}",
            severity=50,
        )
    raise_alert(establishment=establishment_a, source="detection", title="A one", severity=30)
    login(make_user("alice", "rssi", [establishment_a]))
    response = client.get(reverse("core:dashboard"))
    rows = response.context["posture"]
    assert [row.establishment.pk for row in rows] == [establishment_a.pk]
    alerts = next(cell for cell in rows[0].figures if cell.tile.id == "core.open_alerts")
    assert alerts.data.value == 1
    content = response.content.decode()
    assert establishment_b.name not in content
    assert f"establishment={establishment_b.pk}" not in content


@pytest.mark.usefixtures("english")
def test_a_user_of_two_establishments_gets_one_card_each(
    client, make_user, login, establishment_a, establishment_b
):
    raise_alert(establishment=establishment_b, source="detection", title="B", severity=50)
    login(make_user("both", "rssi", [establishment_a, establishment_b]))
    rows = client.get(reverse("core:dashboard")).context["posture"]
    by_pk = {row.establishment.pk: row for row in rows}
    assert set(by_pk) == {establishment_a.pk, establishment_b.pk}
    values = {
        pk: next(c.data for c in row.figures if c.tile.id == "core.open_alerts")
        for pk, row in by_pk.items()
    }
    assert (values[establishment_a.pk].value, values[establishment_b.pk].value) == (0, 1)
    assert values[establishment_b.pk].status == "critical"
    assert values[establishment_a.pk].status == "ok"


def _demo_admin(make_user):
    load_demo()
    return make_user("demo-rssi", "rssi", all_establishments=True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_page_renders_the_demo(client, make_user, login, settings, language):
    settings.LANGUAGE_CODE = language
    login(_demo_admin(make_user))
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    rows = response.context["posture"]
    assert len(rows) == Establishment.objects.count() >= 2
    content = response.content.decode()
    heading = (
        "Posture de sécurité par établissement"
        if language == "fr"
        else ("Security posture by establishment")
    )
    assert heading in content
    # The demo's ransomware incident has a live regulatory clock on its establishment.
    deadlines = [
        cell.data
        for row in rows
        for cell in row.figures
        if cell.tile.id == "response.next_deadline"
    ]
    assert any(data.link and "obligations" in data.link for data in deadlines)
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", content, re.S)
    assert len(charts) == 3 * len(rows)
    assert content.count('<div class="visually-hidden"><table>') == len(charts)
    # The core's live checks, or the tile of a module that supersedes them (stored results).
    failing_ids = {"core.failing_probes"} | {
        tile.id for tile in dashboard_tiles.values() if "core.failing_probes" in tile.supersedes
    }
    failing = [cell.data for row in rows for cell in row.figures if cell.tile.id in failing_ids]
    assert any(data.parts for data in failing)  # the demo leaves some checks failing
    if language == "fr":
        assert "Alertes par jour" in content and "Alerts per day" not in content
        assert "Découvertes" in content and "Corrigées" in content
        # Failing checks are named in French (probe titles are msgids, translated when shown).
        assert not [probe.title for probe in probes.values() if probe.title in content]


def test_svg_charts_carry_text_alternatives():
    series = Series(
        title="Alerts per day",
        description="New alerts <per> day.",
        labels=["01/12", "02/12", "03/12"],
        values={"All alerts": [0, 4, 1], "High or critical": [0, 2, 0]},
    )
    with translation.override("en"):
        html = str(render_chart(series, "chart-test"))
    svg = ElementTree.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-test-title chart-test-desc"
    assert svg.find(f"{SVG}title").text == "Alerts per day"
    desc = svg.find(f"{SVG}desc").text
    assert "New alerts <per> day." in desc  # escaped in the markup, read back as text
    assert "All alerts: 5 in total, at most 4 (02/12)." in desc
    # Every bar has its own tooltip; the two series differ by pattern, not colour only.
    titles = [el.text for el in svg.iter(f"{SVG}title")][1:]
    assert "All alerts, 02/12: 4" in titles and "High or critical, 02/12: 2" in titles
    patterns = svg.findall(f".//{SVG}pattern")
    assert len(patterns) == 2
    assert [len(list(p)) for p in patterns] != [1, 1]  # one solid, one hatched
    # The hidden table repeats every value.
    assert '<div class="visually-hidden"><table><caption>Alerts per day</caption>' in html
    assert '<tr><th scope="row">02/12</th><td>4</td><td>2</td></tr>' in html


def test_line_charts_differ_by_dash_and_marker():
    series = Series(
        title="PHI findings",
        description="Found and remediated.",
        labels=["a", "b"],
        values={"Found": [1, 2], "Remediated": [0, 1]},
        kind="lines",
    )
    html = str(render_chart(series, "c"))
    svg = ElementTree.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")


def test_an_empty_chart_labels_its_axis_once():
    """Incidents per day of a quiet establishment drew "0" at the top and "0" at the bottom."""
    series = Series(
        title="Incidents per day",
        description="Incidents.",
        labels=["a", "b"],
        values={"Incidents": [0, 0]},
    )
    html = str(render_chart(series, "quiet"))
    svg = re.search(r"<svg.*</svg>", html, re.S).group(0)
    assert svg.count(">0</text>") == 1
    busy = Series(title="t", description="d", labels=["a"], values={"Incidents": [3]})
    assert ">3</text>" in str(render_chart(busy, "busy"))


def _dashboard_queries(client, user, login):
    login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("core:dashboard")).status_code == 200
    return len(captured)


def test_query_count_is_bounded_per_establishment(client, make_user, login):
    user = _demo_admin(make_user)
    count = Establishment.objects.count()
    with_probes = _dashboard_queries(client, user, login)
    # Probes run per establishment (then are cached); the tiles themselves are per page.
    assert with_probes <= 60 + 40 * count, with_probes
    # Cached probes: the page costs a fixed number of queries whatever the data.
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("core:dashboard"))
    cached = len(captured)
    for index in range(20):
        raise_alert(
            establishment=Establishment.objects.first(),
            source="detection",
            title=f"more {index}",
            severity=40,
        )
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("core:dashboard"))
    assert len(captured) == cached
    assert cached <= 60, cached
    # More establishments, once their probes are cached, cost no more queries either.
    organisation = Establishment.objects.first().organisation
    for index in range(3):
        Establishment.objects.create(organisation=organisation, name=f"Site {index}", kind="ch")
    client.get(reverse("core:dashboard"))  # runs and caches the new sites' probes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("core:dashboard"))
    assert len(response.context["posture"]) == count + 3
    assert len(captured) == cached


def test_the_api_serves_the_same_scoped_tiles(make_user, establishment_a, establishment_b):
    from tests.apps.core.api_support import APIClient, issue_token

    raise_alert(establishment=establishment_b, source="detection", title="B", severity=50)
    raise_alert(establishment=establishment_a, source="detection", title="A", severity=20)
    api = APIClient(issue_token(make_user("alice", "rssi", [establishment_a]), "read"))
    response = api.get("/dashboard")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["establishment_id"] for row in body] == [establishment_a.pk]
    tiles = {tile["id"]: tile for tile in body[0]["tiles"]}
    assert tiles["core.open_alerts"]["value"] == 1
    assert tiles["core.open_alerts"]["status"] == "warning"
    chart = tiles["detection.alerts_30_days"]["series"]
    assert len(chart["labels"]) == 30 and sum(chart["values"]["All alerts"]) == 1
    orders = [dashboard_tiles.get(tile["id"]).order for tile in body[0]["tiles"]]
    assert orders == sorted(orders)
    assert APIClient(None).get("/dashboard").status_code == 401
