"""Sharing an incident with a partner: the PHI scrub (fictitious notes full of NIR, SSN and
names: none of them in the bundle), STIX 2.1 (stix2-validator clean) and MISP, TLP rules,
approval in the audit trail, download and MISP push (a local stub on 127.0.0.1: no real MISP in
CI), the incident's timeline, scoping, and the sector-CERT probe. Every value is synthetic."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nir(first13: str) -> str:
    return f"{first13}{97 - int(first13) % 97:02d}"


NIR_1 = _nir("1850578006084")
NIR_2 = _nir("2920175123456")
NIR_2_SPACED = " ".join(
    (NIR_2[0], NIR_2[1:3], NIR_2[3:5], NIR_2[5:7], NIR_2[7:10], NIR_2[10:13], NIR_2[13:])
)
SSN_1, SSN_2 = "512-45-6789", "457-55-5462"
PATIENTS = ("Jeanne Lefebvre", "Paul Girard", "Claire Fontaine")
STAFF = ("Alice Moreau", "Bernard Petit")
SECRETS = (
    NIR_1,
    NIR_2,
    NIR_2_SPACED,
    SSN_1,
    SSN_2,
    "06 12 34 56 78",
    "04/07/1971",
    *PATIENTS,
    *(part for name in (*PATIENTS, *STAFF) for part in name.split()),
)

NOTES = (
    f"Le dossier de la patiente Jeanne Lefebvre (NIR {NIR_1}) a été chiffré. "
    f"Patient Paul Girard, SSN {SSN_1}, né le 04/07/1971. Appel de Mme Claire Fontaine "
    f"au 06 12 34 56 78 ; NIR {NIR_2_SPACED}, SSN {SSN_2}. "
    "Alice Moreau a isolé le serveur ; le Dr Bernard a prévenu la direction. "
    "Le poste a contacté 203.0.113.5 et https://evil.example.net/drop."
)


@pytest.fixture
def staff(make_user, establishment_a):
    return make_user(
        "bpetit", "soc_analyst", [establishment_a], first_name="Bernard", last_name="Petit"
    )


@pytest.fixture
def sharer(make_user, establishment_a):
    return make_user("amoreau", "rssi", [establishment_a], first_name="Alice", last_name="Moreau")


@pytest.fixture
def incident(establishment_a, sharer, staff):
    from hygie.core.models import Alert
    from hygie.response.models import Incident, Observable
    from hygie.response.services.timeline import add_entry

    found = Incident.objects.create(
        reference="INC-2026-0042",
        establishment=establishment_a,
        title="Rançongiciel : dossier de Jeanne Lefebvre chiffré",
        description=NOTES,
        category="ransomware",
        severity=50,
        care_impact="degraded_mode",
        personal_data="true",
        risk_to_individuals="high",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        created_by=sharer,
        assignee=staff,
    )
    Observable.objects.create(
        incident=found,
        kind="ip",
        value="203.0.113.5",
        is_ioc=True,
        note="Serveur de commande vu par Alice Moreau",
    )
    Observable.objects.create(incident=found, kind="domain", value="evil.example.net", is_ioc=True)
    Observable.objects.create(
        incident=found,
        kind="hash",
        value="ab" * 32,
        is_ioc=True,
        note=f"Chiffreur ; NIR {NIR_1} dans le nom de fichier",
    )
    Observable.objects.create(
        incident=found, kind="host", value="srv-dossiers-patients", is_ioc=True
    )
    Observable.objects.create(incident=found, kind="ip", value="10.1.2.3", is_ioc=False)
    add_entry(found, f"Bernard Petit a appelé Paul Girard (SSN {SSN_2}).", author=staff)
    alert = Alert.objects.create(
        establishment=establishment_a,
        title="Chiffrement massif",
        source="detection",
        severity=50,
        tags=["T1486", "attack.T1059.001"],
        first_seen_at=found.discovered_at,
        last_seen_at=found.discovered_at,
    )
    found.alerts.add(alert)
    return found


def _leaks(document: Any) -> list[str]:
    text = json.dumps(document, ensure_ascii=False)
    return [secret for secret in SECRETS if secret in text]


def _partner(establishment, **extra):
    from hygie.intel.models import Partner

    values = {"name": "CERT Santé", "kind": "cert_sante", "max_tlp": "amber"}
    values.update(extra)
    return Partner.objects.create(establishment=establishment, **values)


def test_stix_bundle_has_no_phi_nor_staff_names_and_passes_the_validator(incident, sharer):
    from hygie.intel.services import sharing

    share = sharing.prepare(
        sharer,
        str(incident.pk),
        partner=_partner(incident.establishment),
        fmt="stix21",
        tlp="amber",
    )
    assert share.status == "draft" and share.incident_title.startswith("INC-2026-0042")
    assert _leaks(share.bundle) == []
    assert _leaks(share.removed) == []  # the record of what was removed is masked too
    types = {obj["type"] for obj in share.bundle["objects"]}
    assert {
        "identity",
        "marking-definition",
        "indicator",
        "attack-pattern",
        "note",
        "sighting",
    } <= types
    patterns = " ".join(o.get("pattern", "") for o in share.bundle["objects"])
    assert "203.0.113.5" in patterns and "evil.example.net" in patterns and "ab" * 32 in patterns
    assert "srv-dossiers" not in json.dumps(share.bundle) and "10.1.2.3" not in json.dumps(
        share.bundle
    )
    techniques = {o["name"] for o in share.bundle["objects"] if o["type"] == "attack-pattern"}
    assert techniques == {"T1486", "T1059.001"}
    note = next(o for o in share.bundle["objects"] if o["type"] == "note")
    assert "203.0.113.5" in note["content"] and "[FR_NIR removed]" in note["content"]
    reasons = {(row["entity"], row["reason"]) for row in share.removed}
    assert {
        ("FR_NIR", "phi"),
        ("US_SSN", "phi"),
        ("PERSON", "staff_name"),
        ("host", "internal"),
        ("ip", "not_ioc"),
    } <= reasons
    marking = next(o for o in share.bundle["objects"] if o["type"] == "marking-definition")
    assert all(
        marking["id"] in o.get("object_marking_refs", [marking["id"]])
        for o in share.bundle["objects"]
        if o["type"] not in ("marking-definition",)
    )

    validator = pytest.importorskip("stix2validator")
    result = validator.validate_string(
        json.dumps(share.bundle), validator.ValidationOptions(version="2.1")
    )
    assert result.is_valid, [str(error) for error in result.errors]


def test_misp_event_is_scrubbed_and_tagged(incident, sharer):
    from hygie.intel.services import sharing

    share = sharing.prepare(sharer, str(incident.pk), partner=None, fmt="misp", tlp="green")
    event = share.bundle["Event"]
    assert _leaks(share.bundle) == []
    assert {"name": "tlp:green"} in event["Tag"]
    values = {attribute["value"] for attribute in event["Attribute"]}
    assert {"203.0.113.5", "evil.example.net", "ab" * 32} <= values


def test_staff_names_are_kept_only_when_chosen(incident, sharer):
    from hygie.intel.services import sharing

    share = sharing.prepare(
        sharer, str(incident.pk), partner=None, tlp="amber", keep_staff_names=True
    )
    text = json.dumps(share.bundle, ensure_ascii=False)
    assert "Alice Moreau" in text
    assert all(name not in text for name in PATIENTS) and NIR_1 not in text


def test_tlp_rules(incident, sharer):
    from hygie.intel.services import sharing

    with pytest.raises(ValidationError):
        sharing.prepare(sharer, str(incident.pk), partner=None, tlp="red")
    green_only = _partner(incident.establishment, name="ISAC", kind="isac", max_tlp="green")
    with pytest.raises(ValidationError):
        sharing.prepare(sharer, str(incident.pk), partner=green_only, tlp="amber")
    assert sharing.prepare(sharer, str(incident.pk), partner=green_only, tlp="green").tlp == "green"


def test_another_establishment_cannot_share_the_incident(incident, user_b, establishment_b):
    from hygie.intel.services import sharing

    with pytest.raises(PermissionDenied):
        sharing.prepare(user_b, str(incident.pk), partner=None)


def test_an_analyst_without_the_share_capability_cannot_prepare(incident, staff):
    from hygie.intel.services import sharing

    with pytest.raises(PermissionDenied):
        sharing.prepare(staff, str(incident.pk), partner=None)


def test_nothing_leaves_before_approval(incident, sharer):
    from hygie.intel.services import sharing

    share = sharing.prepare(sharer, str(incident.pk), partner=_partner(incident.establishment))
    with pytest.raises(ValidationError):
        sharing.download(sharer, share)
    with pytest.raises(ValidationError):
        sharing.send(sharer, share)


def test_pages_prepare_preview_approve_download_and_timeline(client, login, incident, sharer):
    from hygie.core.models import AuditEntry
    from hygie.intel.models import IncidentShare

    partner = _partner(incident.establishment)
    login(sharer)
    page = client.get(reverse("response:incident_detail", args=[incident.pk]))
    prepare_url = reverse("intel:incidentshare_prepare") + f"?incident={incident.pk}"
    assert prepare_url in page.content.decode()

    assert client.get(prepare_url).status_code == 200
    answer = client.post(
        prepare_url,
        {"incident": incident.pk, "partner": partner.pk, "format": "stix21", "tlp": "amber"},
    )
    assert answer.status_code == 302
    share = IncidentShare.objects.get()
    preview = client.get(answer["Location"]).content.decode()
    assert "FR_NIR" in preview and "Jeanne" not in preview and NIR_1 not in preview

    client.post(reverse("intel:incidentshare_approve", args=[share.pk]))
    share.refresh_from_db()
    assert share.status == "approved" and share.approved_by == sharer
    assert AuditEntry.objects.filter(
        object_type="intel.incidentshare", object_id=str(share.pk), action="update"
    ).exists()

    download = client.post(reverse("intel:incidentshare_download", args=[share.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('INC-2026-0042-stix.json"')
    assert _leaks(json.loads(download.content)) == []
    share.refresh_from_db()
    assert share.status == "downloaded"
    entry = incident.timeline.order_by("-pk").first()
    assert "CERT Santé" in entry.text and "TLP:AMBER" in entry.text
    assert set(entry.texts) >= {"fr", "en"}


def test_incident_page_has_no_share_link_without_the_capability(client, login, incident, staff):
    login(staff)
    page = client.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    assert reverse("intel:incidentshare_prepare") not in page


class _MispStub(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _MispStub.received.append(
            {"path": self.path, "key": self.headers.get("Authorization"), "event": json.loads(body)}
        )
        answer = json.dumps({"Event": {"id": "1234", "uuid": "x"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def misp_stub(settings):
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    _MispStub.received = []
    server = HTTPServer(("127.0.0.1", 0), _MispStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_send_a_misp_event_to_the_partner(incident, sharer, misp_stub):
    from hygie.intel.services import sharing

    partner = _partner(incident.establishment, misp_url=misp_stub + "/")
    partner.set_secret("misp-test-key-0123456789")
    partner.save()
    share = sharing.prepare(sharer, str(incident.pk), partner=partner, fmt="misp", tlp="amber")
    sharing.approve(sharer, share)
    sharing.send(sharer, share)
    share.refresh_from_db()
    assert share.status == "sent" and share.destination.endswith("event 1234")
    [request] = _MispStub.received
    assert request["path"] == "/events" and request["key"] == "misp-test-key-0123456789"
    assert _leaks(request["event"]) == []
    assert "Shared with CERT Santé" in incident.timeline.order_by("-pk").first().texts["en"]


def test_a_failed_push_is_kept_with_its_error(incident, sharer, settings):
    from hygie.intel.services import sharing

    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = []
    partner = _partner(incident.establishment, misp_url="http://127.0.0.1:9/")
    partner.set_secret("misp-test-key-0123456789")
    partner.save()
    share = sharing.prepare(sharer, str(incident.pk), partner=partner, fmt="misp", tlp="amber")
    sharing.approve(sharer, share)
    with pytest.raises(sharing.ShareError):
        sharing.send(sharer, share)
    share.refresh_from_db()
    assert share.status == "failed" and "loopback" in share.error
    assert "misp-test-key" not in share.error


def test_probe_incidents_shared_with_the_sector_cert(incident, sharer, establishment_b):
    from hygie.intel.probes import incidents_shared_with_cert
    from hygie.intel.services import sharing

    assert incidents_shared_with_cert(establishment_b).status == "not_applicable"
    assert incident.obligations.filter(obligation_id="cert_sante", applies=True).exists()
    result = incidents_shared_with_cert(incident.establishment)
    assert result.status == "fail" and result.params == {"shared": 0, "required": 1}

    isac = _partner(incident.establishment, name="ISAC", kind="isac")
    other = sharing.prepare(sharer, str(incident.pk), partner=isac)
    sharing.approve(sharer, other)
    sharing.download(sharer, other)
    assert incidents_shared_with_cert(incident.establishment).status == "fail"

    share = sharing.prepare(sharer, str(incident.pk), partner=_partner(incident.establishment))
    sharing.approve(sharer, share)
    sharing.download(sharer, share)
    result = incidents_shared_with_cert(incident.establishment)
    assert result.status == "pass" and result.summary_id


def test_api_prepare_approve_download(incident, sharer, user_b):
    from tests.apps.core.api_support import APIClient, issue_token

    partner = _partner(incident.establishment)
    api = APIClient(issue_token(sharer, "write"))
    created = api.post(
        "/intel/shares",
        {"incident_ref": str(incident.pk), "partner_id": partner.pk, "format": "misp"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and _leaks(body) == []
    assert (
        api.post("/intel/shares", {"incident_ref": str(incident.pk), "tlp": "red"}).status_code
        == 422
    )
    share_id = body["id"]
    assert api.post(f"/intel/shares/{share_id}/download").status_code == 422  # not approved
    assert api.post(f"/intel/shares/{share_id}/approve").json()["status"] == "approved"
    download = api.post(f"/intel/shares/{share_id}/download")
    assert download.status_code == 200 and _leaks(json.loads(download.content)) == []
    assert api.get(f"/intel/shares/{share_id}").json()["status"] == "downloaded"

    other = APIClient(issue_token(user_b, "write"))
    assert other.get(f"/intel/shares/{share_id}").status_code == 404
    assert other.post("/intel/shares", {"incident_ref": str(incident.pk)}).status_code == 403


def test_sharing_pages_read_in_french(client, login, incident, sharer):
    from django.utils import translation

    login(sharer)
    with translation.override("fr"):
        page = client.get(
            reverse("intel:incidentshare_prepare") + f"?incident={incident.pk}",
            HTTP_ACCEPT_LANGUAGE="fr",
        ).content.decode()
        assert "Partager avec un partenaire" in page and "Préparer l'aperçu" in page
        answer = client.post(
            reverse("intel:incidentshare_prepare"),
            {"incident": incident.pk, "format": "stix21", "tlp": "amber"},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        preview = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retiré avant le partage" in preview and "un membre du personnel" in preview


def test_two_person_approval_on_pages_and_api(client, login, incident, sharer, make_user, settings):
    """Four-eyes (decision 0047): the preparer may not approve; another sharer may."""
    from hygie.intel.models import IncidentShare
    from tests.apps.core.api_support import APIClient, issue_token

    settings.HYGIE_INTEL_TWO_PERSON_APPROVAL = True
    settings.LANGUAGE_CODE = "en"  # the assertions quote the source messages
    second = make_user("cdupont", "rssi", [incident.establishment])
    api = APIClient(issue_token(sharer, "write"))
    share_id = api.post("/intel/shares", {"incident_ref": str(incident.pk)}).json()["id"]
    refused = api.post(f"/intel/shares/{share_id}/approve")
    assert refused.status_code == 422 and "Two-person" in refused.content.decode()

    login(sharer)
    detail = reverse("intel:incidentshare_detail", args=[share_id])
    approve = reverse("intel:incidentshare_approve", args=[share_id])
    page = client.get(detail).content.decode()
    assert approve not in page and "someone other than you" in page
    client.post(approve)
    assert IncidentShare.objects.get().status == "draft"

    login(second)
    assert approve in client.get(detail).content.decode()
    client.post(approve)
    share = IncidentShare.objects.get()
    assert share.status == "approved" and share.approved_by == second
    assert share.prepared_by == sharer
