"""Log files as events: reading a file in any format ``hygie ingest`` knows, and the web upload.

``read_log_file`` is the one reader: the CLI (``hygie ingest``) and the upload page (through the
``detection.ingest_file`` background job) both go through it and then ``ingest_lines``. The
uploaded file's name may name a patient or an employee: it is stored under a random name, shown
masked (``••••.log``, as core evidence does) in the job title, result and audit trail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core import audit
from hygie.core.models import Establishment, Job, User
from hygie.core.services import crud
from hygie.core.services.jobs import JobRun, start_job
from hygie.detection.engine.parsers import ParsedEvent
from hygie.detection.engine.parsers.dispatch import (
    parse_access_log,
    parse_hl7,
    parse_json_line,
    parse_syslog,
)
from hygie.detection.engine.readers_csv import read_csv
from hygie.detection.evtx_isolated import read_evtx_isolated
from hygie.detection.models import EventSource
from hygie.detection.prepare import DecodedRecord, Unreadable
from hygie.detection.roles import INGEST
from hygie.detection.services import IngestSummary, ingest_lines
from hygie.lib.errors import HygieError
from hygie.lib.filenames import base_name, masked_file_name, safe_extension

INGEST_JOB_KIND = "detection.ingest_file"
EVTX_MAGIC = b"ElfFile\x00"
CSV_SUFFIXES = (".csv", ".tsv")
_HEAD_BYTES = 8192

AUTO = "auto"
# The formats a file may be declared as; "auto" recognises each line (and EVTX, CSV by name).
FORMAT_CHOICES = (
    (AUTO, gettext_lazy("Recognise automatically")),
    ("evtx", gettext_lazy("Windows event log (EVTX)")),
    ("json", gettext_lazy("JSON lines")),
    ("syslog", gettext_lazy("Syslog (RFC 5424 / RFC 3164)")),
    ("auth", gettext_lazy("Linux auth.log")),
    ("web", gettext_lazy("Web server access log (Apache, nginx)")),
    ("hl7", gettext_lazy("HL7 v2 messages")),
    ("csv", gettext_lazy("CSV or TSV with a header row")),
)
FORMATS = frozenset(key for key, _label in FORMAT_CHOICES)
# Line formats read with one parser each (auth.log lines are syslog lines routed by program).
_LINE_PARSERS: dict[str, Callable[[bytes], ParsedEvent]] = {
    "json": parse_json_line,
    "syslog": parse_syslog,
    "auth": parse_syslog,
    "web": parse_access_log,
    "hl7": parse_hl7,
}


class LogFileError(HygieError):
    """A file that cannot be read in the declared format (the message names no content)."""


def _is_evtx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(EVTX_MAGIC)) == EVTX_MAGIC


def resolved_format(path: Path, declared: str = AUTO) -> str:
    """The format a file is read as: the declared one, or "evtx", "csv" or "lines" (auto)."""
    if declared not in FORMATS:
        raise LogFileError(_("Unknown log format: %(format)s") % {"format": declared[:40]})
    if declared != AUTO:
        if declared == "evtx" and not _is_evtx(path):
            raise LogFileError(_("This file is not a Windows event log (EVTX)."))
        return declared
    if path.suffix.lower() in CSV_SUFFIXES:
        return "csv"
    if _is_evtx(path):
        return "evtx"
    return "lines"


def read_log_file(path: Path, declared: str = AUTO, display_name: str = "") -> Iterator[Any]:
    """The items of a log file for ``ingest_lines``: lines, decoded or unreadable records.

    ``display_name`` is what parse errors name the file by (the CLI: its path; uploads: masked).
    """
    name = display_name or path.name
    kind = resolved_format(path, declared)
    if kind == "csv":
        with path.open("rb") as handle:
            for row in read_csv(handle, path.name):
                if row.event is None:
                    yield Unreadable(row.raw, f"line {row.origin}: {row.error}")
                else:
                    yield DecodedRecord(row.event, row.raw)
        return
    if kind == "evtx":
        for record in read_evtx_isolated(path):
            if record.event is None:
                yield Unreadable(f"{name} record {record.origin}", record.error or "")
            else:
                yield record.event
        return
    parser = _LINE_PARSERS.get(kind)
    with path.open("rb") as handle:
        if parser is None:
            yield from handle
            return
        for line in handle:
            if line.strip():
                yield parser(line)


# --- the web upload --------------------------------------------------------------------------


def upload_dir() -> Path:
    return Path(settings.HYGIE_HOME) / "detection-uploads"


def max_upload_bytes() -> int:
    return int(settings.HYGIE_MAX_UPLOAD_BYTES)


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is too large (limit %(limit)s).")
        % {"limit": filesizeformat(max_upload_bytes())},
        code="too_large",
    )


def _store_upload(upload: Any) -> Path:
    """Write the upload to a private file named by a random id (the name may be personal data)."""
    if (upload.size or 0) > max_upload_bytes():
        raise _too_large()
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    folder = upload_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{safe_extension(base_name(upload.name or ''))}"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > max_upload_bytes():
                    raise _too_large()
                handle.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def start_file_ingest(
    user: User, establishment: Establishment, upload: Any, declared: str = AUTO
) -> Job:
    """Queue the ingestion of an uploaded log file for ``establishment`` as a background job."""
    if not user.can(INGEST):
        raise PermissionDenied(_("Your role does not allow importing events."))
    crud.check_establishment_allowed(user, establishment.pk)
    if declared not in FORMATS:
        raise ValidationError({"log_format": [_("Choose a log format from the list.")]})
    shown = masked_file_name(base_name(upload.name or "")) or masked_file_name("upload")
    stored = _store_upload(upload)
    try:
        if declared != AUTO:
            resolved_format(stored, declared)  # an EVTX claim is checked before queueing
        with transaction.atomic():
            job = start_job(
                INGEST_JOB_KIND,
                gettext_noop("Log file import: %(name)s"),
                title_params={"name": shown},
                establishment=establishment,
                user=user,
                upload=stored.name,
                log_format=declared,
                shown_name=shown,
            )
            audit.record(
                "create",
                job,
                changes={"file": shown, "format": declared, "establishment": establishment.pk},
                message="Log file import started",
            )
    except LogFileError as error:
        stored.unlink(missing_ok=True)
        raise ValidationError({"log_format": [error.message]}) from None
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return job


def run_file_ingest(
    run: JobRun, upload: str, log_format: str = AUTO, shown_name: str = ""
) -> dict[str, Any]:
    """The job body: ingest the stored upload through ``ingest_lines``, then delete it."""
    path = upload_dir() / PurePath(upload).name
    establishment = run.establishment
    try:
        if establishment is None:
            raise LogFileError(_("The establishment of this import no longer exists."))
        if not path.is_file():
            raise LogFileError(_("The uploaded file is no longer available."))
        run.progress(0, 0, gettext_noop("Reading the file"))

        def progress(count: int) -> None:
            run.check_cancelled()
            run.progress(count, 0, gettext_noop("%(count)s event(s) stored"), {"count": count})

        summary: IngestSummary = ingest_lines(
            establishment,
            read_log_file(path, log_format, shown_name),
            EventSource.FILE,
            progress=progress,
        )
    finally:
        path.unlink(missing_ok=True)
    run.progress(
        summary.events,
        summary.events,
        gettext_noop("%(events)s event(s) stored, %(errors)s parse error(s), %(alerts)s alert(s)"),
        {"events": summary.events, "errors": summary.parse_errors, "alerts": summary.alerts},
    )
    audit.record(
        "update",
        run.job,
        changes={"file": shown_name, **summary.as_dict()},
        message="Log file import finished",
    )
    return {"file": shown_name, **summary.as_dict()}
