"""Alert forwarding over real sockets on 127.0.0.1: a UDP, a TCP and a TLS syslog receiver and an
HTTP server run in the test; messages are parsed as RFC 5424 and webhook signatures verified."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import AuditEntry
from hygie.core.services.alerts import raise_alert
from hygie.core.testing import login_with_mfa
from hygie.detection import forwarding
from hygie.detection.models import AlertDelivery, ForwardingTarget
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RFC5424 = re.compile(rb"^<(\d+)>1 (\S+) (\S+) hygie - (alert|test) - (\{.*\})$", re.S)


@pytest.fixture(autouse=True)
def _receivers_on_loopback_are_allowed(settings):
    """These receivers run on 127.0.0.1, which the destination policy denies by default
    (see test_forwarding_destinations.py): allow loopback explicitly, as an operator would for
    a local syslog relay."""
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]


# --- receivers ---------------------------------------------------------------------------------


class StreamReceiver:
    """TCP (optionally TLS) syslog receiver: stores what each connection sent until it closed."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.context = context
        self.received: list[bytes] = []
        self.errors: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.getsockname()[1]

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _address = self.server.accept()
            except OSError:
                return
            try:
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                conn.settimeout(5)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                self.received.append(b"".join(chunks))
            except (OSError, ssl.SSLError) as error:
                self.errors.append(type(error).__name__)
            finally:
                conn.close()

    def wait_for(self, connections: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) + len(self.errors) < connections:
            assert time.monotonic() < deadline, "the receiver got nothing"
            time.sleep(0.01)

    def close(self) -> None:
        self.done.set()
        self.server.close()


def _frames(data: bytes) -> list[bytes]:
    """RFC 6587 octet-counted frames."""
    frames = []
    while data:
        length, _space, rest = data.partition(b" ")
        frames.append(rest[: int(length)])
        data = rest[int(length) :]
    return frames


def _parse(message: bytes) -> tuple[int, str, dict[str, Any]]:
    match = RFC5424.match(message)
    assert match, message[:200]
    return int(match.group(1)), match.group(4).decode(), json.loads(match.group(5))


@pytest.fixture
def udp_receiver() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


@pytest.fixture
def tls_files(tmp_path) -> tuple[str, str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path), pem.decode()


class WebhookServer:
    """A real HTTP server thread; answers the queued status codes (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes, str]] = []
        self.statuses: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.requests.append((dict(self.headers), body, self.path))
                self.send_response(owner.statuses.pop(0) if owner.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hygie?x=1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


def _target(establishment, **fields: Any) -> ForwardingTarget:
    fields.setdefault("name", "SIEM")
    fields.setdefault("min_severity", 10)
    target = ForwardingTarget(
        organisation=establishment.organisation, establishment=establishment, **fields
    )
    target.full_clean()
    target.save()
    return target


def _alert(establishment, capture, **fields: Any):
    fields.setdefault("title", "Shadow copies deleted")
    fields.setdefault("severity", 40)
    with capture(execute=True):
        return raise_alert(
            establishment=establishment,
            source=fields.pop("source", "detection"),
            rule_id="rule-1",
            details={"entity": "jdoe", "event_ids": [1]},
            tags=["attack.t1490"],
            **fields,
        )


# --- syslog ------------------------------------------------------------------------------------


def test_udp_syslog_rfc5424_with_the_alert_as_json(
    establishment_a, udp_receiver, django_capture_on_commit_callbacks
):
    target = _target(
        establishment_a, kind="syslog_udp", host="127.0.0.1", port=udp_receiver.getsockname()[1]
    )
    alert = _alert(establishment_a, django_capture_on_commit_callbacks)
    priority, msgid, payload = _parse(udp_receiver.recv(65536))
    assert priority == 16 * 8 + 3  # local0, error (high)
    assert msgid == "alert"
    assert payload["event"] == "alert.created"
    assert payload["alert"]["id"] == alert.pk
    assert payload["alert"]["severity"] == "high"
    assert payload["alert"]["establishment"]["id"] == establishment_a.pk
    assert payload["alert"]["tags"] == ["attack.t1490"]
    delivery = AlertDelivery.objects.get(target=target)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    target.refresh_from_db()
    assert target.last_success_at is not None and target.last_error == ""


def test_tcp_octet_counting(establishment_a, django_capture_on_commit_callbacks):
    receiver = StreamReceiver()
    try:
        _target(
            establishment_a,
            kind="syslog_tcp",
            host="127.0.0.1",
            port=receiver.port,
            syslog_facility=10,
        )
        _alert(establishment_a, django_capture_on_commit_callbacks, severity=50)
        receiver.wait_for(1)
    finally:
        receiver.close()
    (frame,) = _frames(receiver.received[0])
    priority, _msgid, payload = _parse(frame)
    assert priority == 10 * 8 + 2  # authpriv, critical
    assert payload["alert"]["severity_level"] == 50


def test_tls_verifies_the_receiver_with_the_given_ca(
    establishment_a, tls_files, django_capture_on_commit_callbacks
):
    cert_path, key_path, pem = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    receiver = StreamReceiver(context)
    try:
        trusted = _target(
            establishment_a,
            name="trusted",
            kind="syslog_tls",
            host="localhost",
            port=receiver.port,
            ca_certificate=pem,
        )
        untrusted = _target(
            establishment_a,
            name="system CAs",
            kind="syslog_tls",
            host="localhost",
            port=receiver.port,
        )
        _alert(establishment_a, django_capture_on_commit_callbacks)
        receiver.wait_for(2)
    finally:
        receiver.close()
    assert AlertDelivery.objects.get(target=trusted).status == "delivered"
    refused = AlertDelivery.objects.get(target=untrusted)
    assert refused.status == "pending" and "certificate" in refused.last_error.lower()
    assert refused.next_attempt_at is not None
    (frame,) = _frames(receiver.received[0])
    assert _parse(frame)[2]["alert"]["title"] == "Shadow copies deleted"


# --- webhook ------------------------------------------------------------------------------------


def test_webhook_is_signed_with_the_generated_secret(
    establishment_a, webhook, django_capture_on_commit_callbacks
):
    target = _target(establishment_a, kind="webhook", url=webhook.url)
    assert len(target.secret) >= 40
    alert = _alert(establishment_a, django_capture_on_commit_callbacks)
    ((headers, body, path),) = webhook.requests
    assert path == "/hooks/hygie?x=1"
    assert headers["Content-Type"] == "application/json"
    expected = hmac.new(
        target.secret.encode(), headers["X-Hygie-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Hygie-Signature"], f"sha256={expected}")
    assert abs(int(headers["X-Hygie-Timestamp"]) - timezone.now().timestamp()) < 60
    assert json.loads(body)["alert"]["id"] == alert.pk
    assert headers["X-Hygie-Event"] == "alert.created"


def test_webhook_retries_with_backoff_then_fails_for_good(
    establishment_a, webhook, django_capture_on_commit_callbacks
):
    target = _target(establishment_a, kind="webhook", url=webhook.url, max_attempts=3)
    webhook.statuses = [503, 500, 502]
    _alert(establishment_a, django_capture_on_commit_callbacks)
    delivery = AlertDelivery.objects.get(target=target)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "HTTP 503" in delivery.last_error
    first_wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=20) < first_wait <= datetime.timedelta(seconds=30)
    # Not due yet: the retry job leaves it alone.
    assert forwarding.retry_due_deliveries() == 0
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert forwarding.retry_due_deliveries(later) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at - later == forwarding.backoff(2)
    forwarding.retry_due_deliveries(later + datetime.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(webhook.requests) == 3
    target.refresh_from_db()
    assert "HTTP 502" in target.last_error


def test_a_retry_succeeds(establishment_a, webhook, django_capture_on_commit_callbacks):
    target = _target(establishment_a, kind="webhook", url=webhook.url)
    webhook.statuses = [500]
    _alert(establishment_a, django_capture_on_commit_callbacks)
    forwarding.retry_due_deliveries(timezone.now() + datetime.timedelta(minutes=5))
    delivery = AlertDelivery.objects.get(target=target)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    assert len(webhook.requests) == 2


def test_unreachable_receiver_is_an_error_not_a_crash(
    establishment_a, django_capture_on_commit_callbacks
):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    target = _target(establishment_a, kind="webhook", url=f"http://127.0.0.1:{port}/")
    _alert(establishment_a, django_capture_on_commit_callbacks)
    delivery = AlertDelivery.objects.get(target=target)
    assert delivery.status == "pending"
    assert delivery.last_error == forwarding.outbound.unreachable_message()


# --- what is forwarded ----------------------------------------------------------------------------


def test_nothing_is_sent_before_the_alert_is_committed(
    establishment_a, webhook, django_capture_on_commit_callbacks
):
    target = _target(establishment_a, kind="webhook", url=webhook.url)
    with django_capture_on_commit_callbacks() as callbacks:
        raise_alert(establishment=establishment_a, source="detection", title="x", severity=40)
        assert AlertDelivery.objects.get(target=target).status == "pending"
    assert webhook.requests == []
    for callback in callbacks:
        callback()
    assert len(webhook.requests) == 1
    assert AlertDelivery.objects.get(target=target).status == "delivered"


def test_filters_severity_source_and_scope(
    establishment_a, establishment_b, webhook, django_capture_on_commit_callbacks
):
    strict = _target(
        establishment_a, name="strict", kind="webhook", url=webhook.url, min_severity=50
    )
    privacy_only = _target(
        establishment_a, name="privacy", kind="webhook", url=webhook.url, sources=["privacy"]
    )
    group = ForwardingTarget.objects.create(
        organisation=establishment_a.organisation,
        name="group SOC",
        kind="webhook",
        url=webhook.url,
        min_severity=10,
    )
    disabled = _target(
        establishment_a, name="off", kind="webhook", url=webhook.url, is_enabled=False
    )
    _alert(establishment_a, django_capture_on_commit_callbacks, severity=40)
    _alert(establishment_b, django_capture_on_commit_callbacks, severity=50, title="in B")
    _alert(establishment_a, django_capture_on_commit_callbacks, source="privacy", title="PHI found")
    delivered = {(d.target.name, d.alert.title) for d in AlertDelivery.objects.all()}
    assert delivered == {
        ("group SOC", "Shadow copies deleted"),
        ("group SOC", "in B"),
        ("group SOC", "PHI found"),
        ("privacy", "PHI found"),
    }
    assert not AlertDelivery.objects.filter(target__in=[strict, disabled]).exists()
    assert privacy_only.deliveries.count() == 1 and group.deliveries.count() == 3


def test_repeats_of_a_grouped_alert_are_not_forwarded(
    establishment_a, webhook, django_capture_on_commit_callbacks
):
    _target(establishment_a, kind="webhook", url=webhook.url)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            alert = raise_alert(
                establishment=establishment_a,
                source="detection",
                title="x",
                severity=40,
                group_key="rule|jdoe",
            )
    alert.refresh_from_db()
    assert alert.occurrences == 3
    assert len(webhook.requests) == 1


# --- pages and API ------------------------------------------------------------------------------


def test_test_button_sends_a_test_message(client_a, establishment_a, udp_receiver):
    target = _target(
        establishment_a, kind="syslog_udp", host="127.0.0.1", port=udp_receiver.getsockname()[1]
    )
    response = client_a.post(
        reverse("detection:forwardingtarget_test", args=[target.pk]), follow=True
    )
    assert b"Test message sent" in response.content
    _priority, msgid, payload = _parse(udp_receiver.recv(65536))
    assert msgid == "test" and payload["event"] == "test"
    page = client_a.get(reverse("detection:forwardingtarget_detail", args=[target.pk]))
    assert page.status_code == 200 and b"Send a test message" in page.content


def test_target_pages_create_and_refuse_organisation_wide_to_scoped_users(
    client_a, establishment_a, webhook
):
    url = reverse("detection:forwardingtarget_add")
    form = {
        "name": "SOAR",
        "kind": "webhook",
        "url": webhook.url,
        "min_severity": 30,
        "syslog_facility": 16,
        "timeout_seconds": 5,
        "max_attempts": 5,
        "is_enabled": "on",
        "sources": ["detection"],
    }
    refused = client_a.post(url, form)
    assert refused.status_code == 422
    assert b"organisation-wide access" in refused.content
    created = client_a.post(url, {**form, "establishment": establishment_a.pk})
    assert created.status_code == 302, created.content.decode()[:2000]
    target = ForwardingTarget.objects.get(name="SOAR")
    assert target.organisation == establishment_a.organisation
    assert target.sources == ["detection"] and target.secret
    entry = AuditEntry.objects.filter(object_type="detection.forwardingtarget").first()
    assert entry is not None and target.secret not in json.dumps(entry.changes)
    page = client_a.get(reverse("detection:forwardingtarget_detail", args=[target.pk]))
    assert target.secret.encode() in page.content  # shown to who manages it


def test_target_pages_need_the_capability(make_user, establishment_a):
    analyst = login_with_mfa(Client(), make_user("soc", "soc_analyst", [establishment_a]))
    assert analyst.get(reverse("detection:forwardingtarget_list")).status_code == 403


def test_api_crud_test_and_deliveries(
    user_a, establishment_a, establishment_b, webhook, udp_receiver
):
    api = APIClient(issue_token(user_a))
    body = {
        "name": "SIEM",
        "kind": "syslog_udp",
        "establishment_id": establishment_a.pk,
        "host": "127.0.0.1",
        "port": udp_receiver.getsockname()[1],
        "min_severity": 40,
    }
    created = api.post("/detection/forwarding-targets", body)
    assert created.status_code == 201, created.content
    target_id = created.json()["id"]
    assert created.json()["organisation_id"] == establishment_a.organisation_id
    assert created.json()["secret"]
    assert "secret" not in api.get(f"/detection/forwarding-targets/{target_id}").json()
    tested = api.post(f"/detection/forwarding-targets/{target_id}/test")
    assert tested.json() == {"delivered": True, "error": ""}
    assert _parse(udp_receiver.recv(65536))[1] == "test"
    patched = api.patch(f"/detection/forwarding-targets/{target_id}", {"port": None})
    assert patched.status_code == 422
    wide = api.post(
        "/detection/forwarding-targets",
        {**body, "establishment_id": None, "organisation_id": establishment_a.organisation_id},
    )
    assert wide.status_code == 403
    other = api.post(
        "/detection/forwarding-targets", {**body, "establishment_id": establishment_b.pk}
    )
    assert other.status_code == 403
    listed = api.get("/detection/forwarding-targets").json()
    assert [item["id"] for item in listed["items"]] == [target_id]
    deliveries = api.get(f"/detection/forwarding-targets/{target_id}/deliveries").json()
    assert deliveries["count"] == 0
    assert api.delete(f"/detection/forwarding-targets/{target_id}").status_code == 204


def test_api_create_webhook_and_rotate_secret(make_user, establishment_a, webhook):
    admin = make_user("group-admin", "admin", [], all_establishments=True)
    api = APIClient(issue_token(admin))
    created = api.post(
        "/detection/forwarding-targets",
        {
            "name": "Group SOC",
            "kind": "webhook",
            "url": webhook.url,
            "organisation_id": establishment_a.organisation_id,
        },
    )
    assert created.status_code == 201, created.content
    first = created.json()["secret"]
    rotated = api.post(f"/detection/forwarding-targets/{created.json()['id']}/secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in ("", first)
    tested = api.post(f"/detection/forwarding-targets/{created.json()['id']}/test").json()
    assert tested["delivered"] is True
    headers, body, _path = webhook.requests[0]
    secret = rotated.json()["secret"]
    expected = hmac.new(
        secret.encode(), headers["X-Hygie-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Hygie-Signature"] == f"sha256={expected}"
