"""``hygie intel share…``: preview (nothing stored), prepare, approve (recorded in the audit trail
with the account, the cli channel and the OS user), send or download, through the same service
as the pages; two-person approval; located errors and exit codes. Synthetic data only (the
incident of test_sharing: fictitious NIR, SSN and names)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hygie.intel.cli import intel as intel_cli
from tests.apps.intel.test_sharing import NIR_1, _leaks, _partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """The command speaks the operator's language (LC_ALL, LANG): English here."""
    monkeypatch.setenv("LC_ALL", "C")


def _run(*args: str):
    return CliRunner().invoke(intel_cli, list(args))


def test_preview_prints_what_was_removed_and_stores_nothing(incident, sharer):
    from hygie.intel.models import IncidentShare

    result = _run("share", str(incident.pk), "--as", sharer.username, "--preview")
    assert result.exit_code == 0, result.output
    assert "FR_NIR" in result.output and "Personal or health data" in result.output
    assert NIR_1 not in result.output and "Jeanne" not in result.output
    assert "nothing stored, nothing sent" in result.output
    assert not IncidentShare.objects.exists()
    content = _run(
        "share", str(incident.pk), "--as", sharer.username, "--preview", "--show-content"
    )
    assert '"type": "bundle"' in content.output and NIR_1 not in content.output


def test_prepare_approve_download_in_one_go(incident, sharer, tmp_path):
    from hygie.core.models import AuditEntry
    from hygie.intel.models import IncidentShare

    target = tmp_path / "share.json"
    partner = _partner(incident.establishment)
    result = _run(
        "share",
        str(incident.pk),
        "--as",
        sharer.username,
        "--partner",
        str(partner.pk),
        "--format",
        "misp",
        "--tlp",
        "green",
        "--approve",
        "--download",
        str(target),
    )
    assert result.exit_code == 0, result.output
    share = IncidentShare.objects.get()
    assert share.status == "downloaded" and share.approved_by == sharer
    assert share.prepared_by == sharer and share.format == "misp" and share.tlp == "green"
    document = json.loads(target.read_text())
    assert "Event" in document and _leaks(document) == []
    approval = AuditEntry.objects.filter(
        object_type="intel.incidentshare", object_id=str(share.pk), action="update"
    ).first()
    assert approval is not None and approval.actor == sharer and approval.channel == "cli"
    assert approval.user_agent.startswith("hygie CLI (")
    assert AuditEntry.objects.filter(action="export", actor=sharer, channel="cli").exists()
    entry = incident.timeline.order_by("-pk").first()
    assert "CERT Santé" in entry.text and "TLP:GREEN" in entry.text


def test_draft_then_approve_by_another_person_under_two_person_rule(
    incident, sharer, make_user, settings, tmp_path
):
    from hygie.intel.models import IncidentShare

    settings.HYGIE_INTEL_TWO_PERSON_APPROVAL = True
    second = make_user("cdupont", "rssi", [incident.establishment])
    result = _run("share", str(incident.pk), "--as", sharer.username, "--download", "x.json")
    assert result.exit_code == 0, result.output
    share = IncidentShare.objects.get()
    assert share.status == "draft" and f"share-approve {share.pk}" in result.output
    assert "two-person approval" in result.output

    refused = _run("share-approve", str(share.pk), "--as", sharer.username)
    assert refused.exit_code == 2 and "Two-person approval" in refused.output
    one_go = _run(
        "share", str(incident.pk), "--as", sharer.username, "--download", "y.json", "--approve"
    )
    assert one_go.exit_code == 2 and "Two-person approval" in one_go.output
    assert not (tmp_path / "y.json").exists()

    listed = _run("shares", "--as", second.username, "--status", "draft")
    assert listed.output.startswith(f"{share.pk}\tdraft\t") and "\tamoreau\t-" in listed.output
    target = tmp_path / "z.json"
    approved = _run(
        "share-approve", str(share.pk), "--as", second.username, "--download", str(target)
    )
    assert approved.exit_code == 0, approved.output
    share.refresh_from_db()
    assert share.approved_by == second and share.status == "downloaded"
    assert target.exists()
    again = _run("share-download", str(share.pk), str(target), "--as", sharer.username)
    assert again.exit_code == 0, again.output


def test_errors_are_located_with_exit_codes(incident, sharer, staff, user_b):
    partner = _partner(incident.establishment, max_tlp="green")
    unknown_user = _run("share", str(incident.pk), "--as", "nobody", "--preview")
    assert unknown_user.exit_code == 2 and "--as nobody" in unknown_user.output
    no_target = _run("share", str(incident.pk), "--as", sharer.username)
    assert no_target.exit_code == 2 and "--partner ID" in no_target.output
    too_high = _run(
        "share", str(incident.pk), "--as", sharer.username, "--partner", str(partner.pk),
        "--tlp", "amber", "--preview",
    )  # fmt: skip
    assert too_high.exit_code == 2 and "tlp:" in too_high.output and "GREEN" in too_high.output
    red = _run("share", str(incident.pk), "--as", sharer.username, "--tlp", "red", "--preview")
    assert red.exit_code == 2  # not even a choice
    denied = _run("share", str(incident.pk), "--as", staff.username, "--preview")
    assert denied.exit_code == 3 and "not allowed" in denied.output
    hidden = _run("share", str(incident.pk), "--as", user_b.username, "--preview")
    assert hidden.exit_code == 3
    other_partner = _run(
        "share", str(incident.pk), "--as", user_b.username, "--partner", str(partner.pk),
        "--preview",
    )  # fmt: skip
    assert other_partner.exit_code == 2 and f"--partner {partner.pk}" in other_partner.output
    unapproved = _run("share", str(incident.pk), "--as", sharer.username, "--download", "a.json")
    share_id = unapproved.output.split("share ", 1)[1].split(" ", 1)[0]
    send = _run("share-send", share_id, "--as", sharer.username)
    assert send.exit_code == 2 and "approved first" in send.output
    assert _run("share-send", "999999", "--as", sharer.username).exit_code == 2
