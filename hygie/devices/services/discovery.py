"""Passive discovery and segmentation in the platform: captures analysed in a background job
(candidates and flows stored), flow exports imported, candidates accepted into or merged with
the inventory, the zone policy stored (validated by the engine) and flows checked against it,
each new violating flow tuple raising one core alert."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core import display
from hygie.core.choices import SeverityChoice
from hygie.core.models import Establishment, User
from hygie.core.services import crud
from hygie.core.services.alerts import raise_alert
from hygie.core.services.jobs import start_job
from hygie.devices.choices import ClinicalFunction, NetworkZone
from hygie.devices.engine import discovery as engine
from hygie.devices.engine import segmentation
from hygie.devices.engine.discovery.capture import capture_format
from hygie.devices.models import (
    Device,
    DiscoveredCandidate,
    DiscoveryRun,
    ObservedFlow,
    SegmentationPolicy,
    SegmentationViolation,
)
from hygie.devices.models.discovery import CandidateStatus, DiscoveryStatus, FlowSource
from hygie.devices.services import feeds, inventory

JOB_KIND = "devices.discover"
UPLOAD_FOLDER = "devices-uploads"
_UPLOAD_NAME = re.compile(r"[0-9a-f]{32}\.cap")
ALERT_SOURCE = "devices"
ALERT_RULE = "devices.segmentation_violation"
MAX_CAPTURE_BYTES = 200 * 1024 * 1024
MAX_EXPORT_BYTES = 100 * 1024 * 1024
MAX_POLICY_BYTES = 1024 * 1024
MAX_STORED_FLOWS = 200_000


def _when(stamp: float) -> datetime.datetime | None:
    if stamp <= 0:
        return None
    try:
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _check_scope(user: User | None, establishment: Establishment) -> None:
    crud.check_establishment_allowed(user, establishment.pk)


# --- captures --------------------------------------------------------------------------------


def upload_dir() -> Path:
    """Captures waiting for their analysis (``HYGIE_HOME/devices-uploads``, decision 0017)."""
    return Path(settings.HYGIE_HOME) / UPLOAD_FOLDER


def _upload_path(run: DiscoveryRun) -> Path | None:
    # The stored name is ours (hex + extension); anything else is refused, never followed.
    if not run.upload or not _UPLOAD_NAME.fullmatch(run.upload):
        return None
    return upload_dir() / run.upload


def _chunks(data: bytes | Any) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    data.seek(0)
    yield from data.chunks()


def _store_capture(data: bytes | Any) -> tuple[str, str]:
    """Write the capture to a private file with a random name, streaming an upload: (stored
    name, SHA-256). Too large or not a capture: nothing is left behind."""
    folder = upload_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.cap"
    target = folder / stored
    digest = hashlib.sha256()
    written = 0
    head = b""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in _chunks(data):
                written += len(chunk)
                if written > MAX_CAPTURE_BYTES:
                    raise ValidationError(_("The capture is too large."))
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                handle.write(chunk)
        try:
            capture_format(head)
        except engine.CaptureError:
            raise ValidationError(_("This file is not a pcap or pcapng capture.")) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return stored, digest.hexdigest()


def _drop_upload(run: DiscoveryRun) -> None:
    path = _upload_path(run)
    if path is not None:
        path.unlink(missing_ok=True)
    run.upload = ""


def start_capture(
    user: User | None, establishment: Establishment, name: str, data: bytes | Any
) -> DiscoveryRun:
    """Check the file is a capture, keep it as a private file under the data folder and queue
    its analysis (``devices.discover``). ``data`` is the bytes or an uploaded file (streamed:
    a large capture is never held in memory or in the database)."""
    _check_scope(user, establishment)
    size = len(data) if isinstance(data, bytes) else (getattr(data, "size", 0) or 0)
    if size > MAX_CAPTURE_BYTES:
        raise ValidationError(_("The capture is too large."))
    stored, sha256 = _store_capture(data)
    try:
        run = DiscoveryRun.objects.create(
            establishment=establishment,
            name=name[:255],
            source=FlowSource.CAPTURE,
            sha256=sha256,
            upload=stored,
            created_by=user if getattr(user, "pk", None) else None,
        )
    except BaseException:
        (upload_dir() / stored).unlink(missing_ok=True)
        raise
    job = start_job(
        JOB_KIND,
        gettext_noop("Passive discovery of capture #%(id)s"),
        establishment=establishment,
        user=user,
        title_params={"id": run.pk},
        run_id=run.pk,
    )
    DiscoveryRun.objects.filter(pk=run.pk).update(job_id=job.pk)
    run.refresh_from_db()
    return run


def analyse(run: DiscoveryRun) -> DiscoveryRun:
    """Analyse a queued capture: candidates and flows written together, the file deleted
    whatever happens (read, failed or crashed), the flows checked against the segmentation
    policy. A capture that cannot be read fails with the reader's reason (it names a packet or
    block number, never content)."""
    path = _upload_path(run)
    if run.status != DiscoveryStatus.QUEUED or path is None:
        return run
    try:
        try:
            result = engine.discover(path.read_bytes())
        finally:
            path.unlink(missing_ok=True)
    except (engine.CaptureError, OSError) as error:
        reason = str(error) if isinstance(error, engine.CaptureError) else _("The file is gone.")
        run.status, run.error = DiscoveryStatus.FAILED, reason[:500]
        _drop_upload(run)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "upload", "finished_at"])
        return run
    return record_result(run, result)


def record_result(run: DiscoveryRun, result: engine.DiscoveryResult) -> DiscoveryRun:
    """Store what the engine learnt from a capture (candidates, flows; together), then check the
    flows against the segmentation policy. The job's second half; the demo gives its own."""
    with transaction.atomic():
        DiscoveredCandidate.objects.bulk_create(
            DiscoveredCandidate(
                run=run,
                establishment=run.establishment,
                key=c.key,
                ip_addresses=list(c.ips),
                mac_addresses=list(c.macs),
                manufacturer=c.manufacturer[:200],
                name=c.name[:200],
                confidence=c.confidence,
                evidence=[
                    {"kind": e.kind, "value": e.value, "weight": e.weight, "count": e.count}
                    for e in c.evidence
                ],
                first_seen=_when(c.first_seen),
                last_seen=_when(c.last_seen),
            )
            for c in result.candidates
        )
        flows = [
            segmentation.ObservedFlow(
                f.src, f.dst, f.port, f.protocol, f.bytes, f.packets, f.first_seen, f.last_seen
            )
            for f in result.flows
        ]
        applications = {(f.src, f.dst, f.port, f.protocol): f.application for f in result.flows}
        _store_flows(run, flows, applications)
        run.status, run.finished_at = DiscoveryStatus.SUCCEEDED, timezone.now()
        run.counts = {
            "frames": result.frames,
            "decoded": result.decoded,
            "candidates": len(result.candidates),
            "flows": len(result.flows),
        }
        run.save(update_fields=["status", "finished_at", "counts"])
    # The capture itself is not kept (it can carry patient data: HL7, DICOM): what was learnt
    # from it is in the candidates and flows.
    _drop_upload(run)
    DiscoveryRun.objects.filter(pk=run.pk).update(upload="")
    run.counts["violations"] = len(check_flows(run.establishment, flows))
    DiscoveryRun.objects.filter(pk=run.pk).update(counts=run.counts)
    return run


def _store_flows(
    run: DiscoveryRun,
    flows: Sequence[segmentation.ObservedFlow],
    applications: dict[tuple[str, str, int, str], str] | None = None,
) -> None:
    applications = applications or {}
    ObservedFlow.objects.bulk_create(
        (
            ObservedFlow(
                establishment=run.establishment,
                run=run,
                src=f.src,
                dst=f.dst,
                port=f.port,
                protocol=f.protocol[:10],
                application=applications.get((f.src, f.dst, f.port, f.protocol), "")[:20],
                bytes=f.bytes,
                packets=f.packets,
                first_seen=_when(f.first_seen),
                last_seen=_when(f.last_seen),
            )
            for f in flows[:MAX_STORED_FLOWS]
        ),
        batch_size=2000,
    )


# --- flow exports ------------------------------------------------------------------------------


def import_flows(
    user: User | None, establishment: Establishment, kind: str, name: str, data: bytes
) -> DiscoveryRun:
    """A NetFlow/IPFIX CSV or Zeek conn.log: flows aggregated per tuple, stored and checked.
    All or nothing: a refused file writes nothing (the error names the line, not a value)."""
    _check_scope(user, establishment)
    if len(data) > MAX_EXPORT_BYTES:
        raise ValidationError(_("The file is too large."))
    text = data.decode("utf-8", "replace")
    try:
        if kind == FlowSource.NETFLOW:
            flows = segmentation.parse_netflow_csv(text, name[:100] or "flows.csv")
        elif kind == FlowSource.ZEEK:
            flows = segmentation.parse_zeek_conn(text, name[:100] or "conn.log")
        else:
            raise ValidationError(_("Unknown flow export format."))
    except segmentation.SegmentationError as error:
        raise ValidationError(str(error)) from None
    aggregated = _aggregate(flows)
    with transaction.atomic():
        run = DiscoveryRun.objects.create(
            establishment=establishment,
            name=name[:255],
            source=kind,
            sha256=hashlib.sha256(data).hexdigest(),
            status=DiscoveryStatus.SUCCEEDED,
            created_by=user if getattr(user, "pk", None) else None,
            finished_at=timezone.now(),
            counts={"records": len(flows), "flows": len(aggregated)},
        )
        _store_flows(run, aggregated)
    run.counts["violations"] = len(check_flows(establishment, aggregated))
    DiscoveryRun.objects.filter(pk=run.pk).update(counts=run.counts)
    return run


def _aggregate(flows: Iterable[segmentation.ObservedFlow]) -> list[segmentation.ObservedFlow]:
    merged: dict[tuple[str, str, int, str], list[Any]] = {}
    for f in flows:
        key = (f.src, f.dst, f.port, f.protocol)
        entry = merged.get(key)
        if entry is None:
            merged[key] = [f.bytes, f.packets, f.first_seen, f.last_seen]
        else:
            entry[0] += f.bytes
            entry[1] += f.packets
            entry[2] = min(entry[2], f.first_seen)
            entry[3] = max(entry[3], f.last_seen)
    return [segmentation.ObservedFlow(*key, *values) for key, values in sorted(merged.items())]


# --- candidates ----------------------------------------------------------------------------


# Evidence naming a product (and often its version), best first: the DICOM implementation
# version name, the HL7 sending application (MSH-3), the HTTP/SSDP Server header, the DHCP
# vendor class. Each is only a proposal, shown (and editable) when accepting.
HINT_KINDS = (
    "dicom.implementation_version",
    "hl7.sending_application",
    "http.server",
    "ssdp.server",
    "dhcp.vendor_class",
)
_PRODUCT_VERSION = re.compile(r"^(?P<product>.*?[^\W\d_][^/]*?)[\s_/-]+v?(?P<version>\d[\w.+-]*)$")
_SERVER_TOKEN = re.compile(r"^([^/]+?)/(\d[\w.+-]*)")
# Web servers, DHCP clients and toolkits name themselves, not the device: no proposal from them.
_GENERIC_SERVERS = frozenset(
    "apache nginx lighttpd microsoft-iis iis boa goahead mini_httpd thttpd jetty tomcat "
    "openresty caddy msft dhcpcd udhcp udhcpc android-dhcp linux windows upnp miniupnpd "
    "dcmtk offis_dcmtk pynetdicom dcm4che fo-dicom hapi".split()
)


def _split_product(value: str) -> tuple[str, str]:
    """'InfuStar-Web/5.1 (Linux)' → ('InfuStar-Web', '5.1'); 'PUMPSOFT_2.3' → ('PUMPSOFT',
    '2.3'); an HL7 HD 'INFUSTAR^1.2.3^ISO' → its namespace id."""
    text = value.split("^", 1)[0].strip()
    text = re.sub(r"\s*\(.*\)\s*$", "", text).strip()
    slash = _SERVER_TOKEN.match(text)  # 'product/version[ comment]', the first token
    if slash is not None:
        return slash.group(1).strip()[:200], slash.group(2)[:100]
    match = _PRODUCT_VERSION.match(text)
    if match is None:
        return text[:200], ""
    return match.group("product").strip(" _-/")[:200], match.group("version")[:100]


def proposals(
    candidate: DiscoveredCandidate, policy: segmentation.Policy | None = None
) -> dict[str, dict[str, str]]:
    """What the evidence and the zone policy propose for a new device: ``model_name`` and
    ``version`` (from the first hint naming a product that is not a generic server), and the
    network zone (``network_zone_label``: the policy zone holding the candidate's address;
    ``network_zone``: its category, or the zone's name when it is one). Each with its source."""
    found: dict[str, dict[str, str]] = {}
    by_kind: dict[str, str] = {}
    for item in candidate.evidence or []:
        kind, value = str(item.get("kind", "")), str(item.get("value", "")).strip()
        if kind in HINT_KINDS and value and kind not in by_kind:
            by_kind[kind] = value
    for kind in HINT_KINDS:
        if kind not in by_kind:
            continue
        product, version = _split_product(by_kind[kind])
        if not product or product.casefold().replace(" ", "-") in _GENERIC_SERVERS:
            continue
        found["model_name"] = {"value": product, "source": kind, "seen": by_kind[kind][:200]}
        if version:
            found["version"] = {"value": version, "source": kind, "seen": by_kind[kind][:200]}
        break
    if policy is not None:
        for address in candidate.ip_addresses:
            zone_name = policy.zone_of(str(address))
            zone = next((z for z in policy.zones if z.name == zone_name), None)
            if zone is None:
                continue
            found["network_zone_label"] = {"value": zone.name, "source": "policy", "seen": address}
            category = zone.category or (zone.name if zone.name in NetworkZone.values else "")
            if category and category != NetworkZone.UNKNOWN:
                found["network_zone"] = {"value": category, "source": "policy", "seen": address}
            break
    return found


def accept_candidate(
    user: User | None,
    candidate: DiscoveredCandidate,
    hostname: str = "",
    model_name: str | None = None,
    version: str | None = None,
) -> Device:
    """A new device from a candidate: addresses, manufacturer, the name seen on the wire, the
    model and version the evidence proposes (``None``: take the proposal; ``""``: none) and the
    network zone of the establishment's policy holding its address."""
    _pending(candidate)
    crud.check_instance_allowed(user, candidate)
    name = (hostname or candidate.name or next(iter(candidate.ip_addresses), "")).strip()
    if not name:
        name = next(iter(candidate.mac_addresses), "")
    proposed = proposals(candidate, policy_of(candidate.establishment))
    values: dict[str, Any] = {
        "hostname": name[:255],
        "ip_addresses": candidate.ip_addresses,
        "mac_addresses": candidate.mac_addresses,
        "manufacturer": candidate.manufacturer,
    }
    for field_name, given in (("model_name", model_name), ("version", version)):
        chosen = proposed.get(field_name, {}).get("value", "") if given is None else given
        if chosen.strip():
            values[field_name] = chosen.strip()[: 200 if field_name == "model_name" else 100]
    for field_name in ("network_zone", "network_zone_label"):
        if field_name in proposed:
            values[field_name] = proposed[field_name]["value"]
    with transaction.atomic():
        device = inventory.save_device(user, candidate.establishment, values)
        _close(candidate, CandidateStatus.ACCEPTED, device)
    feeds.device_saved(device)  # matched and scored like any new device
    return device


def merge_candidate(user: User | None, candidate: DiscoveredCandidate, device: Device) -> Device:
    """Add a candidate's addresses (and its manufacturer when the device has none) to an
    existing device of the same establishment."""
    _pending(candidate)
    if device.establishment_id != candidate.establishment_id:
        raise ValidationError(_("The device belongs to another establishment."))
    crud.check_instance_allowed(user, candidate)
    values = {
        "ip_addresses": candidate.ip_addresses,
        "mac_addresses": candidate.mac_addresses,
        "manufacturer": "" if device.manufacturer else candidate.manufacturer,
    }
    with transaction.atomic():
        device = inventory.save_device(user, candidate.establishment, values, device=device)
        _close(candidate, CandidateStatus.MERGED, device)
    feeds.device_saved(device)
    return device


def dismiss_candidate(user: User | None, candidate: DiscoveredCandidate) -> None:
    _pending(candidate)
    crud.check_instance_allowed(user, candidate)
    _close(candidate, CandidateStatus.DISMISSED, None)


def _pending(candidate: DiscoveredCandidate) -> None:
    if candidate.status != CandidateStatus.PENDING:
        raise ValidationError(_("This candidate has already been reviewed."))


def _close(candidate: DiscoveredCandidate, status: str, device: Device | None) -> None:
    candidate.status, candidate.device = status, device
    candidate.save(update_fields=["status", "device"])


def address_index(establishment: Establishment) -> dict[str, Device]:
    """Each MAC and IP address of the establishment's devices -> its device (one query)."""
    index: dict[str, Device] = {}
    for device in Device.objects.filter(establishment=establishment).select_related("asset"):
        for address in [*(device.asset.mac_addresses or []), *(device.asset.ip_addresses or [])]:
            index.setdefault(str(address).lower(), device)
    return index


def known_device(
    candidate: DiscoveredCandidate, index: dict[str, Device] | None = None
) -> Device | None:
    """The inventory device sharing a MAC (first) or IP address with the candidate, if any."""
    if index is None:
        index = address_index(candidate.establishment)
    for address in [*candidate.mac_addresses, *candidate.ip_addresses]:
        device = index.get(str(address).lower())
        if device is not None:
            return device
    return None


# --- segmentation policy and checks ----------------------------------------------------------


def save_policy(user: User | None, establishment: Establishment, text: str) -> SegmentationPolicy:
    """Validate (engine) and store an establishment's policy; errors name the line."""
    _check_scope(user, establishment)
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise ValidationError(_("The policy is too large."))
    try:
        segmentation.parse_policy(text, "policy.yaml")
    except segmentation.SegmentationError as error:
        raise ValidationError(str(error)) from None
    policy = SegmentationPolicy.objects.filter(establishment=establishment).first()
    if policy is None:
        policy = SegmentationPolicy(establishment=establishment)
    return crud.save_instance(policy, user, document=text)


def policy_of(establishment: Establishment) -> segmentation.Policy | None:
    stored = SegmentationPolicy.objects.filter(establishment=establishment).first()
    if stored is None:
        return None
    try:
        return segmentation.parse_policy(stored.document, "policy.yaml")
    except segmentation.SegmentationError:
        return None


def check_flows(
    establishment: Establishment, flows: Sequence[segmentation.ObservedFlow]
) -> list[SegmentationViolation]:
    """Violations of the establishment's policy (none without a policy): one row per flow
    tuple, counters updated on repeats, one alert when a tuple is first seen."""
    policy = policy_of(establishment)
    if policy is None:
        return []
    stored: list[SegmentationViolation] = []
    index: dict[str, Device] | None = None
    for violation in segmentation.check(policy, flows):
        with transaction.atomic():
            row, created = SegmentationViolation.objects.select_for_update().get_or_create(
                establishment=establishment,
                src=violation.src,
                dst=violation.dst,
                port=violation.port,
                protocol=violation.protocol[:10],
                defaults={"src_zone": violation.src_zone, "dst_zone": violation.dst_zone},
            )
            row.src_zone, row.dst_zone = violation.src_zone, violation.dst_zone
            row.bytes += violation.bytes
            row.packets += violation.packets
            row.occurrences += violation.flows
            first, last = _when(violation.first_seen), _when(violation.last_seen)
            if first and (row.first_seen is None or first < row.first_seen):
                row.first_seen = first
            if last and (row.last_seen is None or last > row.last_seen):
                row.last_seen = last
            if created or row.alert_id is None:
                if index is None:
                    index = address_index(establishment)
                row.alert = _raise(establishment, violation, index.get(violation.src))
            row.save()
        stored.append(row)
    return stored


# Alert texts are stored once (in English when the job or the demo wrote them) and read in the
# reader's language.
display.register_stored_messages(
    gettext_noop("Flow outside the segmentation policy: %(host)s to %(dst)s (%(zone)s)"),
    gettext_noop(
        "%(src_zone)s to %(dst_zone)s on %(protocol)s/%(port)s: no rule of the policy "
        "allows it. Block the flow, or add it to the policy if it is legitimate."
    ),
)


def _raise(
    establishment: Establishment, violation: segmentation.Violation, device: Device | None
) -> Any:
    life_critical = device is not None and device.clinical_function in (
        ClinicalFunction.LIFE_SUSTAINING,
        ClinicalFunction.THERAPEUTIC,
    )
    severity = SeverityChoice.MEDIUM
    if violation.dst_zone == segmentation.INTERNET:
        severity = SeverityChoice.CRITICAL if life_critical else SeverityChoice.HIGH
    host = device.asset.hostname if device is not None else violation.src
    return raise_alert(
        establishment=establishment,
        source=ALERT_SOURCE,
        rule_id=ALERT_RULE,
        title=_("Flow outside the segmentation policy: %(host)s to %(dst)s (%(zone)s)")
        % {
            "host": host,
            "dst": f"{violation.dst}:{violation.port}/{violation.protocol}",
            "zone": violation.dst_zone,
        },
        description=_(
            "%(src_zone)s to %(dst_zone)s on %(protocol)s/%(port)s: no rule of the policy "
            "allows it. Block the flow, or add it to the policy if it is legitimate."
        )
        % {
            "src_zone": violation.src_zone,
            "dst_zone": violation.dst_zone,
            "protocol": violation.protocol,
            "port": violation.port,
        },
        severity=severity,
        asset=device.asset if device is not None else None,
        group_key=f"devices:segmentation:{violation.key}",
        tags=["medical-device", "segmentation"] if device is not None else ["segmentation"],
        details={
            "src": violation.src,
            "dst": violation.dst,
            "port": violation.port,
            "protocol": violation.protocol,
            "src_zone": violation.src_zone,
            "dst_zone": violation.dst_zone,
            "device_id": device.pk if device is not None else None,
        },
    )
