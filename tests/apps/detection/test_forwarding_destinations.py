"""Where alert forwarding may connect (issue 9, defect 7): no probing of the server's own
ports, link-local or cloud metadata through a target or its "send test" button.

Real sockets on 127.0.0.1 play the internal services an officer could try to reach; the policy is
the default one (empty allow-list) unless a test sets ``HYGIE_FORWARDING_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hygie.config import ConfigError, load_settings
from hygie.detection import forwarding, outbound
from hygie.detection.models import AlertDelivery, ForwardingTarget
from tests.apps.core.api_support import APIClient, issue_token
from tests.apps.detection.test_forwarding import WebhookServer, _alert

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOOPBACK = ["127.0.0.0/8", "::1/128"]


@pytest.fixture(autouse=True)
def _default_policy(settings):
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = []


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


@pytest.fixture
def udp_receiver() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    yield sock
    sock.close()


def _closed_port() -> int:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _stored(establishment, **fields: Any) -> ForwardingTarget:
    """A target written straight to the table, as if saved before the policy was tightened."""
    fields.setdefault("name", "SIEM")
    fields.setdefault("min_severity", 10)
    return ForwardingTarget.objects.create(
        organisation=establishment.organisation, establishment=establishment, **fields
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "db.localhost",
        "::1",
        "[::1]",
        "0.0.0.0",
        "169.254.169.254",
        "fd00:ec2::254",
        "224.0.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_syslog_targets_on_denied_addresses_are_refused_when_saved(establishment_a, host):
    target = ForwardingTarget(
        organisation=establishment_a.organisation,
        establishment=establishment_a,
        name="probe",
        kind="syslog_tcp",
        host=host,
        port=22,
    )
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "host" in refused.value.message_dict
    assert "forwarding_allowed_networks" in refused.value.message_dict["host"][0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost/admin",
        "http://[::1]:9000/x",
        "https://[fd00:ec2::254]/",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::ffff:7f00:1]:8000/",
    ],
)
def test_webhooks_on_denied_addresses_are_refused_when_saved(establishment_a, url):
    target = ForwardingTarget(
        organisation=establishment_a.organisation,
        establishment=establishment_a,
        name="probe",
        kind="webhook",
        url=url,
    )
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "url" in refused.value.message_dict


def test_private_receivers_and_allowed_networks_are_accepted(establishment_a, settings):
    for fields in (
        {"kind": "syslog_udp", "host": "10.20.30.40", "port": 514},
        {"kind": "webhook", "url": "https://siem.example.org/hook"},
    ):
        ForwardingTarget(
            organisation=establishment_a.organisation,
            establishment=establishment_a,
            name="ok",
            **fields,
        ).full_clean()
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = LOOPBACK
    ForwardingTarget(
        organisation=establishment_a.organisation,
        establishment=establishment_a,
        name="relay",
        kind="syslog_tcp",
        host="127.0.0.1",
        port=514,
    ).full_clean()


def test_page_and_api_refuse_a_loopback_target(client_a, user_a, establishment_a):
    form = {
        "name": "probe",
        "kind": "syslog_tcp",
        "host": "127.0.0.1",
        "port": 5432,
        "establishment": establishment_a.pk,
        "min_severity": 30,
        "syslog_facility": 16,
        "timeout_seconds": 5,
        "max_attempts": 5,
        "is_enabled": "on",
    }
    page = client_a.post(reverse("detection:forwardingtarget_add"), form)
    assert page.status_code == 422 and b"loopback" in page.content
    api = APIClient(issue_token(user_a))
    created = api.post(
        "/detection/forwarding-targets",
        {
            "name": "probe",
            "kind": "webhook",
            "url": "http://169.254.169.254/latest/",
            "establishment_id": establishment_a.pk,
        },
    )
    assert created.status_code == 422 and "metadata" in created.content.decode()
    assert not ForwardingTarget.objects.exists()


def test_the_test_button_refuses_names_resolving_to_loopback(
    client_a, establishment_a, udp_receiver, webhook
):
    syslog = _stored(
        establishment_a, kind="syslog_udp", host="localhost", port=udp_receiver.getsockname()[1]
    )
    hook = _stored(
        establishment_a,
        name="hook",
        kind="webhook",
        url=webhook.url.replace("127.0.0.1", "localhost"),
    )
    for target in (syslog, hook):
        response = client_a.post(
            reverse("detection:forwardingtarget_test", args=[target.pk]), follow=True
        )
        assert b"loopback" in response.content
    with pytest.raises(TimeoutError):
        udp_receiver.recv(65536)
    assert webhook.requests == []


def test_real_deliveries_are_held_to_the_policy(
    establishment_a, webhook, django_capture_on_commit_callbacks
):
    target = _stored(establishment_a, kind="webhook", url=webhook.url)
    _alert(establishment_a, django_capture_on_commit_callbacks)
    delivery = AlertDelivery.objects.get(target=target)
    assert delivery.status == "pending" and "loopback" in delivery.last_error
    assert webhook.requests == []


def test_the_checked_address_is_the_one_connected_to(
    establishment_a, webhook, settings, monkeypatch
):
    """DNS rebinding: the name is resolved once; a second answer (metadata) is never used."""
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = LOOPBACK
    port = webhook.server.server_address[1]
    real = socket.getaddrinfo
    answers = ["127.0.0.1", "169.254.169.254"]
    asked: list[str] = []

    def rebinding_dns(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "siem.rebind.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        return real(answers[min(len(asked), 2) - 1], *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    target = _stored(establishment_a, kind="webhook", url=f"http://siem.rebind.test:{port}/h")
    assert forwarding.send_test(target) == ""
    assert len(asked) == 1
    ((headers, _body, _path),) = webhook.requests
    assert headers["Host"] == f"siem.rebind.test:{port}"
    # The next send asks again and gets the metadata address: refused, not connected.
    assert "metadata" in forwarding.send_test(target)


def test_redirects_are_not_followed(establishment_a, webhook, settings):
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = LOOPBACK
    webhook.statuses = [307]
    target = _stored(establishment_a, kind="webhook", url=webhook.url)
    assert "HTTP 307" in forwarding.send_test(target)
    assert len(webhook.requests) == 1


class _SilentServer:
    """Accepts connections and never answers: a receiver that times out."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        try:
            while True:
                self.held.append(self.server.accept()[0])
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


def test_refused_timed_out_and_unknown_receivers_give_one_message(
    establishment_a, settings, caplog
):
    """No port-scan oracle: what failed is in the server log, not in the answer."""
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = LOOPBACK
    silent = _SilentServer()
    closed = _closed_port()
    try:
        targets = [
            _stored(
                establishment_a,
                name="refused",
                kind="webhook",
                url=f"http://127.0.0.1:{closed}/",
                timeout_seconds=1,
            ),
            _stored(
                establishment_a,
                name="refused tcp",
                kind="syslog_tcp",
                host="127.0.0.1",
                port=closed,
                timeout_seconds=1,
            ),
            _stored(
                establishment_a,
                name="silent",
                kind="webhook",
                url=f"http://127.0.0.1:{silent.port}/",
                timeout_seconds=1,
            ),
            _stored(
                establishment_a,
                name="unknown",
                kind="syslog_tls",
                host="receiver.invalid",
                port=6514,
                timeout_seconds=1,
            ),
        ]
        with caplog.at_level(logging.WARNING, logger="hygie.detection.forwarding"):
            errors = {forwarding.send_test(target) for target in targets}
    finally:
        silent.close()
    assert errors == {outbound.unreachable_message()}
    logged = caplog.text
    assert "ConnectionRefusedError" in logged and "TimeoutError" in logged
    assert f"forwarding target {targets[0].pk} " in logged
    for target in targets:
        target.refresh_from_db()
        assert target.last_error == outbound.unreachable_message()


def test_allow_list_setting_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HYGIE_HOME", str(tmp_path))
    assert load_settings().forwarding_allowed_networks == []
    monkeypatch.setenv("HYGIE_FORWARDING_ALLOWED_NETWORKS", "127.0.0.1/32, 10.9.0.0/16")
    assert load_settings().forwarding_allowed_networks == ["127.0.0.1/32", "10.9.0.0/16"]
    monkeypatch.setenv("HYGIE_FORWARDING_ALLOWED_NETWORKS", "10.9.0.1/16")
    with pytest.raises(ConfigError, match="HYGIE_FORWARDING_ALLOWED_NETWORKS"):
        load_settings()
    monkeypatch.delenv("HYGIE_FORWARDING_ALLOWED_NETWORKS")
    (tmp_path / "hygie.toml").write_text('forwarding_allowed_networks = ["::1/128"]\n')
    assert load_settings().forwarding_allowed_networks == ["::1/128"]


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("2130706433", "loopback"),
        ("127.1", "loopback"),
        ("0x7f000001", "loopback"),
        ("0177.0.0.1", "loopback"),
        ("0", "unspecified"),
        ("0xa9fea9fe", "cloud metadata"),
        ("::127.0.0.1", "loopback"),
        ("2002:a9fe:a9fe::", "cloud metadata"),
    ],
)
def test_short_numeric_and_embedded_forms_are_refused_when_saved(establishment_a, host, kind):
    """The C resolver reads ``127.1`` as 127.0.0.1: a save-time check that did not would let
    the target be saved and refused only at send time."""
    target = ForwardingTarget(
        organisation=establishment_a.organisation,
        establishment=establishment_a,
        name="probe",
        kind="syslog_udp",
        host=host,
        port=514,
    )
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert str(outbound._KINDS[kind]) in refused.value.message_dict["host"][0]


def test_names_and_private_short_forms_are_not_mistaken(establishment_a):
    assert outbound.numeric_address("10.1") == "10.0.0.1"
    assert outbound.numeric_address("siem.example.org") is None
    assert outbound.numeric_address("127.1 siem") is None
    assert outbound.literal_refusal("10.1") is None


def _own_address() -> str:
    """This host's address on its default route (no packet is sent by a UDP connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))
        except OSError:
            pytest.skip("no IPv4 route on this host")
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no non-loopback IPv4 address")
    return str(address)


def test_the_servers_own_interface_address_is_refused_like_loopback(
    establishment_a, settings, udp_receiver
):
    own = _own_address()
    assert own in {str(a) for a in outbound.own_addresses()}
    target = ForwardingTarget(
        organisation=establishment_a.organisation,
        establishment=establishment_a,
        name="probe",
        kind="syslog_tcp",
        host=own,
        port=22,
    )
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "loopback" in refused.value.message_dict["host"][0]
    stored = _stored(establishment_a, kind="webhook", url=f"http://{own}:9/")
    assert "loopback" in forwarding.send_test(stored)
    # The allow-list opens it explicitly, as it does loopback.
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = [f"{own}/32"]
    target.full_clean()


def test_the_test_button_is_rate_limited_per_user_and_audited(
    client_a, user_a, establishment_a, udp_receiver
):
    """Probing the network through the button is slow (10 a minute) and visible (audited)."""
    from hygie.core.models import AuditEntry

    target = _stored(
        establishment_a, kind="syslog_udp", host="127.0.0.1", port=udp_receiver.getsockname()[1]
    )
    url = reverse("detection:forwardingtarget_test", args=[target.pk])
    api = APIClient(issue_token(user_a))
    for _press in range(forwarding.TEST_LIMIT // 2):
        assert b"loopback" in client_a.post(url, follow=True).content
        answer = api.post(f"/detection/forwarding-targets/{target.pk}/test", {})
        assert answer.status_code == 200 and answer.json()["delivered"] is False
    page = client_a.post(url, follow=True)
    assert b"Too many test messages" in page.content
    limited = api.post(f"/detection/forwarding-targets/{target.pk}/test", {})
    assert limited.status_code == 429
    assert "Too many test messages" in limited.json()["error"]["message"]
    audited = AuditEntry.objects.filter(
        object_type="detection.forwardingtarget",
        object_id=str(target.pk),
        message__startswith="forwarding test sent",
    )
    assert audited.count() == forwarding.TEST_LIMIT
    assert {entry.actor_id for entry in audited} == {user_a.pk}
    assert {entry.message for entry in audited} == {"forwarding test sent: refused by policy"}
