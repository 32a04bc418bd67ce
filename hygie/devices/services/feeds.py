"""Feeds into the database (CSAF advisories, NVD records, CISA KEV, FIRST EPSS), matching the
inventory against them with the pure engine, and the alerts a new threat to a life-sustaining
device raises.

Feed files are hostile input: bounded, parsed by the engine's parsers (a CSAF document failing
the schema or a mandatory test is refused with the test named), and an import writes all of a
file or nothing. Matching stores one ``DeviceVulnerability`` per device, source document, CVE and
product id, idempotently: importing the same file twice changes nothing, and decisions are kept.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core import display
from hygie.core.choices import SeverityChoice
from hygie.core.models import User
from hygie.core.services.alerts import raise_alert
from hygie.devices import engine
from hygie.devices.choices import (
    AdvisorySource,
    ClinicalFunction,
    FeedKind,
    ImportStatus,
    MatchStatus,
    Workflow,
)
from hygie.devices.models import Advisory, Device, DeviceVulnerability, FeedImport, Vulnerability
from hygie.devices.services.inventory import AliasBook, require_installation_wide
from hygie.devices.services.vulnerabilities import refresh_device_risk, refresh_risk
from hygie.lib.documents import DocumentError, Limits, load_json

MAX_FEED_BYTES = 256 * 1024 * 1024
JSON_LIMITS = Limits(max_bytes=MAX_FEED_BYTES, max_depth=64, max_nodes=50_000_000)
ALERT_SOURCE = "devices"


class FeedError(ValidationError):
    """A feed file refused as a whole (nothing was written)."""


@dataclass
class FeedResult:
    feed: FeedImport
    advisories: list[Advisory] = field(default_factory=list)
    new_kev: set[str] = field(default_factory=set)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(data: bytes, name: str) -> Any:
    try:
        return load_json(data, name or None, JSON_LIMITS).data
    except DocumentError as error:
        raise FeedError(
            _("%(name)s is not a valid JSON document: %(error)s")
            % {"name": name or _("the file"), "error": error}
        ) from None


def _date(value: Any) -> datetime.date | None:
    return parse_date(str(value)[:10]) if value else None


def _datetime(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


# --- public entry point ----------------------------------------------------------------------


def import_feed(kind: str, name: str, data: bytes, user: User | None = None) -> FeedImport:
    """Import one feed file; the ``FeedImport`` records the digest, the counts and, on failure,
    the reasons (nothing else is written then). New device matches raise their alerts."""
    require_installation_wide(user)
    if kind not in FeedKind.values or kind == FeedKind.SBOM:
        raise FeedError(_("Unknown feed kind."))
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(_("The file is too large."))
    feed = FeedImport.objects.create(
        kind=kind, name=(name or "")[-255:], sha256=sha256_of(data), started_by=user
    )
    try:
        with transaction.atomic():
            result = FeedResult(feed)
            if kind == FeedKind.CSAF:
                _import_csaf(result, name, data)
            elif kind == FeedKind.NVD:
                _import_nvd(result, name, data)
            elif kind == FeedKind.KEV:
                _import_kev(result, name, data)
            else:
                _import_epss(result, data)
            new_links: list[DeviceVulnerability] = []
            if result.advisories:
                new_links = match_devices(Device.objects.all(), result.advisories, feed)
            _alert_new_threats(new_links, result.new_kev)
    except ValidationError as error:
        feed.status = ImportStatus.FAILED
        feed.errors = [str(message)[:500] for message in error.messages][:50]
        feed.finished_at = timezone.now()
        feed.save(update_fields=["status", "errors", "finished_at"])
        raise
    feed.status = ImportStatus.SUCCEEDED
    feed.finished_at = timezone.now()
    feed.save(update_fields=["status", "counts", "finished_at"])
    return feed


def _count(feed: FeedImport, key: str, amount: int = 1) -> None:
    feed.counts[key] = int(feed.counts.get(key, 0)) + amount


# --- CSAF ------------------------------------------------------------------------------------


def _csaf_documents(data: bytes, name: str) -> list[tuple[str, Any]]:
    """One document, or a JSON array of them (a bundle)."""
    document = _json(data, name)
    if isinstance(document, list):
        return [(f"{name}[{index}]", item) for index, item in enumerate(document)]
    return [(name, document)]


def _import_csaf(result: FeedResult, name: str, data: bytes) -> None:
    for label, document in _csaf_documents(data, name):
        try:
            engine.parse_csaf(document, label)  # schema and mandatory tests
        except Exception as error:  # noqa: BLE001 — the engine's CsafError, any parse error
            raise FeedError(
                _("%(name)s is not a valid CSAF 2.0 advisory: %(error)s")
                % {"name": label or _("the file"), "error": str(error)[:300]}
            ) from None
        result.advisories.append(_store_csaf(result.feed, document))
        _count(result.feed, "advisories")


def _store_csaf(feed: FeedImport, document: dict[str, Any]) -> Advisory:
    meta = document.get("document") or {}
    tracking = meta.get("tracking") or {}
    raw = _canonical(document)
    advisory, _created = Advisory.objects.update_or_create(
        source=AdvisorySource.CSAF,
        tracking_id=str(tracking.get("id", ""))[:200],
        defaults={
            "title": str(meta.get("title", ""))[:500],
            "publisher": str((meta.get("publisher") or {}).get("name", ""))[:200],
            "initial_release": _datetime(tracking.get("initial_release_date")),
            "current_release": _datetime(tracking.get("current_release_date")),
            "revision": str(tracking.get("version", ""))[:50],
            "url": _self_url(meta),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "document": document,
            "feed_import": feed,
        },
    )
    for item in document.get("vulnerabilities") or []:
        cve = str(item.get("cve", "")).strip().upper()
        if not cve:
            continue
        vector, score = _csaf_score(item)
        vulnerability, _created = Vulnerability.objects.get_or_create(cve=cve[:30])
        changed = False
        if vector and not vulnerability.cvss_vector:
            vulnerability.cvss_vector, changed = vector[:200], True
        if score is not None and vulnerability.cvss_score is None:
            vulnerability.cvss_score, changed = score, True
        if not vulnerability.description:
            notes = [n.get("text", "") for n in item.get("notes") or [] if isinstance(n, dict)]
            vulnerability.description = str(item.get("title") or (notes[0] if notes else ""))
            changed = True
        if changed:
            vulnerability.save()
        vulnerability.advisories.add(advisory)
    return advisory


def _canonical(document: Any) -> bytes:
    import json

    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _self_url(meta: dict[str, Any]) -> str:
    for reference in meta.get("references") or []:
        if isinstance(reference, dict) and reference.get("category") == "self":
            url = str(reference.get("url", ""))
            if url.startswith("https://") and len(url) <= 500:
                return url
    return ""


def _csaf_score(item: dict[str, Any]) -> tuple[str, float | None]:
    for score in item.get("scores") or []:
        for key in ("cvss_v4", "cvss_v3", "cvss_v2"):
            cvss = score.get(key) if isinstance(score, dict) else None
            if isinstance(cvss, dict) and cvss.get("vectorString"):
                base = cvss.get("baseScore")
                return str(cvss["vectorString"]), float(base) if base is not None else None
    return "", None


# --- NVD -------------------------------------------------------------------------------------


def _nvd_records(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("vulnerabilities"), list):
        return [
            item["cve"]
            for item in document["vulnerabilities"]
            if isinstance(item, dict) and isinstance(item.get("cve"), dict)
        ]
    if isinstance(document, dict) and isinstance(document.get("cve"), dict):
        return [document["cve"]]
    if isinstance(document, dict) and "id" in document:
        return [document]
    if isinstance(document, list):
        return [record for item in document for record in _nvd_records(item)]
    raise FeedError(_("No NVD CVE record found in the file."))


def _import_nvd(result: FeedResult, name: str, data: bytes) -> None:
    document = _json(data, name)
    try:
        engine.parse_nvd(data.decode("utf-8-sig"), name)
    except Exception as error:  # noqa: BLE001 — any parse error of the engine
        raise FeedError(
            _("%(name)s is not a valid NVD record set: %(error)s")
            % {"name": name or _("the file"), "error": str(error)[:300]}
        ) from None
    for record in _nvd_records(document):
        cve = str(record.get("id", "")).strip().upper()[:30]
        if not cve.startswith("CVE-"):
            continue
        vector, score = _nvd_score(record.get("metrics") or {})
        descriptions = [
            d.get("value", "")
            for d in record.get("descriptions") or []
            if isinstance(d, dict) and d.get("lang") == "en"
        ]
        vulnerability, _created = Vulnerability.objects.update_or_create(
            cve=cve,
            defaults={
                "description": descriptions[0] if descriptions else "",
                "cvss_vector": vector[:200],
                "cvss_score": score,
                "published": _datetime(record.get("published")),
            },
        )
        advisory, _created = Advisory.objects.update_or_create(
            source=AdvisorySource.NVD,
            tracking_id=cve,
            defaults={
                "title": (descriptions[0] if descriptions else cve)[:500],
                "publisher": "NVD",
                "initial_release": _datetime(record.get("published")),
                "current_release": _datetime(record.get("lastModified")),
                "sha256": hashlib.sha256(_canonical(record)).hexdigest(),
                "document": record,
                "feed_import": result.feed,
            },
        )
        vulnerability.advisories.add(advisory)
        result.advisories.append(advisory)
        _count(result.feed, "records")


def _nvd_score(metrics: dict[str, Any]) -> tuple[str, float | None]:
    for key in ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"):
        for metric in metrics.get(key) or []:
            data = metric.get("cvssData") if isinstance(metric, dict) else None
            if isinstance(data, dict) and data.get("vectorString"):
                base = data.get("baseScore")
                return str(data["vectorString"]), float(base) if base is not None else None
    return "", None


# --- KEV -------------------------------------------------------------------------------------


def _kev_rows(data: bytes, name: str) -> list[dict[str, Any]]:
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        document = _json(data, name)
        rows = document.get("vulnerabilities") if isinstance(document, dict) else None
        if not isinstance(rows, list):
            raise FeedError(_("No KEV entry found in the file."))
        return [row for row in rows if isinstance(row, dict)]
    text = _text(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "cveID" not in reader.fieldnames:
        raise FeedError(_("The KEV file has no cveID column."))
    try:
        return list(reader)
    except csv.Error:
        raise FeedError(_("The KEV file is not valid CSV.")) from None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError(_("The file is not UTF-8 text.")) from None


def _import_kev(result: FeedResult, name: str, data: bytes) -> None:
    rows = _kev_rows(data, name)
    known = {
        v.cve: v
        for v in Vulnerability.objects.filter(
            cve__in=[str(r.get("cveID", "")).upper() for r in rows]
        )
    }
    for row in rows:
        cve = str(row.get("cveID", "")).strip().upper()[:30]
        if not cve.startswith("CVE-"):
            continue
        vulnerability = known.get(cve) or Vulnerability(cve=cve)
        if not vulnerability.kev:
            result.new_kev.add(cve)
        vulnerability.kev = True
        vulnerability.kev_date_added = _date(row.get("dateAdded"))
        vulnerability.kev_due_date = _date(row.get("dueDate"))
        vulnerability.kev_ransomware = str(row.get("knownRansomwareCampaignUse", "")).lower() == (
            "known"
        )
        if not vulnerability.description:
            vulnerability.description = str(row.get("shortDescription", ""))[:5000]
        vulnerability.save()
        _count(result.feed, "entries")
    result.feed.counts["new_kev"] = len(result.new_kev)
    # Exploitation in the wild changes the risk of every device the CVE affects.
    refresh_risk(
        DeviceVulnerability.objects.filter(vulnerability__cve__in=result.new_kev).select_related(
            "vulnerability", "device"
        )
    )


# --- EPSS ------------------------------------------------------------------------------------


def _import_epss(result: FeedResult, data: bytes) -> None:
    """FIRST's daily CSV (``#model_version:…,score_date:…`` then ``cve,epss,percentile``): only
    CVEs already known are updated (the full file scores every published CVE)."""
    text = _text(data)
    lines = text.splitlines()
    score_date: datetime.date | None = None
    if lines and lines[0].startswith("#"):
        for part in lines[0].lstrip("#").split(","):
            if part.startswith("score_date:"):
                score_date = _date(part.split(":", 1)[1])
        lines = lines[1:]
    reader = csv.DictReader(lines)
    if not reader.fieldnames or not {"cve", "epss", "percentile"} <= set(reader.fieldnames):
        raise FeedError(_("The EPSS file needs the columns cve, epss and percentile."))
    scores: dict[str, tuple[float, float]] = {}
    try:
        for number, row in enumerate(reader, start=2):
            try:
                epss, percentile = float(row["epss"]), float(row["percentile"])
            except (TypeError, ValueError):
                raise FeedError(
                    _("Row %(row)d: the scores are not numbers.") % {"row": number}
                ) from None
            if not (0 <= epss <= 1 and 0 <= percentile <= 1):
                raise FeedError(
                    _("Row %(row)d: scores must lie between 0 and 1.") % {"row": number}
                )
            scores[str(row["cve"]).strip().upper()] = (epss, percentile)
    except csv.Error:
        raise FeedError(_("The EPSS file is not valid CSV.")) from None
    updated = []
    for vulnerability in Vulnerability.objects.filter(cve__in=list(scores)).iterator():
        vulnerability.epss_score, vulnerability.epss_percentile = scores[vulnerability.cve]
        vulnerability.epss_date = score_date
        updated.append(vulnerability)
    Vulnerability.objects.bulk_update(
        updated, ["epss_score", "epss_percentile", "epss_date"], batch_size=500
    )
    result.feed.counts.update({"rows": len(scores), "updated": len(updated)})
    refresh_risk(
        DeviceVulnerability.objects.filter(vulnerability__in=updated).select_related(
            "vulnerability", "device"
        )
    )


# --- matching --------------------------------------------------------------------------------


def inventory_items(devices: Iterable[Device], book: AliasBook) -> list[Any]:
    return [
        engine.InventoryItem(
            id=str(device.pk),
            manufacturer=book.vendor(device.manufacturer),
            model=book.product(device.manufacturer, device.model_name),
            version=device.version,
            cpe=device.cpe,
            purl=device.purl,
        )
        for device in devices
    ]


def _parsed(advisories: Sequence[Advisory]) -> tuple[list[Any], list[Any]]:
    csaf, cves = [], []
    for advisory in advisories:
        if advisory.document is None:
            continue
        if advisory.source == AdvisorySource.CSAF:
            # Validated when imported: stored documents are only rebuilt.
            csaf.append(engine.parse_csaf(advisory.document, advisory.tracking_id, validate=False))
        elif advisory.source == AdvisorySource.NVD:
            import json

            cves.extend(engine.parse_nvd(json.dumps(advisory.document), advisory.tracking_id))
    return csaf, cves


# The stored advisories and records parsed and indexed once per feed version (decision 0041): a
# device saved, an inventory imported or a re-match looks devices up in this index instead of
# parsing and indexing every stored document again. Rebuilt when an advisory is added, changed
# or deleted, or the alias table changes.
_STORED_INDEX: dict[str, tuple[Any, list[Advisory], Any]] = {}


def _feed_version(book: AliasBook) -> tuple[Any, ...]:
    stored = Advisory.objects.exclude(source=AdvisorySource.SBOM).aggregate(
        count=Count("pk"), top=Max("pk"), changed=Max("updated_at")
    )
    return (
        stored["count"],
        stored["top"],
        stored["changed"],
        tuple(sorted(book.as_mapping().items())),
    )


def stored_index(book: AliasBook) -> tuple[list[Advisory], Any]:
    """Every stored CSAF advisory and NVD record, and their ``engine.MatchIndex``."""
    version = _feed_version(book)
    cached = _STORED_INDEX.get("stored")
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    advisories = list(Advisory.objects.exclude(source=AdvisorySource.SBOM))
    csaf, cves = _parsed(advisories)
    index = engine.MatchIndex(csaf, cves, book.as_mapping())
    _STORED_INDEX["stored"] = (version, advisories, index)
    return advisories, index


def match_devices(
    devices: Iterable[Device],
    advisories: Sequence[Advisory] | None = None,
    feed: FeedImport | None = None,
) -> list[DeviceVulnerability]:
    """Match these devices against these advisories (all stored ones by default) and store the
    verdicts; returns the links created (for alerts). Links of a considered advisory that no
    longer match are deleted while undecided, kept when someone decided on them."""
    device_list = list(devices)
    if not device_list:
        return []
    book = AliasBook.load()
    if advisories is None:
        advisories, index = stored_index(book)
    else:
        csaf, cves = _parsed(advisories)
        index = engine.MatchIndex(csaf, cves, book.as_mapping())
    if not advisories:
        return []
    verdicts = engine.match(inventory_items(device_list, book), index=index)
    created = store_verdicts(device_list, advisories, verdicts, feed)
    # The components of the devices' SBOMs, against the same advisories (services/sbom.py).
    from hygie.devices.services.sbom import match_sboms

    return created + match_sboms(device_list, book, feed)


def device_saved(device: Device) -> list[DeviceVulnerability]:
    """After a device is created or edited (page, API): matched again against every stored
    advisory and record (its manufacturer, model or version may have changed), then every
    relation's risk recomputed (zone, function, controls). The one follow-up of a save."""
    created = match_devices([device])
    refresh_device_risk(device)
    return created


def store_verdicts(
    device_list: Sequence[Device],
    advisories: Sequence[Advisory],
    verdicts: Sequence[Any],
    feed: FeedImport | None = None,
    sbom: Advisory | None = None,
) -> list[DeviceVulnerability]:
    """Store the engine's verdicts for these devices and advisories. The links of an SBOM's
    components (keys ``sbom:…``) are kept apart from the device's own: each is refreshed only by
    its own matching."""
    by_id = {str(device.pk): device for device in device_list}
    by_tracking = {(a.source, a.tracking_id): a for a in advisories}
    links = DeviceVulnerability.objects.filter(device__in=device_list)
    if sbom is None:
        links = links.filter(advisory__in=list(advisories)).exclude(key__startswith="sbom:")
    else:
        links = links.filter(key__startswith=f"sbom:{sbom.tracking_id}:")
    existing = {(link.device_id, link.key): link for link in links}
    vulnerabilities: dict[str, Vulnerability] = {}
    created: list[DeviceVulnerability] = []
    seen: set[tuple[int, str]] = set()
    touched: list[DeviceVulnerability] = []
    for verdict in verdicts:
        device = by_id.get(str(verdict.device))
        if device is None:
            continue
        source = AdvisorySource.NVD if verdict.source == "nvd" else AdvisorySource.CSAF
        advisory = by_tracking.get((source, verdict.advisory)) or by_tracking.get(
            (AdvisorySource.NVD, verdict.cve)
        )
        if sbom is not None and (advisory is None or verdict.source == "sbom"):
            advisory = sbom  # a VEX statement of the SBOM itself
        vulnerability = None
        if verdict.cve:
            cve = verdict.cve.upper()[:30]
            if cve not in vulnerabilities:
                vulnerabilities[cve] = Vulnerability.objects.get_or_create(cve=cve)[0]
            vulnerability = vulnerabilities[cve]
        key = f"{verdict.source}:{verdict.advisory}:{verdict.cve}:{verdict.product_id}"[:300]
        if sbom is not None:
            key = f"sbom:{sbom.tracking_id}:{key}"[:300]
        seen.add((device.pk, key))
        link = existing.get((device.pk, key))
        status = verdict.status if verdict.status in MatchStatus.values else "needs_review"
        if link is None:
            link = DeviceVulnerability.objects.create(
                device=device,
                vulnerability=vulnerability,
                advisory=advisory,
                key=key,
                product_id=str(verdict.product_id)[:200],
                status=status,
                why=str(verdict.why)[:5000],
                why_text=_why_text(verdict),
                remediation=str(getattr(verdict, "remediation", ""))[:10000],
            )
            created.append(link)
            touched.append(link)
        elif (link.status, link.why, link.why_text, link.remediation) != (
            status,
            verdict.why,
            _why_text(verdict),
            getattr(verdict, "remediation", ""),
        ):
            link.status, link.why = status, str(verdict.why)[:5000]
            link.why_text = _why_text(verdict)
            link.remediation = str(getattr(verdict, "remediation", ""))[:10000]
            link.save(update_fields=["status", "why", "why_text", "remediation", "last_seen"])
            touched.append(link)
    stale = [
        link.pk
        for (device_id, key), link in existing.items()
        if (device_id, key) not in seen and link.workflow == Workflow.OPEN
    ]
    DeviceVulnerability.objects.filter(pk__in=stale).delete()
    for link in touched:
        link.device = by_id[str(link.device_id)]
    refresh_risk(touched)
    if feed is not None:
        _count(feed, "matches", len(created))
        _count(feed, "verdicts", len(verdicts))
    return created


def _why_text(verdict: Any) -> dict[str, Any]:
    """The verdict's explanation as msgids and values (empty for a plain English ``why``)."""
    explanation = getattr(verdict, "explanation", None)
    return explanation.as_json() if isinstance(explanation, engine.Text) else {}


def rematch_device(device: Device) -> list[DeviceVulnerability]:
    """After an inventory change: match this device against every stored advisory."""
    return match_devices([device])


# --- alerts ----------------------------------------------------------------------------------


def _alert_new_threats(new_links: list[DeviceVulnerability], new_kev: set[str]) -> None:
    """An alert per life-sustaining device newly affected: by a new advisory, or by a CVE newly
    added to the KEV catalogue."""
    candidates: dict[int, DeviceVulnerability] = {
        link.pk: link for link in new_links if link.status == MatchStatus.KNOWN_AFFECTED
    }
    if new_kev:
        for link in DeviceVulnerability.objects.filter(
            vulnerability__cve__in=new_kev,
            status=MatchStatus.KNOWN_AFFECTED,
            workflow=Workflow.OPEN,
        ):
            candidates[link.pk] = link
    for link in DeviceVulnerability.objects.filter(
        pk__in=list(candidates), device__clinical_function=ClinicalFunction.LIFE_SUSTAINING
    ).select_related(
        "device", "device__asset", "device__establishment", "vulnerability", "advisory"
    ):
        _raise(link, kev=bool(link.vulnerability and link.vulnerability.cve in new_kev))


# Alert titles: a title written in English (the demo, the CLI) reads in the reader's language.
display.register_stored_messages(
    gettext_noop("Known exploited vulnerability %(cve)s on a life-sustaining device: %(host)s"),
    gettext_noop("New advisory %(cve)s affects a life-sustaining device: %(host)s"),
    gettext_noop(
        "%(device)s is affected (%(why)s). Decide on it in the device vulnerabilities: "
        "patch, mitigate with a compensating control, or accept the risk with a "
        "justification and an expiry."
    ),
    # Since decision 0041 the explanation is not copied into the alert (an alert is stored
    # once, in English): the device vulnerability shows it in the reader's language.
    gettext_noop(
        "%(device)s is affected by %(reference)s. Why, and the decision to take (patch, "
        "mitigate with a compensating control, or accept the risk with a justification and "
        "an expiry): see the device vulnerability."
    ),
)


def _raise(link: DeviceVulnerability, *, kev: bool) -> None:
    device = link.device
    cve = link.vulnerability.cve if link.vulnerability else ""
    reference = cve or (link.advisory.tracking_id if link.advisory else "")
    if kev or (link.vulnerability and link.vulnerability.kev):
        title = _("Known exploited vulnerability %(cve)s on a life-sustaining device: %(host)s")
        rule = "devices.kev_life_sustaining"
        severity = SeverityChoice.CRITICAL
    else:
        title = _("New advisory %(cve)s affects a life-sustaining device: %(host)s")
        rule = "devices.advisory_life_sustaining"
        severity = SeverityChoice.HIGH
    raise_alert(
        establishment=device.establishment,
        source=ALERT_SOURCE,
        rule_id=rule,
        title=title % {"cve": reference, "host": device.asset.hostname},
        description=_(
            "%(device)s is affected by %(reference)s. Why, and the decision to take (patch, "
            "mitigate with a compensating control, or accept the risk with a justification and "
            "an expiry): see the device vulnerability."
        )
        % {"device": str(device), "reference": reference},
        severity=severity,
        asset=device.asset,
        group_key=f"devices:{device.pk}:{reference}:{rule}",
        tags=["medical-device", "kev"]
        if rule.endswith("kev_life_sustaining")
        else ["medical-device"],
        details={"device_id": device.pk, "device_vulnerability_id": link.pk, "cve": cve},
    )
