"""PHI discovery use cases shared by the pages, the API and the job worker.

``start_scan`` queues a scan of a root (a server folder under the administrator's allow-list) or
of an uploaded file as a core background job; ``run_scan`` is that job: it walks the files,
runs the pure engine on each, and stores the aggregated findings batch by batch, each batch in
one transaction. Memory stays bounded: one file's bytes, plus one batch of aggregates.

Nothing here writes a value of patient data: findings hold masked samples and keyed hashes,
progress messages and errors hold counts, skipped files hold a path relative to the root.
"""

from __future__ import annotations

import heapq
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from hygie.core import audit, display
from hygie.core.choices import SeverityChoice
from hygie.core.models import Establishment, Job, User
from hygie.core.services import crud
from hygie.core.services.alerts import raise_alert
from hygie.core.services.jobs import (
    JobCancelledError,
    JobRun,
    execute_job,
    start_job,
)
from hygie.lib.errors import HygieError
from hygie.lib.filenames import masked_file_name
from hygie.privacy.choices import NATIONAL_IDENTIFIERS, Exposure, RunStatus, TriageStatus
from hygie.privacy.engine import Finding, PHIDetector, ScanConfig, sniff_format
from hygie.privacy.files import FileOutcome, count_files, derive_hmac_key, scan_file, walk
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun, resolve_scan_path, risk_score
from hygie.privacy.roles import SCAN, TRIAGE, VIEW_FINDINGS

JOB_KIND = "privacy.phi_scan"
MIN_CONFIDENCE = 0.3  # as the CLI: checksum failures (0.3) are kept, at low risk
BATCH_FILES = 50
BATCH_FINDINGS = 5000
MAX_SKIPPED_STORED = 500
MAX_MEMBERS_LISTED = 500  # archive members with findings listed on the scan page
MAX_HASHES_STORED = 1000
# Distinct values are counted exactly up to this many per location (8 bytes of hash each), then
# the count stops growing: memory stays bounded on a file with millions of rows.
MAX_DISTINCT_COUNTED = 200_000
CANCEL_CHECK_SECONDS = 0.5
_IN_CHUNK = 500  # paths per IN (...) query


class ScanError(HygieError):
    """A scan cannot start or go on (the message names no file content)."""


# --- keys and detector -------------------------------------------------------------------------


def hmac_key() -> bytes:
    """The installation's finding-hash key, derived from SECRET_KEY (never stored).

    Same derivation as ``hygie scan`` with HYGIE_SECRET_KEY: with the same secret the CLI's
    hashes and the platform's match, so a value can be followed from one to the other."""
    return derive_hmac_key(settings.SECRET_KEY)


@lru_cache(maxsize=2)
def _detector(key: bytes) -> PHIDetector:
    # Compiling the pattern database takes about a second: once per process and key.
    return PHIDetector(ScanConfig(hmac_key=key, min_confidence=MIN_CONFIDENCE))


def detector() -> PHIDetector:
    return _detector(hmac_key())


# --- starting scans ----------------------------------------------------------------------------


def _require(user: User, capability: str, message: str) -> None:
    if not user.can(capability):
        raise PermissionDenied(message)


def upload_dir() -> Path:
    return Path(settings.HYGIE_HOME) / "privacy-uploads"


def max_upload_bytes() -> int:
    return int(settings.HYGIE_MAX_UPLOAD_BYTES)


def _store_upload(upload: Any) -> tuple[Path, str]:
    """Write the upload to a private file named by a random id; (path, safe original name)."""
    size = upload.size or 0
    if size > max_upload_bytes():
        raise ValidationError(
            _("The file is larger than the upload limit (%(limit)s).")
            % {"limit": filesizeformat(max_upload_bytes())}
        )
    name = PurePath((upload.name or "upload").replace("\\", "/")).name[:200] or "upload"
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."))
    if sniff_format(head, name) == "text" and b"\x00" in head:
        raise ValidationError(
            _(
                "This type of file cannot be scanned: text, CSV, JSON, XML, "
                "HL7, FHIR, DICOM, PDF, Word, Excel, e-mail or ZIP files only."
            )
        )
    folder = upload_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = "".join(c for c in PurePath(name).suffix[:10] if c.isalnum() or c == ".")
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written = 0
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > max_upload_bytes():
                handle.close()
                target.unlink(missing_ok=True)
                raise ValidationError(
                    _("The file is larger than the upload limit (%(limit)s).")
                    % {"limit": filesizeformat(max_upload_bytes())}
                )
            handle.write(chunk)
    return target, name


def scan_root_now(root: ScanRoot) -> ScanRun:
    """Scan ``root`` now, in this process, through the job body (the demo; a maintenance task).

    No user check: callers are trusted code running as the system (``hygie demo``)."""
    with transaction.atomic():
        run = ScanRun.objects.create(establishment=root.establishment, root=root)
        audit.record("create", run, message="PHI scan started")
        title = gettext_noop("PHI scan: %(root)s")
        job = Job.objects.create(
            kind=JOB_KIND,
            title=title % {"root": root.label},
            establishment=root.establishment,
            display_texts={"title": [title, {"root": root.label}]},
        )
        ScanRun.objects.filter(pk=run.pk).update(job=job)
    execute_job(job.pk, {"run_id": run.pk})
    run.refresh_from_db()
    return run


def start_scan(
    user: User,
    *,
    root: ScanRoot | None = None,
    upload: Any = None,
    establishment: Establishment | None = None,
) -> ScanRun:
    """Queue a scan of ``root`` or of ``upload`` (for ``establishment``) as a background job."""
    _require(user, SCAN, _("Your role does not allow starting scans."))
    if (root is None) == (upload is None):
        raise ValidationError(_("Choose either a scan root or a file to upload."))
    stored: Path | None = None
    if root is not None:
        establishment = root.establishment
        crud.check_establishment_allowed(user, establishment.pk)
        if not root.is_enabled:
            raise ValidationError(_("This scan root is disabled."))
        try:  # the allow-list may have changed since the root was saved
            resolve_scan_path(root.path)
        except ValidationError as error:
            raise ValidationError({"root": error.messages}) from None
        title, title_params = gettext_noop("PHI scan: %(root)s"), {"root": root.label}
        uploaded_name = ""
    else:
        if establishment is None:
            raise ValidationError({"establishment": [_("Choose the establishment.")]})
        crud.check_establishment_allowed(user, establishment.pk)
        stored, uploaded_name = _store_upload(upload)
        title, title_params = gettext_noop("PHI scan: uploaded file"), {}
    try:
        with transaction.atomic():
            run = ScanRun.objects.create(
                establishment=establishment,
                root=root,
                # Masked (••••.csv): the name may name a patient
                uploaded_name=masked_file_name(uploaded_name),
                created_by=user if getattr(user, "pk", None) else None,
            )
            audit.record("create", run, message="PHI scan started")
            arguments: dict[str, Any] = {"run_id": run.pk}
            if stored is not None:
                arguments["upload"] = stored.name
            job = start_job(
                JOB_KIND,
                title,
                establishment=establishment,
                user=user,
                title_params=title_params,
                **arguments,
            )
            ScanRun.objects.filter(pk=run.pk).update(job=job)
    except BaseException:
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise
    run.refresh_from_db()
    return run


# --- aggregation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Negated:
    """Orders hashes in reverse, so a min-heap of these keeps the largest kept one on top."""

    value: str

    def __lt__(self, other: _Negated) -> bool:
        return self.value > other.value


@dataclass
class _Aggregate:
    """One (file or member, entity type) location, built finding by finding in bounded memory."""

    location: str
    count: int = 0
    distinct: set[int] = field(default_factory=set)  # first 8 bytes of each hash
    lowest: list[_Negated] = field(default_factory=list)  # smallest hashes, max-heap
    max_confidence: float = 0.0
    validated: int = 0
    masked: str = ""

    def add(self, finding: Finding) -> None:
        self.count += 1
        digest = int(finding.value_hash[:16], 16)
        if digest not in self.distinct and len(self.distinct) < MAX_DISTINCT_COUNTED:
            self.distinct.add(digest)
            self._keep_lowest(finding.value_hash)
        if finding.is_validated:
            self.validated += 1
        if finding.confidence > self.max_confidence or not self.masked:
            self.max_confidence = max(self.max_confidence, finding.confidence)
            self.masked = finding.masked

    def _keep_lowest(self, value_hash: str) -> None:
        # The stored sample is the MAX_HASHES_STORED smallest hashes: the same whatever the
        # order findings come in, and comparable between runs.
        negated = _Negated(value_hash)
        if len(self.lowest) < MAX_HASHES_STORED:
            heapq.heappush(self.lowest, negated)
        elif value_hash < self.lowest[0].value:
            heapq.heapreplace(self.lowest, negated)

    @property
    def hashes(self) -> list[str]:
        return sorted(item.value for item in self.lowest)


def _location_of(finding: Finding) -> str:
    where = finding.location
    if finding.table_column:
        return f"column {finding.table_column}"
    if where.path:
        return where.path
    if where.line is not None:
        return f"line {where.line}, column {where.column}"
    return ""


# Why a file was skipped: stored in English on the scan run, read in the reader's language.
display.register_stored_messages(
    gettext_noop("cannot list: %(error)s"),
    gettext_noop("cannot access: %(error)s"),
    gettext_noop("cannot read: %(error)s"),
    gettext_noop("unreadable file (%(error)s)"),
    gettext_noop("larger than the %(limit)s-byte document limit"),
    gettext_noop("unreadable %(kind)s content (%(error)s)"),
    gettext_noop("%(kind)s structure nested too deeply"),
    gettext_noop("%(kind)s content needs more memory than allowed"),
    # An alert's title written in English (the demo, the CLI) reads in the reader's language.
    gettext_noop("Validated national identifiers on the shared drive “%(root)s”"),
)
_SKIP_REASONS = (  # fixed reasons, translated through the catalogue
    gettext_noop("not a regular file"),
    gettext_noop("broken symbolic link"),
    gettext_noop("symbolic link loop"),
    gettext_noop("symbolic link not followed (its target inside the root is scanned in place)"),
    gettext_noop("symbolic link pointing outside the scan root: not followed"),
    gettext_noop("not enough memory to scan this file (hostile or unusually complex content)"),
    gettext_noop("structure nested too deeply"),
    gettext_noop("archive member cannot be decompressed"),
    gettext_noop("encrypted archive member"),
    gettext_noop("text is neither UTF-8 nor Windows-1252"),
    gettext_noop("binary content in a file read as text"),
    gettext_noop("invalid UTF-16 text"),
    gettext_noop("unreadable PDF"),
    gettext_noop("unreadable DOCX document"),
    gettext_noop("unreadable XLSX workbook"),
    gettext_noop("unreadable e-mail message"),
    gettext_noop("not a DICOM file"),
    gettext_noop("not an HL7 v2 message (no MSH segment)"),
)


@dataclass
class _RunTotals:
    files_scanned: int = 0
    files_skipped: int = 0
    bytes_scanned: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    by_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    # {"hipaa": {letter: {"locations", "occurrences"}}, "fr": {code: {...}}}: what a DPO reads.
    by_category: dict[str, dict[str, dict[str, int]]] = field(
        default_factory=lambda: {"hipaa": {}, "fr": {}}
    )
    findings: int = 0
    validated_national_ids: int = 0
    national_id_files: set[str] = field(default_factory=set)
    # Archive members and attachments scanned inside the files, and those with findings
    # (path "archive!/member" -> occurrences; the first MAX_MEMBERS_LISTED).
    members_scanned: int = 0
    members_with_findings: dict[str, int] = field(default_factory=dict)

    def note_member(self, path: str, occurrences: int) -> None:
        if path in self.members_with_findings or (
            len(self.members_with_findings) < MAX_MEMBERS_LISTED
        ):
            self.members_with_findings[path] = self.members_with_findings.get(path, 0) + occurrences

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "by_entity": self.by_entity,
            "by_category": self.by_category,
            "members_scanned": self.members_scanned,
            "members_with_findings": [
                {"path": path, "occurrences": count}
                for path, count in sorted(self.members_with_findings.items())
            ],
        }

    def count_category(self, hipaa: str, fr: str, occurrences: int) -> None:
        for kind, code in (("hipaa", hipaa), ("fr", fr)):
            stats = self.by_category[kind].setdefault(code, {"locations": 0, "occurrences": 0})
            stats["locations"] += 1
            stats["occurrences"] += occurrences

    def skip(self, relative: str, reason: str) -> None:
        self.files_skipped += 1
        self.note(relative, reason)

    def note(self, relative: str, reason: str) -> None:
        """List an archive member or attachment that was skipped (not counted as a file)."""
        if len(self.skipped) < MAX_SKIPPED_STORED:
            self.skipped.append({"path": relative[:1024], "reason": reason[:300]})


# (path, entity type, HIPAA identifier, French category): what one PHIFinding row counts.
_Kind = tuple[str, str, str, str]


class _FileFindings:
    """The aggregates of one file, fed finding by finding while it is scanned (``sink``)."""

    def __init__(self, relative: str) -> None:
        self.relative = relative
        self.aggregates: dict[_Kind, _Aggregate] = {}
        self.count = 0

    def __call__(self, finding: Finding) -> None:
        member = finding.location.member
        path = self.relative + (f"!/{member}" if member else "")
        # One row per kind of data in a location: record numbers (H) and health plan numbers
        # (I) of one file are both MRN, but a DPO counts them apart.
        key = (path[:1024], finding.entity.value, finding.hipaa_identifier, finding.fr_category)
        aggregate = self.aggregates.get(key)
        if aggregate is None:
            aggregate = self.aggregates[key] = _Aggregate(_location_of(finding)[:300])
        aggregate.add(finding)
        self.count += 1


class _Batch:
    def __init__(self) -> None:
        self.aggregates: dict[_Kind, _Aggregate] = {}
        self.files = 0
        self.findings = 0

    def add(self, found: _FileFindings) -> None:
        """A completely scanned file (a file skipped half-way adds nothing)."""
        self.files += 1
        self.aggregates.update(found.aggregates)
        self.findings += found.count

    @property
    def is_full(self) -> bool:
        return self.files >= BATCH_FILES or self.findings >= BATCH_FINDINGS


def _flush(run: ScanRun, batch: _Batch, totals: _RunTotals) -> None:
    """Store one batch of aggregates in one transaction (update by root, path and entity)."""
    if not batch.aggregates:
        return
    now = timezone.now()
    exposure = run.root.exposure if run.root_id and run.root else None
    with transaction.atomic():
        existing: dict[_Kind, PHIFinding] = {}
        if run.root_id:
            paths = sorted({kind[0] for kind in batch.aggregates})
            for start in range(0, len(paths), _IN_CHUNK):
                for known in PHIFinding.objects.filter(
                    root_id=run.root_id, relative_path__in=paths[start : start + _IN_CHUNK]
                ):
                    existing[_kind_of(known)] = known
        to_create: list[PHIFinding] = []
        to_update: list[PHIFinding] = []
        for kind, aggregate in batch.aggregates.items():
            path, entity, hipaa, fr = kind
            values = {
                "location": aggregate.location,
                "count": aggregate.count,
                "distinct_values": len(aggregate.distinct),
                "max_confidence": round(aggregate.max_confidence, 3),
                "validated_count": aggregate.validated,
                "masked_sample": aggregate.masked[:200],
                "value_hashes": aggregate.hashes,
                "risk_score": risk_score(
                    entity, len(aggregate.distinct), exposure, aggregate.max_confidence
                ),
                "scan_run": run,
                "last_seen_at": now,
                "is_present": True,
            }
            finding = existing.get(kind)
            if finding is None:
                to_create.append(
                    PHIFinding(
                        establishment_id=run.establishment_id,
                        root_id=run.root_id,
                        relative_path=path,
                        entity_type=entity,
                        hipaa_identifier=hipaa,
                        fr_category=fr,
                        first_seen_at=now,
                        **values,
                    )
                )
            else:
                for name, value in values.items():
                    setattr(finding, name, value)
                if finding.triage_status == TriageStatus.REMEDIATED:
                    # Found again after being remediated: back on the to-do list.
                    finding.triage_status = TriageStatus.TO_REMEDIATE
                to_update.append(finding)
            stats = totals.by_entity.setdefault(
                entity, {"locations": 0, "occurrences": 0, "validated": 0}
            )
            stats["locations"] += 1
            stats["occurrences"] += aggregate.count
            if "!/" in path:
                totals.note_member(path, aggregate.count)
            stats["validated"] += aggregate.validated
            totals.count_category(hipaa, fr, aggregate.count)
            totals.findings += 1
            if entity in NATIONAL_IDENTIFIERS and aggregate.validated:
                totals.validated_national_ids += aggregate.validated
                totals.national_id_files.add(path.split("!/", 1)[0])
        PHIFinding.objects.bulk_create(to_create, batch_size=500)
        PHIFinding.objects.bulk_update(
            to_update,
            [
                "location",
                "count",
                "distinct_values",
                "max_confidence",
                "validated_count",
                "masked_sample",
                "value_hashes",
                "risk_score",
                "scan_run",
                "last_seen_at",
                "is_present",
                "triage_status",
            ],
            batch_size=500,
        )
        _save_totals(run, totals)


def _kind_of(finding: PHIFinding) -> _Kind:
    return (
        finding.relative_path,
        finding.entity_type,
        finding.hipaa_identifier,
        finding.fr_category,
    )


def _save_totals(run: ScanRun, totals: _RunTotals, **extra: Any) -> None:
    ScanRun.objects.filter(pk=run.pk).update(
        files_scanned=totals.files_scanned,
        files_skipped=totals.files_skipped,
        bytes_scanned=totals.bytes_scanned,
        findings_count=totals.findings,
        skipped=totals.skipped,
        summary=totals.summary,
        **extra,
    )


def _scan_one(
    path: Path, relative: str, size: int, name: str = ""
) -> tuple[FileOutcome, _FileFindings]:
    """Scan one file (never raises): its outcome, and its findings aggregated as they came."""
    found = _FileFindings(relative)
    outcome = scan_file(
        detector(), path, shown=relative, name=name, size=size, sink=found, max_kept=0
    )
    return outcome, found


def _record(
    totals: _RunTotals, batch: _Batch, relative: str, outcome: FileOutcome, found: _FileFindings
) -> None:
    if outcome.result is None:
        totals.skip(relative, outcome.reason)
        return
    totals.files_scanned += 1
    totals.bytes_scanned += outcome.result.bytes_scanned
    totals.members_scanned += outcome.result.members_scanned
    for part in outcome.result.skipped:
        totals.note(f"{relative}!/{part.member}", part.reason)
    batch.add(found)


# --- the job -------------------------------------------------------------------------------------


def run_scan(job: JobRun, run_id: int, upload: str = "") -> dict[str, Any]:
    """Body of the ``privacy.phi_scan`` job."""
    run = ScanRun.objects.select_related("root", "establishment").get(pk=run_id)
    ScanRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    totals = _RunTotals()
    finished = False
    try:
        if run.root_id:
            _scan_root(job, run, totals)
        else:
            _scan_upload(job, run, totals, upload)
        finished = True
    finally:
        if upload:
            (upload_dir() / PurePath(upload).name).unlink(missing_ok=True)
        if not finished:
            status = RunStatus.CANCELLED if job.is_cancelled() else RunStatus.FAILED
            _save_totals(run, totals, status=status, finished_at=timezone.now())
    return {
        "run": run.pk,
        "files_scanned": totals.files_scanned,
        "files_skipped": totals.files_skipped,
        "findings": totals.findings,
    }


def _progress(job: JobRun, totals: _RunTotals, total: int) -> None:
    done = totals.files_scanned + totals.files_skipped
    job.progress(
        done,
        max(total, done),
        ngettext(
            "%(done)s of %(total)s file, %(size)s read",
            "%(done)s of %(total)s files, %(size)s read",
            max(total, done),
        )
        % {"done": done, "total": max(total, done), "size": filesizeformat(totals.bytes_scanned)},
    )


def _scan_root(job: JobRun, run: ScanRun, totals: _RunTotals) -> None:
    assert run.root is not None
    try:
        root = resolve_scan_path(run.root.path)
    except ValidationError as error:
        raise ScanError(" ".join(error.messages)) from None
    total = count_files([root])
    _progress(job, totals, total)
    batch, last_check = _Batch(), time.monotonic()
    for entry in walk([root]):
        if time.monotonic() - last_check >= CANCEL_CHECK_SECONDS:
            last_check = time.monotonic()
            if job.is_cancelled():
                _flush(run, batch, totals)  # keep what complete files showed
                raise JobCancelledError(_("Cancelled on request."))
            _progress(job, totals, total)
        if entry.path is None:
            totals.skip(entry.relative, entry.reason)
            continue
        _record(totals, batch, entry.relative, *_scan_one(entry.path, entry.relative, entry.size))
        if batch.is_full:
            _flush(run, batch, totals)
            batch = _Batch()
    _flush(run, batch, totals)
    _complete(job, run, totals, total)


def _scan_upload(job: JobRun, run: ScanRun, totals: _RunTotals, upload: str) -> None:
    path = upload_dir() / PurePath(upload).name
    name = run.uploaded_name or path.name
    # The uploaded name may name a patient: findings and skip notes show it masked (••••.csv);
    # the real name only tells the extractor the format.
    shown = masked_file_name(name) or path.suffix
    job.progress(0, 1, gettext_noop("Scanning the uploaded file"))
    try:
        size = path.stat().st_size
    except OSError:
        raise ScanError("the uploaded file is no longer available") from None
    batch = _Batch()
    _record(totals, batch, shown, *_scan_one(path, shown, size, name=name))
    _flush(run, batch, totals)
    _complete(job, run, totals, 1)


def _complete(job: JobRun, run: ScanRun, totals: _RunTotals, total: int) -> None:
    with transaction.atomic():
        if run.root_id:
            # Locations the previous scans saw and this complete one did not: gone.
            PHIFinding.objects.filter(root_id=run.root_id, is_present=True).exclude(
                scan_run=run
            ).update(is_present=False)
        _save_totals(run, totals, status=RunStatus.SUCCEEDED, finished_at=timezone.now())
        _progress(job, totals, total)
        root = run.root
        if (
            root is not None
            and root.exposure == Exposure.SHARED_DRIVE
            and totals.validated_national_ids
        ):
            raise_alert(
                establishment=run.establishment,
                source="privacy",
                rule_id="privacy.national_identifiers_on_shared_drive",
                title=_("Validated national identifiers on the shared drive “%(root)s”")
                % {"root": root.label},
                description=_(
                    "A PHI discovery scan found validated social security numbers "
                    "(NIR/SSN) in %(files)s file(s) of a shared drive. Review the "
                    "findings of scan #%(run)s."
                )
                % {"files": len(totals.national_id_files), "run": run.pk},
                severity=SeverityChoice.HIGH,
                group_key=f"privacy:root:{root.pk}:national-ids",
                tags=["gdpr", "phi"],
                details={
                    "scan_root_id": root.pk,
                    "scan_run_id": run.pk,
                    "files": len(totals.national_id_files),
                    "validated_identifiers": totals.validated_national_ids,
                },
            )


# --- triage, audit and inventory ----------------------------------------------------------------

MAX_COMMENT_LENGTH = 2000


def triage_finding(finding: PHIFinding, user: User, status: str, comment: str = "") -> PHIFinding:
    """Record a triage decision on a finding (audited with the before/after values)."""
    _require(user, TRIAGE, _("Your role does not allow triaging findings."))
    crud.check_establishment_allowed(user, finding.establishment_id)
    if status not in TriageStatus.values:
        raise ValidationError({"triage_status": [_("Unknown triage status.")]})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"triage_comment": [_("At most %(count)s characters.") % {"count": MAX_COMMENT_LENGTH}]}
        )
    before = {"triage_status": finding.triage_status, "triage_comment": finding.triage_comment}
    with transaction.atomic():
        finding.triage_status, finding.triage_comment = status, comment
        finding.triaged_by = user if getattr(user, "pk", None) else None
        finding.triaged_at = timezone.now()
        finding.save(update_fields=["triage_status", "triage_comment", "triaged_by", "triaged_at"])
        after = {"triage_status": status, "triage_comment": comment}
        audit.record(
            "update",
            finding,
            changes={
                key: {"before": before[key], "after": after[key]}
                for key in before
                if before[key] != after[key]
            },
            message="finding triaged",
        )
    return finding


def record_findings_view(user: User, filters: dict[str, Any], count: int) -> None:
    """One audit entry per view of a findings list, with the filter used."""
    _require(user, VIEW_FINDINGS, _("Your role does not allow viewing findings."))
    used = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    establishment_id = used.get("establishment")
    audit.record(
        "view",
        None,
        object_type=PHIFinding._meta.label_lower,
        object_repr="PHI findings list",
        message="findings list viewed",
        changes={"filters": used, "results": count},
        establishment_id=int(establishment_id)
        if establishment_id and establishment_id.isdigit()
        else None,
    )


def record_finding_view(finding: PHIFinding) -> None:
    audit.record("view", finding, message="finding viewed")


def inventory_summary(establishment: Establishment, *, trend_runs: int = 12) -> dict[str, Any]:
    """Which locations hold which kinds of patient data, how many values, the risk, the trend."""
    present = PHIFinding.objects.filter(establishment=establishment, is_present=True)
    by_entity = list(
        present.values("entity_type")
        .order_by("entity_type")
        .annotate(
            locations=Count("pk"),
            occurrences=Sum("count"),
            distinct=Sum("distinct_values"),
            validated=Sum("validated_count"),
            risk=Max("risk_score"),
            untriaged=Count("pk", filter=Q(triage_status=TriageStatus.UNTRIAGED)),
        )
    )
    by_root = list(
        present.values("root_id", "root__label", "root__exposure", "entity_type")
        .order_by("root__label", "entity_type")
        .annotate(locations=Count("pk"), distinct=Sum("distinct_values"), risk=Max("risk_score"))
    )
    by_status = dict(present.values_list("triage_status").order_by().annotate(n=Count("pk")))
    by_hipaa, by_fr = (
        list(
            present.values(name)
            .order_by(name)
            .annotate(
                locations=Count("pk"),
                occurrences=Sum("count"),
                untriaged=Count("pk", filter=Q(triage_status=TriageStatus.UNTRIAGED)),
            )
        )
        for name in ("hipaa_identifier", "fr_category")
    )
    runs = list(
        ScanRun.objects.filter(establishment=establishment, status=RunStatus.SUCCEEDED)
        .select_related("root")
        .order_by("-finished_at", "-pk")[:trend_runs]
    )
    runs.reverse()
    trend = [
        {
            "run": run,
            "findings": run.findings_count,
            "by_entity": {
                entity: stats.get("locations", 0)
                for entity, stats in (run.summary or {}).get("by_entity", {}).items()
            },
        }
        for run in runs
    ]
    return {
        "by_entity": by_entity,
        "by_root": by_root,
        "by_status": by_status,
        "by_hipaa": by_hipaa,
        "by_fr_category": by_fr,
        "trend": trend,
        "total_locations": sum(row["locations"] for row in by_entity),
        "top_risk": present.order_by("-risk_score", "pk")[:10],
    }


def untriaged_shared_findings(establishment: Establishment, older_than: timedelta) -> Any:
    return PHIFinding.objects.filter(
        establishment=establishment,
        is_present=True,
        root__exposure=Exposure.SHARED_DRIVE,
        triage_status=TriageStatus.UNTRIAGED,
        first_seen_at__lt=timezone.now() - older_than,
    )
