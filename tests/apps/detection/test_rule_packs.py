"""Importing a Sigma pack (folder or zip) into HYGIE_HOME/rules: loaded by the engine at once,
invalid rules reported, hostile archives contained, page restricted to organisation admins."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hygie.core.models import Alert
from hygie.core.testing import login_with_mfa
from hygie.detection import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RULE_ID = "0f6d0b0e-5a43-4a52-9d0b-3a2c1f1b7c11"
RULE = f"""title: Test Pack Marker Seen
id: {RULE_ID}
status: test
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|contains: 'packmarker'
    condition: selection
level: low
tags:
    - attack.t1110
"""
BROKEN = "title: Broken\nid: not-a-uuid\ndetection: {}\n"
LINE = "Nov 24 10:00:00 pacs-01 sshd[42]: packmarker from 203.0.113.5"


@pytest.fixture
def home(tmp_path, settings):
    settings.HYGIE_HOME = tmp_path / "home"
    return settings.HYGIE_HOME


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_zip_pack_is_loaded_and_fires(home, establishment_a):
    data = _zip(
        {"sigma/rules/linux/marker.yml": RULE, "sigma/rules/broken.yml": BROKEN, "README.md": "x"}
    )
    result = services.import_rule_pack("sigmahq", io.BytesIO(data))
    assert result.valid == 1 and result.files == 2
    assert {p.location.file for p in result.problems} == {"imported/sigmahq/sigma/rules/broken.yml"}
    assert (home / "rules" / "sigmahq" / "sigma" / "rules" / "linux" / "marker.yml").exists()
    assert RULE_ID in {loaded.info.id for loaded in services.rule_engine().pack.rules}
    services.ingest_lines(establishment_a, [LINE])
    assert Alert.objects.get(rule_id=RULE_ID).tags == ["attack.t1110"]


def test_folder_pack_replaces_an_earlier_import(home, tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "marker.yml").write_text(RULE)
    services.import_rule_pack("local", io.BytesIO(_zip({"old.yml": RULE})))
    result = services.import_rule_pack("local", folder)
    assert result.valid == 1
    assert [p.name for p in (home / "rules" / "local").iterdir()] == ["marker.yml"]
    assert services.imported_pack_names() == ["local"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("Bad Name", _zip({"a.yml": RULE})),
        ("empty", _zip({"broken.yml": BROKEN})),
        ("notzip", b"this is not a zip"),
    ],
)
def test_bad_packs_are_refused(home, name, data):
    with pytest.raises(services.RulePackImportError):
        services.import_rule_pack(name, io.BytesIO(data))
    assert services.imported_pack_names() == []


def _raw_zip(entries: list[tuple[zipfile.ZipInfo | str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, text in entries:
            archive.writestr(entry, text)
    return buffer.getvalue()


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info


def _bomb() -> bytes:
    # 250 MB of zeros compress to about 250 kB: declared sizes give it away before reading.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.yml", "w", force_zip64=True) as handle,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(250):
            handle.write(chunk)
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        # Issue 9: a 500 that left a staging folder behind.
        ([("a.yml", RULE), ("a.yml/b.yml", RULE)], "both as a file and as a folder"),
        ([("x/a.yml", RULE), ("x/a.yml/", "")], "both as a file and as a folder"),
        # Issue 9: reported valid, stored nothing.
        ([("a.yml", RULE), ("a.yml", RULE)], "twice"),
        ([("a.yml", RULE), ("./a.yml", RULE)], "twice"),
        ([("ok.yml", RULE), ("../../escape.yml", RULE)], "points outside the pack"),
        ([("ok.yml", RULE), ("/etc/escape.yml", RULE)], "points outside the pack"),
        ([("ok.yml", RULE), ("..\\escape.yml", RULE)], "points outside the pack"),
        ([("ok.yml", RULE), (_symlink("link.yml"), "/etc/passwd")], "symbolic link"),
    ],
)
def test_hostile_archives_are_refused_and_leave_nothing(home, entries, fragment):
    services.import_rule_pack("kept", io.BytesIO(_zip({"marker.yml": RULE})))
    with pytest.raises(services.RulePackImportError) as caught:
        services.import_rule_pack("hostile", io.BytesIO(_raw_zip(entries)))
    assert fragment in str(caught.value)
    # No staging folder, no partial pack; the earlier import is untouched.
    assert [p.name for p in (home / "rules").iterdir()] == ["kept"]
    assert not (home / "escape.yml").exists()


def test_zip_bombs_are_refused_by_size_and_entry_count(home, monkeypatch):
    with pytest.raises(services.RulePackImportError, match="too large"):
        services.import_rule_pack("bomb", io.BytesIO(_bomb()))
    monkeypatch.setattr(services, "MAX_PACK_ENTRIES", 3)
    many = _raw_zip([(f"r{n}.txt", "x") for n in range(3)] + [("marker.yml", RULE)])
    with pytest.raises(services.RulePackImportError, match="more than 3 entries"):
        services.import_rule_pack("many", io.BytesIO(many))
    assert not (home / "rules").exists() or not list((home / "rules").iterdir())


def test_a_failed_write_leaves_no_staging_folder(home, monkeypatch):
    def full_disk(self, data):  # noqa: ANN001, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.Path, "write_bytes", full_disk)
    with pytest.raises(OSError):
        services.import_rule_pack("full", io.BytesIO(_zip({"marker.yml": RULE})))
    assert list((home / "rules").iterdir()) == []


def test_import_page_for_organisation_admins_only(home, make_user, establishment_a):
    admin = login_with_mfa(Client(), make_user("root", "admin", all_establishments=True))
    url = reverse("detection:rulepack_add")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "name": "sigmahq",
            "file": SimpleUploadedFile(
                "pack.zip", _zip({"marker.yml": RULE}), content_type="application/zip"
            ),
        },
    )
    assert response.status_code == 302, response.content
    assert services.imported_pack_names() == ["sigmahq"]
    page = admin.get(reverse("detection:rule_list")).content
    assert b"Test Pack Marker Seen" in page
    bad = admin.post(url, {"name": "x", "file": SimpleUploadedFile("a.zip", b"nope")})
    assert bad.status_code == 422
    scoped = login_with_mfa(Client(), make_user("rssi-a", "rssi", [establishment_a]))
    assert scoped.get(url).status_code == 403
