"""API authentication: token scopes, expiry and revocation, session with CSRF and second factor,
and the caller's own token management."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hygie.core.models import APIToken, Department
from hygie.core.testing import login_with_mfa
from tests.apps.core.api_support import API, APIClient, error_of, issue_token


@pytest.fixture
def admin_a(make_user, establishment_a):
    return make_user("admin-a", "admin", [establishment_a])


def _department(establishment):
    return {"establishment_id": establishment.pk, "name": "Radiologie"}


# --- tokens -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_read_token_reads_but_may_not_write(admin_a, establishment_a):
    api = APIClient(issue_token(admin_a, "read"))
    assert api.get("/departments").status_code == 200
    response = api.post("/departments", _department(establishment_a))
    assert response.status_code == 403
    assert error_of(response)["message"] == "This API token is read-only."
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_write_token_writes(admin_a, establishment_a):
    api = APIClient(issue_token(admin_a, "write"))
    assert api.post("/departments", _department(establishment_a)).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_expired_token_is_refused_with_401(admin_a, establishment_a, method):
    raw = issue_token(admin_a, "write")
    APIToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # enforce_csrf_checks: a real client's POST must still get 401, not a CSRF 403.
    api = APIClient(raw, Client(enforce_csrf_checks=True))
    response = api.request(
        method, "/departments", _department(establishment_a) if method == "POST" else None
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


@pytest.mark.django_db
def test_revoked_token_is_refused_with_401(admin_a):
    raw = issue_token(admin_a, "write")
    APIToken.objects.update(revoked_at=timezone.now())
    assert APIClient(raw).get("/departments").status_code == 401


@pytest.mark.django_db
def test_token_of_a_deactivated_user_is_refused(admin_a):
    raw = issue_token(admin_a, "write")
    admin_a.is_active = False
    admin_a.save()
    assert APIClient(raw).get("/departments").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer hyg_not-a-real-token", "Bearer ", "Basic YTpi", ""])
def test_missing_or_unknown_credentials_get_401(header):
    client = Client()
    response = client.get(f"{API}/people", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


@pytest.mark.django_db
def test_token_use_is_recorded(admin_a):
    raw = issue_token(admin_a, "read")
    APIClient(raw).get("/departments")
    assert APIToken.objects.get().last_used_at is not None


# --- browser session ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_needs_a_verified_second_factor(admin_a):
    client = Client()
    client.force_login(admin_a)  # password only: an administrator must also pass TOTP
    assert client.get(f"{API}/departments").status_code == 401
    login_with_mfa(client, admin_a)
    assert client.get(f"{API}/departments").status_code == 200


@pytest.mark.django_db
def test_session_that_must_change_password_is_refused(admin_a):
    admin_a.must_change_password = True
    admin_a.save()
    client = login_with_mfa(Client(), admin_a)
    assert client.get(f"{API}/departments").status_code == 401


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(admin_a, establishment_a):
    client = login_with_mfa(Client(enforce_csrf_checks=True), admin_a)
    without = APIClient(None, client).post("/departments", _department(establishment_a))
    assert without.status_code == 403
    assert error_of(without)["code"] == "forbidden"
    client.get(f"{API}/docs")  # any page that renders the token sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    with_token = client.post(
        f"{API}/departments",
        _department(establishment_a),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert with_token.status_code == 201


# --- the caller's own tokens ---------------------------------------------------------------------


@pytest.fixture
def session_a(admin_a):
    client = login_with_mfa(Client(enforce_csrf_checks=True), admin_a)
    client.get(f"{API}/docs")
    csrf = client.cookies["csrftoken"].value

    class Session(APIClient):
        def __init__(self) -> None:
            super().__init__(None, client)
            self.headers = {"HTTP_X_CSRFTOKEN": csrf}

    return Session()


@pytest.mark.django_db
def test_token_is_shown_once_and_works(session_a, establishment_a):
    created = session_a.post(
        "/tokens", {"name": "SIEM export", "scope": "write", "expires_in_days": 7}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("hyg_") and created.json()["scope"] == "write"
    listed = session_a.get("/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]
    assert secret not in session_a.get("/tokens").content.decode()
    assert APIClient(secret).post("/departments", _department(establishment_a)).status_code == 201


@pytest.mark.django_db
def test_revoking_a_token_stops_it_at_once(session_a):
    created = session_a.post("/tokens", {"name": "script"}).json()
    assert APIClient(created["token"]).get("/tokens").status_code == 200
    assert session_a.delete(f"/tokens/{created['id']}").status_code == 204
    assert APIClient(created["token"]).get("/tokens").status_code == 401
    assert session_a.get("/tokens").json()["items"][0]["is_active"] is False


@pytest.mark.django_db
def test_token_lifetime_is_bounded(session_a):
    response = session_a.post("/tokens", {"name": "forever", "expires_in_days": 5000})
    assert response.status_code == 422
    assert not APIToken.objects.exists()


@pytest.mark.django_db
def test_a_token_cannot_mint_tokens(admin_a):
    response = APIClient(issue_token(admin_a, "write")).post("/tokens", {"name": "child"})
    assert response.status_code == 403
    assert APIToken.objects.count() == 1


@pytest.mark.django_db
def test_tokens_of_others_are_invisible(admin_a, make_user, establishment_a):
    other = make_user("other", "admin", [establishment_a])
    issue_token(other, "read")
    other_token = APIToken.objects.get(user=other)
    api = APIClient(issue_token(admin_a, "write"))
    assert api.get("/tokens").json()["count"] == 1
    assert api.delete(f"/tokens/{other_token.pk}").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None


# --- one error format everywhere ----------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_routes_and_methods_use_the_error_format(admin_a):
    api = APIClient(issue_token(admin_a, "write"))
    unknown = api.get("/no-such-thing")
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "not_found"
    not_numeric = api.get("/people/not-a-number")
    assert not_numeric.status_code == 404 and error_of(not_numeric)["code"] == "not_found"
    wrong_method = api.put("/people")
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)["code"] == "method_not_allowed"
    assert "GET" in wrong_method["Allow"]


@pytest.mark.django_db
def test_every_operation_documents_the_error_format():
    schema = Client().get(f"{API}/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            for status in ("401", "403", "404", "422"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"]["$ref"] == error_ref, (method, path, status)


@pytest.mark.django_db
def test_schemas_follow_the_naming_convention():
    names = set(Client().get(f"{API}/openapi.json").json()["components"]["schemas"])
    for model in ("Organisation", "Establishment", "Department", "Person", "Asset"):
        assert {f"{model}In", f"{model}Out"} <= names
    assert {"AlertOut", "EvidenceOut", "JobOut", "AuditEntryOut", "APITokenOut"} <= names


@pytest.mark.django_db
def test_session_of_a_user_with_an_enrolled_but_unverified_device_is_refused(
    make_user, establishment_a
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = make_user("staff", "staff", [establishment_a])  # MFA optional for this role…
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)  # …but enrolled
    client = Client()
    client.force_login(staff)
    assert client.get(f"{API}/establishments").status_code == 401
    login_with_mfa(client, staff)
    assert client.get(f"{API}/establishments").status_code == 200
