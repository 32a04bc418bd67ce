"""A device's SBOM (CycloneDX or SPDX, with its VEX statements): attached to the device, its
components matched against the stored CSAF advisories and NVD records, VEX decisions recorded.

The SBOM is read once by the engine (``engine/sbom.py``: the libraries are slow on large BOMs)
and kept, as parsed, in an ``Advisory`` of source ``sbom`` (one per device, replaced by the next
upload): re-matching after a new feed never re-reads the file. Its verdicts are stored as the
device's links with keys ``sbom:…``, apart from the device's own, each saying which component and
which VEX statement decided. A refused file writes nothing but the failed ``FeedImport``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.models import User
from hygie.devices.choices import AdvisorySource, FeedKind, ImportStatus
from hygie.devices.engine.sbom import Component, Sbom, SbomError, VexStatement, match_sbom
from hygie.devices.engine.sbom import parse_sbom as parse_sbom_text
from hygie.devices.models import Advisory, Device, DeviceVulnerability, FeedImport
from hygie.devices.services.feeds import (
    MAX_FEED_BYTES,
    FeedError,
    _count,
    _parsed,
    sha256_of,
    store_verdicts,
)
from hygie.devices.services.inventory import AliasBook


def tracking_id(device: Device) -> str:
    return f"sbom-device-{device.pk}"


def _document(device: Device, sbom: Sbom) -> dict[str, Any]:
    return {
        "device": device.pk,
        "format": sbom.format,
        "name": sbom.name,
        "version": sbom.version,
        "components": [asdict(c) for c in sbom.components],
        "dependencies": {k: list(v) for k, v in sbom.dependencies.items()},
        "vex": [asdict(v) for v in sbom.vex],
    }


def stored_sbom(advisory: Advisory) -> Sbom:
    """The SBOM as parsed at import, rebuilt from the advisory's document."""
    document = advisory.document or {}
    return Sbom(
        format=str(document.get("format", "")),
        name=str(document.get("name", "")),
        version=str(document.get("version", "")),
        components=tuple(Component(**c) for c in document.get("components", [])),
        dependencies={k: tuple(v) for k, v in (document.get("dependencies") or {}).items()},
        vex=tuple(
            VexStatement(**{**v, "refs": tuple(v["refs"]), "responses": tuple(v["responses"])})
            for v in document.get("vex", [])
        ),
    )


def import_sbom(device: Device, name: str, data: bytes, user: User | None = None) -> FeedImport:
    """Attach an SBOM (with its VEX) to a device and match its components; all or nothing."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(_("The file is too large."))
    feed = FeedImport.objects.create(
        kind=FeedKind.SBOM,
        name=(name or "")[-255:],
        sha256=sha256_of(data),
        started_by=user,
        establishment_id=device.establishment_id,  # the device's, not the installation's
    )
    try:
        try:
            sbom = parse_sbom_text(data, name)
        except SbomError as error:
            reason = {"reason": str(error)[:300]}
            raise FeedError(_("Not a readable SBOM: %(reason)s") % reason) from None
        with transaction.atomic():
            advisory, _created = Advisory.objects.update_or_create(
                source=AdvisorySource.SBOM,
                tracking_id=tracking_id(device),
                defaults={
                    "title": f"{sbom.name} {sbom.version}".strip()[:500] or name[:500],
                    "publisher": sbom.format[:200],
                    "sha256": feed.sha256,
                    "document": _document(device, sbom),
                    "feed_import": feed,
                    "current_release": timezone.now(),
                    "establishment_id": device.establishment_id,
                },
            )
            _count(feed, "components", len(sbom.components))
            _count(feed, "vex_statements", len(sbom.vex))
            match_device_sbom(device, advisory, feed=feed)
    except FeedError as error:
        feed.status = ImportStatus.FAILED
        feed.errors = [str(message)[:500] for message in error.messages][:50]
        feed.finished_at = timezone.now()
        feed.save(update_fields=["status", "errors", "finished_at"])
        raise
    feed.status = ImportStatus.SUCCEEDED
    feed.finished_at = timezone.now()
    feed.save(update_fields=["status", "counts", "finished_at"])
    return feed


def match_device_sbom(
    device: Device,
    sbom_advisory: Advisory,
    advisories: Sequence[Advisory] | None = None,
    csaf: Sequence[Any] | None = None,
    cves: Sequence[Any] | None = None,
    book: AliasBook | None = None,
    feed: FeedImport | None = None,
) -> list[DeviceVulnerability]:
    """Match one device's SBOM against the stored advisories (or those given, parsed)."""
    if advisories is None:
        advisories = list(Advisory.objects.exclude(source=AdvisorySource.SBOM))
    if csaf is None or cves is None:
        csaf, cves = _parsed(advisories)
    book = book or AliasBook.load()
    verdicts = match_sbom(
        str(device.pk), stored_sbom(sbom_advisory), csaf, cves, aliases=book.as_mapping()
    )
    return store_verdicts([device], advisories, verdicts, feed, sbom=sbom_advisory)


def match_sboms(
    devices: Sequence[Device], book: AliasBook, feed: FeedImport | None = None
) -> list[DeviceVulnerability]:
    """After a feed import or an inventory change: the SBOMs of these devices, matched again
    against every stored advisory (a VEX statement is decided against all of them at once)."""
    by_tracking = {tracking_id(device): device for device in devices}
    sboms = list(
        Advisory.objects.filter(source=AdvisorySource.SBOM, tracking_id__in=list(by_tracking))
    )
    if not sboms:
        return []
    advisories = list(Advisory.objects.exclude(source=AdvisorySource.SBOM))
    csaf, cves = _parsed(advisories)
    created: list[DeviceVulnerability] = []
    for advisory in sboms:
        created += match_device_sbom(
            by_tracking[advisory.tracking_id], advisory, advisories, csaf, cves, book, feed
        )
    return created


def device_sbom(device: Device) -> Sbom | None:
    advisory = Advisory.objects.filter(
        source=AdvisorySource.SBOM, tracking_id=tracking_id(device)
    ).first()
    return stored_sbom(advisory) if advisory is not None else None
