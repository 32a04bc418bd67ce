"""The campaign back office over the API: a profile's password is write-only, the shared
library is read-only, GoPhish dry run then import, a campaign from creation to launch, and
another establishment's objects stay invisible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.awareness.models import Campaign, MailTemplate
from hygie.core.models import Person
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.django_db

SECRET = "relais-secret-api-99"


@pytest.fixture
def api(make_user, establishment_a) -> APIClient:
    return APIClient(issue_token(make_user("tina", "trainer", [establishment_a]), "write"))


def _profile(api, establishment, **extra):
    body = {
        "establishment_id": establishment.pk,
        "name": "Relais",
        "host": "127.0.0.1",
        "port": 2525,
        "security": "none",
        "envelope_from": "bounce@ght.example",
        "header_from": "DSI <dsi@ght.example>",
        "rate_per_minute": 10,
        **extra,
    }
    return api.post("/awareness/sending-profiles", body)


def test_profile_password_is_write_only(api, establishment_a):
    created = _profile(api, establishment_a, password=SECRET, custom_headers={"X-Sim": "1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["has_password"] is True and SECRET not in created.content.decode()
    assert "password" not in body
    pk = body["id"]
    changed = api.patch(f"/awareness/sending-profiles/{pk}", {"rate_per_minute": 5})
    assert changed.json()["has_password"] and changed.json()["rate_per_minute"] == 5
    bad = api.patch(f"/awareness/sending-profiles/{pk}", {"custom_headers": {"To": "x@y.example"}})
    assert bad.status_code in (400, 422)
    cleared = api.patch(f"/awareness/sending-profiles/{pk}", {"password": ""})
    assert cleared.json()["has_password"] is False


def test_library_is_listed_and_read_only(api, establishment_a):
    listed = api.get("/awareness/templates", {"language": "en", "limit": 100})
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 8 and all(item["establishment_id"] is None for item in items)
    library = items[0]["id"]
    denied = api.patch(f"/awareness/templates/{library}", {"name": "x"})
    assert denied.status_code == 403
    own = api.post(
        "/awareness/templates",
        {
            "establishment_id": establishment_a.pk,
            "name": "Colis",
            "subject": "Colis pour {{ department }}",
            "text": "Suivi : {{ tracking_link }}",
        },
    )
    assert own.status_code == 201, own.content
    renamed = api.patch(f"/awareness/templates/{own.json()['id']}", {"name": "Colis v2"})
    assert renamed.json()["name"] == "Colis v2" and renamed.json()["version"] == 2
    unknown = api.patch(f"/awareness/templates/{own.json()['id']}", {"text": "{{ password }}"})
    assert unknown.status_code in (400, 422)
    assert api.delete(f"/awareness/templates/{library}").status_code == 403


def test_gophish_dry_run_then_import(api, establishment_a):
    export = [
        {"name": "Colis", "subject": "Colis", "html": '<a href="{{.URL}}">Suivi</a>', "text": ""},
        {"name": "Page", "html": "<form><input name=login></form>", "capture_credentials": True},
    ]
    body = {"establishment_id": establishment_a.pk, "language": "fr", "export": export}
    preview = api.post("/awareness/templates/import-gophish", body)
    assert preview.status_code == 200 and preview.json()["imported"] is False
    assert {item["kind"] for item in preview.json()["items"]} == {"template", "page"}
    assert not MailTemplate.objects.filter(source="gophish").exists()
    done = api.post("/awareness/templates/import-gophish", {**body, "dry_run": False})
    assert done.json()["imported"] is True
    assert MailTemplate.objects.get(source="gophish").establishment == establishment_a


def test_campaign_created_targeted_planned_and_launched(api, establishment_a, establishment_b):
    profile = _profile(api, establishment_a).json()["id"]
    templates = api.get("/awareness/templates", {"language": "fr", "limit": 100}).json()["items"]
    pages = api.get("/awareness/landing-pages", {"language": "fr", "limit": 100}).json()["items"]
    start = timezone.now() + timedelta(days=1)
    created = api.post(
        "/awareness/campaigns",
        {
            "establishment_id": establishment_a.pk,
            "name": "Colis service",
            "sending_profile_id": profile,
            "template_a_id": templates[0]["id"],
            "template_b_id": templates[1]["id"],
            "landing_page_id": pages[0]["id"],
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(days=5)).isoformat(),
            "time_zone": "Europe/Paris",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for index in range(4):
        Person.objects.create(
            establishment=establishment_a, first_name=f"A{index}", last_name="T",
            email=f"a{index}@ght.example", profession="IDE",
        )  # fmt: skip
    Person.objects.create(
        establishment=establishment_b, first_name="B", last_name="T", email="b@ght.example"
    )
    added = api.post(
        f"/awareness/campaigns/{pk}/recipients",
        {"professions": ["IDE"], "targets": [{"email": "Externe@Prestataire.example"}]},
    )
    assert added.json() == {"added": 5, "total": 5}
    refused = api.post(
        f"/awareness/campaigns/{pk}/recipients", {"establishment_ids": [establishment_b.pk]}
    )
    assert refused.status_code in (400, 422)
    plan = api.get(f"/awareness/campaigns/{pk}/plan").json()
    assert len(plan) == 5 and "b@ght.example" not in {row["email"] for row in plan}
    launched = api.post(f"/awareness/campaigns/{pk}/launch")
    assert launched.status_code == 200 and launched.json()["status"] == "scheduled"
    progress = api.get(f"/awareness/campaigns/{pk}/progress").json()
    assert progress["total"] == 5 and progress["sent"] == 0 and progress["next_at"]
    recipients = api.get(f"/awareness/campaigns/{pk}/recipients").json()["items"]
    assert {r["variant"] for r in recipients} <= {"a", "b"} and "token" not in recipients[0]
    assert api.post(f"/awareness/campaigns/{pk}/launch").status_code in (400, 422)
    assert api.post(f"/awareness/campaigns/{pk}/cancel").json()["status"] == "cancelled"
    assert Campaign.objects.get(pk=pk).status == "cancelled"


def test_other_establishment_is_invisible(api, make_user, establishment_b):
    other = APIClient(issue_token(make_user("olga", "trainer", [establishment_b]), "write"))
    profile = _profile(other, establishment_b).json()["id"]
    assert api.get(f"/awareness/sending-profiles/{profile}").status_code == 404
    assert _profile(api, establishment_b).status_code == 403
