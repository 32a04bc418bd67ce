"""Alert forwarding: syslog (RFC 5424, the alert as JSON in the message) over UDP, TCP or TLS,
and webhooks (JSON POST signed with HMAC-SHA256).

When an alert of any module is created, one ``AlertDelivery`` per matching enabled target is
written in the same transaction, and a task per delivery is queued once it commits: ingestion
never waits on the network. Repeats counted on an open alert are not forwarded (a noisy rule
would flood the receiver; the occurrence count is in Hygie).

A failed attempt is retried after ``BACKOFF`` (30 s, 2 min, 8 min, 30 min, 2 h…) up to the
target's ``max_attempts``: through the task backend's ``run_after`` when it supports it, and in
any case by the periodic job ``detection.retry_deliveries``, which also resumes deliveries whose
task was lost (process killed between commit and queueing). A delivery is *claimed* by one
conditional update before it is sent, so the task and the job never send it twice at once.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from hygie import __version__, modules
from hygie.core import audit, context
from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, AuditEntry
from hygie.core.models.alerts import module_label
from hygie.detection import outbound
from hygie.detection.models import (
    AlertDelivery,
    DeliveryStatus,
    ForwardingKind,
    ForwardingTarget,
)
from hygie.lib.errors import HygieError

logger = logging.getLogger("hygie.detection.forwarding")

RETRY_JOB_KIND = "detection.retry_deliveries"
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=8),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_MESSAGE_BYTES = 60_000  # fits one UDP datagram; larger details are left out
MAX_RESPONSE_BYTES = 64 * 1024
SWEEP_LIMIT = 1000

SIGNATURE_HEADER = "X-Hygie-Signature"
TIMESTAMP_HEADER = "X-Hygie-Timestamp"
EVENT_HEADER = "X-Hygie-Event"
DELIVERY_HEADER = "X-Hygie-Delivery"

# RFC 5424 severities (0 emergency … 7 debug) for Hygie's levels.
SYSLOG_SEVERITY: dict[int, int] = {
    SeverityChoice.CRITICAL: 2,
    SeverityChoice.HIGH: 3,
    SeverityChoice.MEDIUM: 4,
    SeverityChoice.LOW: 5,
    SeverityChoice.INFORMATIONAL: 6,
}


class ForwardingError(HygieError):
    """A send that failed: the message says why (address, TLS, HTTP status), never the alert."""

    # True for the one message covering every failure to reach the receiver (_network_error).
    unreachable = False
    # True when the destination policy refused the address (no connection was attempted).
    refused = False


class TestRateLimited(HygieError):
    """A user sent too many test messages in a short time (the button is not a network probe)."""

    __test__ = False  # not a pytest test class despite its name


# The "send test" button connects from the server wherever its target points: a user may press
# it this many times per window, and every press is in the audit trail (target, outcome class).
TEST_LIMIT = 10
TEST_WINDOW = timedelta(minutes=1)
_TEST_AUDIT_MESSAGE = "forwarding test sent: "


def source_modules() -> list[tuple[str, str]]:
    """(label, name) of every Hygie module, and of any other source an alert of this database
    carries (a module since removed, a record imported from elsewhere): the values of a
    target's ``sources`` filter, so that every alert a target may receive can be selected."""
    names = {
        module.label: str(apps.get_app_config(module.label).verbose_name)
        for module in modules.discover()
    }
    for source in Alert.objects.order_by().values_list("source", flat=True).distinct():
        names.setdefault(source, module_label(source))
    return sorted(names.items())


# --- the message -------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def alert_payload(alert: Alert, event: str = "alert.created") -> dict[str, Any]:
    """The JSON document receivers get. Alerts carry no patient data (see ``raise_alert``)."""
    establishment = alert.establishment
    asset = alert.asset
    try:
        path = reverse("core:alert_detail", args=[alert.pk]) if alert.pk else ""
    except NoReverseMatch:
        path = ""
    return {
        "event": event,
        "sent_at": _instant(timezone.now()),
        "producer": {"name": "hygie", "version": __version__},
        "alert": {
            "id": alert.pk,
            "path": path,
            "title": alert.title,
            "description": alert.description,
            "severity": SeverityChoice(alert.severity).name.lower()
            if alert.severity in SeverityChoice.values
            else str(alert.severity),
            "severity_level": alert.severity,
            "status": alert.status,
            "source": alert.source,
            "rule_id": alert.rule_id,
            "establishment": {
                "id": establishment.pk,
                "name": establishment.name,
                "finess_eg": establishment.finess_eg,
                "organisation_id": establishment.organisation_id,
            },
            "asset": {
                "id": asset.pk,
                "hostname": asset.hostname,
                "ip_addresses": list(asset.ip_addresses or []),
            }
            if asset
            else None,
            "occurrences": alert.occurrences,
            "first_seen_at": _instant(alert.first_seen_at),
            "last_seen_at": _instant(alert.last_seen_at),
            "tags": list(alert.tags or []),
            "details": alert.details or {},
        },
    }


def sample_payload(target: ForwardingTarget) -> dict[str, Any]:
    """A made-up alert for the "send test" button, marked as a test everywhere."""
    now = timezone.now()
    establishment = target.establishment
    return {
        "event": "test",
        "sent_at": _instant(now),
        "producer": {"name": "hygie", "version": __version__},
        "alert": {
            "id": 0,
            "path": "",
            "title": "Hygie forwarding test",
            "description": "A test message sent from Hygie's forwarding settings; not a real "
            "alert.",
            "severity": "informational",
            "severity_level": int(SeverityChoice.INFORMATIONAL),
            "status": "new",
            "source": "test",
            "rule_id": "",
            "establishment": {
                "id": establishment.pk,
                "name": establishment.name,
                "finess_eg": establishment.finess_eg,
                "organisation_id": establishment.organisation_id,
            }
            if establishment
            else None,
            "asset": None,
            "occurrences": 1,
            "first_seen_at": _instant(now),
            "last_seen_at": _instant(now),
            "tags": ["hygie.test"],
            "details": {},
        },
    }


def _body(payload: dict[str, Any]) -> bytes:
    # ASCII JSON: valid RFC 5424 MSG-ANY without a BOM, and any receiver decodes the escapes.
    body = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), default=str).encode()
    if len(body) > MAX_MESSAGE_BYTES and payload.get("alert"):
        payload = {
            **payload,
            "alert": {**payload["alert"], "details": {}, "details_truncated": True},
        }
        body = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), default=str).encode()
    return body


def _hostname() -> str:
    name = socket.gethostname()
    cleaned = "".join(c for c in name if 33 <= ord(c) <= 126)[:255]
    return cleaned or "-"


def syslog_message(
    target: ForwardingTarget, payload: dict[str, Any], now: datetime | None = None
) -> bytes:
    """One RFC 5424 message: ``<PRI>1 TIMESTAMP HOST hygie - MSGID - {json}``."""
    level = int(payload.get("alert", {}).get("severity_level") or SeverityChoice.MEDIUM)
    severity = SYSLOG_SEVERITY.get(level, 4)
    priority = target.syslog_facility * 8 + severity
    moment = (now or timezone.now()).astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    msgid = "test" if payload.get("event") == "test" else "alert"
    header = f"<{priority}>1 {stamp} {_hostname()} hygie - {msgid} - "
    return header.encode("ascii") + _body(payload)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, timestamp + "." + body)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# --- transports --------------------------------------------------------------------------------


def _tls_context(target: ForwardingTarget) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cadata=target.ca_certificate or None)
    except ssl.SSLError as error:
        raise ForwardingError(_("The CA certificate cannot be read.")) from error
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _network_error(target: ForwardingTarget, error: BaseException) -> ForwardingError:
    """What the user sees of a failed send.

    Once a receiver answered, its answer is told (TLS certificate refused, HTTP status): the
    administrator needs it to fix the target. Anything short of that — refused, timed out, no
    route, unknown name, reset — is one message, so a failure tells nothing of the network's
    ports; the cause is logged with the target's id (never the alert).
    """
    if isinstance(error, outbound.DestinationRefused):
        refused = ForwardingError(error.message)
        refused.refused = True
        return refused
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or "certificate verify failed"
        return ForwardingError(_("TLS certificate refused: %(reason)s.") % {"reason": reason})
    cause = (
        error.__cause__ if isinstance(error, outbound.Unreachable) and error.__cause__ else error
    )
    logger.warning(
        "forwarding target %s (%s): send failed: %s: %s",
        target.pk,
        target.kind,
        type(cause).__name__,
        getattr(cause, "strerror", None) or cause,
    )
    failure = ForwardingError(outbound.unreachable_message())
    failure.unreachable = True
    return failure


def _send_syslog(target: ForwardingTarget, message: bytes) -> None:
    timeout = float(target.timeout_seconds)
    port = target.port
    if port is None:  # the model's clean() requires one; a row written around it stops here
        raise ForwardingError(_("A syslog target needs a port."))
    try:
        if target.kind == ForwardingKind.SYSLOG_UDP:
            family, address = outbound.resolve(target.host, port, socket.SOCK_DGRAM)[0]
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.settimeout(timeout)
                sock.sendto(message, address)
            return
        frame = str(len(message)).encode() + b" " + message  # RFC 6587/5425 octet counting
        addresses = outbound.resolve(target.host, port, socket.SOCK_STREAM)
        with outbound.connect(addresses, timeout) as raw:
            if target.kind == ForwardingKind.SYSLOG_TLS:
                with _tls_context(target).wrap_socket(raw, server_hostname=target.host) as tls:
                    tls.sendall(frame)
                    _close_tls(tls)
            else:
                raw.sendall(frame)
    except (OSError, ssl.SSLError, HygieError) as error:
        if isinstance(error, ForwardingError):
            raise
        raise _network_error(target, error) from error


def _close_tls(sock: ssl.SSLSocket) -> None:
    try:
        sock.unwrap()  # close_notify, so the receiver knows the message is complete
    except (OSError, ssl.SSLError):
        pass


def _send_webhook(target: ForwardingTarget, payload: dict[str, Any], delivery_id: str) -> None:
    body = _body(payload)
    timestamp = str(int(time.time()))
    parts = urlsplit(target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(target.timeout_seconds)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = outbound.resolve(host, port, socket.SOCK_STREAM)
    except (ValueError, HygieError) as error:  # ValueError: a port out of range in the URL
        raise _network_error(target, error) from error
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = outbound.PinnedHTTPSConnection(
            host, port, addresses=addresses, timeout=timeout, context=_tls_context(target)
        )
    else:
        connection = outbound.PinnedHTTPConnection(host, port, addresses=addresses, timeout=timeout)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Hygie/{__version__}",
        EVENT_HEADER: str(payload.get("event", "")),
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(target.secret, timestamp, body),
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
    except (OSError, ssl.SSLError, http.client.HTTPException) as error:
        raise _network_error(target, error) from error
    finally:
        connection.close()
    # Redirects are not followed: a signed alert goes only where it was configured to go (and
    # never to an address the destination policy did not check).
    if not 200 <= response.status < 300:
        raise ForwardingError(
            _("The receiver answered HTTP %(status)s.") % {"status": response.status}
        )


def send(target: ForwardingTarget, payload: dict[str, Any], delivery_id: str = "") -> None:
    """Send one payload now; raise ``ForwardingError`` on failure."""
    if target.kind == ForwardingKind.WEBHOOK:
        _send_webhook(target, payload, delivery_id)
    else:
        _send_syslog(target, syslog_message(target, payload))


def send_test(target: ForwardingTarget) -> str:
    """Send the test message now; return "" on success or the error. Recorded on the target.

    A receiver that cannot be reached answers only after the target's whole timeout, whether the
    port was refused at once or never answered: the button's timing tells no more than its
    message about the network behind the server. A signed-in user gets ``TEST_LIMIT`` tests per
    ``TEST_WINDOW`` (``TestRateLimited`` beyond), and each is audited with its outcome class.
    """
    _check_test_rate()
    error, outcome = "", "delivered"
    started = time.monotonic()
    try:
        send(target, sample_payload(target), "test")
    except ForwardingError as failure:
        error = failure.message
        outcome = (
            "refused by policy"
            if failure.refused
            else "unreachable"
            if failure.unreachable
            else "receiver error"
        )
        if failure.unreachable:
            time.sleep(max(0.0, started + float(target.timeout_seconds) - time.monotonic()))
    _record_attempt(target, error)
    # The outcome class only: never the payload, and not the error (a receiver's answer).
    audit.record("update", target, message=_TEST_AUDIT_MESSAGE + outcome)
    return error


def _check_test_rate() -> None:
    user = context.current().signed_in_user
    if user is None:  # commands and tasks: run by the operator, not through the button
        return
    recent = AuditEntry.objects.filter(
        actor=user,
        object_type=ForwardingTarget._meta.label_lower,
        message__startswith=_TEST_AUDIT_MESSAGE,
        at__gte=timezone.now() - TEST_WINDOW,
    ).count()
    if recent >= TEST_LIMIT:
        raise TestRateLimited(
            _("Too many test messages: at most %(limit)d per minute. Wait a minute and retry.")
            % {"limit": TEST_LIMIT}
        )


def _record_attempt(target: ForwardingTarget, error: str) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"last_attempt_at": now, "last_error": error[:500]}
    if not error:
        fields["last_success_at"] = now
    # A queryset update: delivery bookkeeping is not a configuration change to audit.
    ForwardingTarget.objects.filter(pk=target.pk).update(**fields)
    for name, value in fields.items():
        setattr(target, name, value)


# --- from a new alert to deliveries --------------------------------------------------------------


def targets_for(alert: Alert) -> list[ForwardingTarget]:
    candidates = ForwardingTarget.objects.filter(
        Q(establishment_id=alert.establishment_id)
        | Q(establishment__isnull=True, organisation_id=alert.establishment.organisation_id),
        is_enabled=True,
        min_severity__lte=alert.severity,
    )
    return [target for target in candidates if not target.sources or alert.source in target.sources]


def queue_deliveries(alert: Alert) -> list[AlertDelivery]:
    """Write the deliveries of a new alert now; queue their tasks once the transaction commits."""
    deliveries = [
        AlertDelivery.objects.create(target=target, alert=alert) for target in targets_for(alert)
    ]
    if deliveries:
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _enqueue_all(ids))
    return deliveries


def _enqueue_all(ids: list[int]) -> None:
    for delivery_id in ids:
        _enqueue(delivery_id)


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    if run_after is None:
        deliver_task.enqueue(delivery_id)
    elif default_task_backend.supports_defer:
        deliver_task.using(run_after=run_after).enqueue(delivery_id)
    # Otherwise the periodic retry job sends it when it is due.


def on_alert_saved(
    sender: Any, instance: Alert, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save receiver on Alert (connected in ``DetectionConfig.ready``)."""
    if created and not raw:
        queue_deliveries(instance)


@task()
def deliver_task(delivery_id: int) -> dict[str, Any]:
    """The task runner's entry point: one attempt of one delivery."""
    delivery = deliver(delivery_id)
    return {"delivery": delivery_id, "status": delivery.status if delivery else "skipped"}


def _claim(delivery_id: int, now: datetime, lease: timedelta) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        AlertDelivery.objects.filter(due, pk=delivery_id, status=DeliveryStatus.PENDING).update(
            next_attempt_at=now + lease
        )
    )


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def deliver(delivery_id: int, now: datetime | None = None) -> AlertDelivery | None:
    """Try one delivery if it is due and nobody else is sending it; schedule the next try."""
    now = now or timezone.now()
    target_timeout = (
        AlertDelivery.objects.filter(pk=delivery_id)
        .values_list("target__timeout_seconds", flat=True)
        .first()
    )
    if target_timeout is None:
        return None
    if not _claim(delivery_id, now, timedelta(seconds=3 * target_timeout + 60)):
        return None
    delivery = AlertDelivery.objects.select_related(
        "target", "alert__establishment", "alert__asset"
    ).get(pk=delivery_id)
    target = delivery.target
    error = ""
    if not target.is_enabled:
        error = _("The target was disabled.")
    else:
        try:
            send(target, alert_payload(delivery.alert), str(delivery.pk))
        except ForwardingError as failure:
            error = failure.message
    delivery.attempts += 1
    delivery.last_error = error[:500]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            timezone.now(),
            None,
        )
    elif delivery.attempts >= target.max_attempts or not target.is_enabled:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        logger.warning(
            "alert delivery %s to target %s failed for good after %s attempts",
            delivery.pk,
            target.pk,
            delivery.attempts,
        )
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status,
        attempts=delivery.attempts,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    _record_attempt(target, error)
    if delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def retry_due_deliveries(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Send the pending deliveries that are due (retries, lost tasks); return how many tried."""
    now = now or timezone.now()
    # A delivery never tried gets a minute for its own task before the sweep takes it over.
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1)
    )
    ids = list(
        AlertDelivery.objects.filter(due, status=DeliveryStatus.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for delivery_id in ids if deliver(delivery_id, now) is not None)


def prune_deliveries(now: datetime | None = None, keep: timedelta = timedelta(days=30)) -> int:
    """Forget finished deliveries older than ``keep`` (the alerts themselves stay)."""
    cutoff = (now or timezone.now()) - keep
    deleted, _per_model = AlertDelivery.objects.filter(
        created_at__lt=cutoff, status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
    ).delete()
    return deleted


def regenerate_secret(target: ForwardingTarget) -> ForwardingTarget:
    """A new webhook signing secret (the old one stops working at once)."""
    target.secret = ""
    target.save()  # ``save`` generates one; the audit trail redacts secrets
    return target
