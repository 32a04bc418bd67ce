"""CSV import/export of people and assets: all-or-nothing, re-import updates, hostile input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Asset, AuditEntry, Department, Person
from hygie.core.services import csv_io
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PEOPLE = (
    "email;first_name;last_name;profession;department;rpps;employment_start\n"
    "claire.martin@example.org;Claire;Martin;Médecin;Urgences;10000000006;2020-09-01\n"
    "hugo.bernard@example.org;Hugo;Bernard;Infirmier;;;\n"
)


@pytest.fixture
def urgences(establishment_a):
    return Department.objects.create(establishment=establishment_a, name="Urgences")


def test_good_import_creates_people_and_audits(establishment_a, user_a, urgences):
    report = csv_io.import_people(establishment_a, PEOPLE.encode("utf-8"), user_a)
    assert report.is_ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    claire = Person.objects.get(email="claire.martin@example.org")
    assert claire.department == urgences and claire.rpps == "10000000006"
    assert str(claire.employment_start) == "2020-09-01"
    assert AuditEntry.objects.filter(action="import").count() == 1
    assert AuditEntry.objects.filter(action="create", object_type="core.person").count() == 2


def test_reimport_updates_instead_of_duplicating(establishment_a, user_a, urgences):
    csv_io.import_people(establishment_a, PEOPLE.encode(), user_a)
    changed = PEOPLE.replace("Infirmier", "Cadre de santé").replace(
        "claire.martin", "CLAIRE.MARTIN"
    )
    report = csv_io.import_people(establishment_a, changed.encode(), user_a)
    assert report.is_ok
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Person.objects.count() == 2
    assert Person.objects.get(email="hugo.bernard@example.org").profession == "Cadre de santé"


def test_bad_rows_are_all_reported_and_nothing_is_written(establishment_a, user_a, urgences):
    content = (
        "email,first_name,last_name,rpps,department,employment_start\n"
        "ok@example.org,Ok,Fine,,,\n"
        "pas-un-email,A,B,,,\n"
        "c@example.org,C,D,12345,,\n"
        "d@example.org,E,F,,Cardiologie,\n"
        "e@example.org,G,H,,,31/02/2020\n"
        "ok@example.org,Dup,Licate,,,\n"
        "f@example.org,,Nom,,,\n"
    )
    report = csv_io.import_people(establishment_a, content.encode(), user_a)
    assert not report.is_ok
    found = {(error.row, error.column) for error in report.errors}
    assert found == {
        (3, "email"),
        (4, "rpps"),
        (5, "department"),
        (6, "employment_start"),
        (7, "email"),
        (8, "first_name"),
    }
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()
    # Identifier cells are never echoed back in the report.
    assert not any("12345" in e.message or "pas-un-email" in e.message for e in report.errors)


def test_rpps_key_mismatch_is_only_a_warning(establishment_a, user_a):
    content = "email,first_name,last_name,rpps\nx@example.org,X,Y,10000000001\n"
    report = csv_io.import_people(establishment_a, content.encode(), user_a)
    assert report.is_ok and report.created == 1
    assert report.warnings and "UNVERIFIED" in report.warnings[0].message


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"email,first_name,last_name,salary\nx@example.org,X,Y,1\n", "Unknown column"),
        (b"first_name,last_name\nX,Y\n", "Missing required column"),
        (b"email,email,first_name,last_name\n", "given twice"),
        (b"email,first_name,last_name\n", "no data rows"),
        (b"", "empty"),
        (b'email,first_name,last_name\n"x@example.org,X,Y\n', "not valid CSV"),
        ("email,first_name,last_name\nx@example.org,X,Y\n".encode("utf-16"), "UTF-16"),
        (b"email,first_name,last_name\nx@example.org,\x81\x8d,Y\n", "encoding"),
    ],
)
def test_malformed_files_give_a_clear_error(establishment_a, user_a, content, expected):
    report = csv_io.import_people(establishment_a, content, user_a)
    assert not report.is_ok
    assert expected in report.errors[0].message
    assert report.errors[0].row in (0, 2)
    assert Person.objects.count() == 0


def test_wrong_cell_count_is_reported_per_row(establishment_a, user_a):
    content = b"email,first_name,last_name\nx@example.org,X\n"
    report = csv_io.import_people(establishment_a, content, user_a)
    assert [(e.row, e.column) for e in report.errors] == [(2, "")]


def test_windows_1252_with_semicolons_is_read(establishment_a, user_a):
    content = "email;first_name;last_name\nzoe@example.org;Zoé;Lefèvre\n".encode("cp1252")
    report = csv_io.import_people(establishment_a, content, user_a)
    assert report.is_ok
    assert Person.objects.get().last_name == "Lefèvre"


def test_utf8_bom_is_accepted(establishment_a, user_a):
    content = "\ufeffemail,first_name,last_name\nzoe@example.org,Zoé,Lefèvre\n".encode()
    assert csv_io.import_people(establishment_a, content, user_a).is_ok


def test_limits(establishment_a, user_a, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_IMPORT_BYTES", 100)
    report = csv_io.import_people(
        establishment_a, b"email,first_name,last_name\n" + b"x" * 200, user_a
    )
    assert "too large" in report.errors[0].message
    monkeypatch.setattr(csv_io, "MAX_IMPORT_BYTES", 10**6)
    monkeypatch.setattr(csv_io, "MAX_ROWS", 2)
    rows = "".join(f"p{i}@example.org,P,Q\n" for i in range(3))
    report = csv_io.import_people(
        establishment_a, f"email,first_name,last_name\n{rows}".encode(), user_a
    )
    assert "Too many rows" in report.errors[0].message
    long_cell = "a" * (csv_io.MAX_FIELD_LENGTH + 1)
    report = csv_io.import_people(
        establishment_a,
        f"email,first_name,last_name\nx@example.org,{long_cell},Q\n".encode(),
        user_a,
    )
    assert (report.errors[0].row, report.errors[0].column) == (2, "first_name")
    assert Person.objects.count() == 0


def test_import_into_invisible_establishment_is_refused(establishment_b, user_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        csv_io.import_people(establishment_b, PEOPLE.encode(), user_a)
    assert Person.objects.count() == 0


ASSETS = (
    "hostname,ip_addresses,mac_addresses,kind,criticality,department,tags,os_name\n"
    'PACS-01,"10.1.0.10 10.1.0.11",00:1a:2b:3c:4d:5e,medical_device,vital,Urgences,'
    "pacs imagerie,Linux\n"
    "ws-acc-01,10.2.0.5,,workstation,medium,,,Windows\n"
)


def test_asset_import_and_reimport(establishment_a, user_a, urgences):
    report = csv_io.import_assets(establishment_a, ASSETS.encode(), user_a)
    assert report.is_ok, report.errors
    pacs = Asset.objects.get(hostname="pacs-01")
    assert pacs.ip_addresses == ["10.1.0.10", "10.1.0.11"]
    assert pacs.tags == ["imagerie", "pacs"] and pacs.department == urgences
    again = csv_io.import_assets(establishment_a, ASSETS.replace("vital", "high").encode(), user_a)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)


def test_asset_bad_values(establishment_a, user_a):
    content = (
        "hostname,ip_addresses,kind,criticality\n"
        "ok-01,10.0.0.1,server,high\n"
        "bad host,10.0.0.2,server,high\n"
        "ip-01,10.0.0.999,server,high\n"
        "kind-01,,toaster,high\n"
    )
    report = csv_io.import_assets(establishment_a, content.encode(), user_a)
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "hostname"),
        (4, "ip_addresses"),
        (5, "kind"),
    }
    assert Asset.objects.count() == 0


def test_export_round_trips_and_is_audited(establishment_a, user_a, urgences):
    csv_io.import_assets(establishment_a, ASSETS.encode(), user_a)
    Asset.objects.filter(hostname="ws-acc-01").update(os_name='=HYPERLINK("http://x")')
    exported = csv_io.export_assets(Asset.objects.visible_to(user_a))
    assert "'=HYPERLINK" in exported  # neutralised for spreadsheets
    assert AuditEntry.objects.filter(
        action="export", object_type="core.asset", establishment_id=establishment_a.pk
    ).exists()
    report = csv_io.import_assets(establishment_a, exported.encode(), user_a)
    assert report.is_ok and report.unchanged == 2


def test_import_page_shows_report_and_writes_nothing_on_error(client_a, establishment_a):
    bad = SimpleUploadedFile("people.csv", b"email,first_name,last_name\nnope,A,B\n")
    response = client_a.post(
        reverse("core:person_import"), {"establishment": establishment_a.pk, "file": bad}
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported" in content and "nope" not in content
    assert Person.objects.count() == 0
    good = SimpleUploadedFile("people.csv", b"email,first_name,last_name\nok@example.org,A,B\n")
    response = client_a.post(
        reverse("core:person_import"), {"establishment": establishment_a.pk, "file": good}
    )
    assert response.status_code == 200 and "Import done" in response.content.decode()
    assert Person.objects.count() == 1


def test_import_page_needs_edit_capability(make_user, login, client, establishment_a):
    login(make_user("audit", "auditor", [establishment_a]))
    assert client.get(reverse("core:asset_import")).status_code == 403


def test_export_view_is_scoped_and_attachment(client_a, establishment_a, establishment_b):
    Person.objects.create(
        establishment=establishment_a, first_name="A", last_name="Visible", email="a@example.org"
    )
    Person.objects.create(
        establishment=establishment_b, first_name="B", last_name="Cachée", email="b@example.org"
    )
    response = client_a.get(reverse("core:person_export"))
    content = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment")
    assert "Visible" in content and "Cachée" not in content


def test_import_page_refuses_an_oversized_file_while_it_arrives(
    client_a, establishment_a, monkeypatch
):
    monkeypatch.setattr(csv_io, "MAX_IMPORT_BYTES", 64)
    big = SimpleUploadedFile("people.csv", b"email,first_name,last_name\n" + b"a@b.c,A,B\n" * 20)
    response = client_a.post(
        reverse("core:person_import"), {"establishment": establishment_a.pk, "file": big}
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Person.objects.count() == 0


def test_import_page_still_requires_the_csrf_token(user_a, establishment_a):
    from django.test import Client

    from hygie.core.testing import login_with_mfa

    client = login_with_mfa(Client(enforce_csrf_checks=True), user_a)
    good = SimpleUploadedFile("people.csv", b"email,first_name,last_name\nok@example.org,A,B\n")
    response = client.post(
        reverse("core:person_import"), {"establishment": establishment_a.pk, "file": good}
    )
    assert response.status_code == 403
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "hostile",
    ["\t=1+1", '=HYPERLINK("http://x.example","x")', "@SUM(A1)", "+1", "-1", " =1+1", "\uff1d1+1"],
)
def test_people_and_asset_exports_neutralise_every_formula(establishment_a, user_a, hostile):
    """Issue 9, defect 7: `\\t=1+1` went through the people and asset exports untouched."""
    import csv
    import io

    Person.objects.create(
        establishment=establishment_a,
        first_name=hostile,
        last_name="X",
        email="x@example.org",
        profession=hostile,
    )
    Asset.objects.create(establishment=establishment_a, hostname="ws-01", os_name=hostile)
    for exported in (
        csv_io.export_people(Person.objects.visible_to(user_a)),
        csv_io.export_assets(Asset.objects.visible_to(user_a)),
    ):
        rows = list(csv.reader(io.StringIO(exported)))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + hostile in cells
        assert hostile not in cells
    # Importing the export gives the original values back.
    report = csv_io.import_people(
        establishment_a, csv_io.export_people(Person.objects.visible_to(user_a)).encode(), user_a
    )
    assert report.is_ok
    assert Person.objects.get(email="x@example.org").profession == hostile.strip()
