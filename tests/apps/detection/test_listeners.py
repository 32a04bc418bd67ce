"""Syslog receivers over real sockets on 127.0.0.1 (ephemeral ports): UDP, TCP (LF and octet
counting), TLS, truncation of oversized frames, and the drain on a clean shutdown."""

from __future__ import annotations

import datetime
import socket
import ssl
import time

import pytest

from hygie.detection.listeners import SyslogListeners
from hygie.detection.models import Event, EventSource

pytestmark = pytest.mark.django_db(transaction=True)

RFC5424 = b"<34>1 2026-03-02T10:00:00Z ehr-01 sshd 4242 - - Failed password for root from 10.0.0.9"
RFC3164 = b"<13>Mar  2 10:00:01 ward-pc sudo: nurse : TTY=pts/0 ; COMMAND=/bin/ls"


def _wait_stored(receivers: SyslogListeners, count: int, timeout: float = 10.0) -> int:
    """Wait on the counters, then stop and count rows. Reading the table while the consumer
    writes would contend for SQLite's shared-cache lock in the test database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and receivers.stats.stored + receivers.stats.failed < count:
        time.sleep(0.02)
    receivers.stop()
    assert receivers.stats.failed == 0
    return Event.objects.count()


@pytest.fixture
def listeners(establishment_a):
    started: list[SyslogListeners] = []

    def make(**addresses: str) -> SyslogListeners:
        receivers = SyslogListeners(establishment_a.pk, **addresses)
        receivers.start()
        started.append(receivers)
        return receivers

    yield make
    for receivers in started:
        if not receivers.stopping.is_set():
            receivers.stop()


def test_udp_rfc5424_and_rfc3164_are_stored(listeners):
    receivers = listeners(udp="127.0.0.1:0")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(RFC5424, receivers.addresses()["udp"])
        client.sendto(RFC3164 + b"\n", receivers.addresses()["udp"])
    assert _wait_stored(receivers, 2) == 2
    events = list(Event.objects.order_by("raw"))
    assert {e.source for e in events} == {EventSource.SYSLOG}
    assert {e.host for e in events} == {"ehr-01", "ward-pc"}
    assert not any(e.parse_error for e in events)


def test_tcp_lf_and_octet_counting_with_a_split_frame(listeners):
    receivers = listeners(tcp="127.0.0.1:0")
    address = receivers.addresses()["tcp"]
    with socket.create_connection(address) as client:
        client.sendall(RFC5424 + b"\n" + RFC3164 + b"\n")
    framed = b"%d %s" % (len(RFC5424), RFC5424)
    with socket.create_connection(address) as client:
        client.sendall(framed + framed[:20])
        time.sleep(0.1)  # the second frame arrives in two reads
        client.sendall(framed[20:])
    assert _wait_stored(receivers, 4) == 4
    assert Event.objects.filter(host="ehr-01").count() == 3


def test_tls_with_a_self_signed_certificate(listeners, tmp_path):
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
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    receivers = listeners(tls="127.0.0.1:0", tls_cert=str(cert_path), tls_key=str(key_path))
    context = ssl.create_default_context(cafile=str(cert_path))
    with (
        socket.create_connection(receivers.addresses()["tls"]) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as client,
    ):
        client.sendall(b"%d %s" % (len(RFC5424), RFC5424) + RFC3164 + b"\n")
    assert _wait_stored(receivers, 2) == 2


def test_clean_shutdown_stores_every_line_read(listeners):
    receivers = listeners(tcp="127.0.0.1:0")
    count = 3000
    payload = b"".join(RFC3164.replace(b"ward-pc", b"pc-%d" % i) + b"\n" for i in range(count))
    with socket.create_connection(receivers.addresses()["tcp"]) as client:
        client.sendall(payload)
    receivers.stop()  # at once: the lines still queued (or unread) must be stored first
    assert Event.objects.count() == count
    assert receivers.stats.failed == 0
    assert receivers.stats.received == receivers.stats.stored == count


def test_an_oversized_frame_is_cut_not_fatal(establishment_a):
    receivers = SyslogListeners(establishment_a.pk, tcp="127.0.0.1:0", max_frame_bytes=1024)
    receivers.start()
    try:
        with socket.create_connection(receivers.addresses()["tcp"]) as client:
            client.sendall(b"<13>Mar  2 10:00:01 big " + b"x" * 10_000 + b"\n" + RFC3164 + b"\n")
        assert _wait_stored(receivers, 2) == 2
    finally:
        if not receivers.stopping.is_set():
            receivers.stop()
    assert receivers.stats.truncated == 1
    assert max(len(raw) for raw in Event.objects.values_list("raw", flat=True)) <= 1024


def test_configuration_is_checked(monkeypatch, tmp_path):
    from hygie.config import ConfigError, load_settings

    monkeypatch.setenv("HYGIE_HOME", str(tmp_path))
    monkeypatch.setenv("HYGIE_SECRET_KEY", "k" * 60)
    monkeypatch.setenv("HYGIE_SYSLOG_TCP", "0.0.0.0:6514")
    monkeypatch.setenv("HYGIE_SYSLOG_ESTABLISHMENT", "3")
    config = load_settings(create_secret_key=False)
    assert (config.syslog_tcp, config.syslog_udp, config.syslog_establishment) == (
        "0.0.0.0:6514",
        "",
        3,
    )
    monkeypatch.setenv("HYGIE_SYSLOG_UDP", "514")
    with pytest.raises(ConfigError, match="HYGIE_SYSLOG_UDP"):
        load_settings(create_secret_key=False)
    monkeypatch.delenv("HYGIE_SYSLOG_UDP")
    monkeypatch.setenv("HYGIE_SYSLOG_TLS", "0.0.0.0:6515")
    with pytest.raises(ConfigError, match="HYGIE_SYSLOG_TLS_CERT"):
        load_settings(create_secret_key=False)
