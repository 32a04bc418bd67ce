"""Collecting evidence: uploaded files (size-limited, type-checked by content) and JSON snapshots.

The stored file is named by its SHA-256 (``evidence/<sha256[:2]>/<sha256>``, one file per
content), never by the uploaded name, which may contain a patient's or an employee's name. The
original name is kept as personal data: pages and API answers show ``Evidence.file_name``
(masked), downloads get a neutral name, and only ``reveal_original_name`` gives it in full, to a
user with ``evidence.reveal_names``, recording the look in the audit trail (decision 0017).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.models import Establishment, Evidence, User
from hygie.core.models.evidence import digest_path
from hygie.core.roles import ADD_EVIDENCE, REVEAL_FILE_NAMES
from hygie.core.services import crud
from hygie.lib.filenames import base_name

# Allowed kinds: label → (MIME type served on download, accepted file extensions).
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "txt": ("text/plain", (".txt", ".log", ".eml")),  # .eml: a reported suspicious e-mail
    "csv": ("text/csv", (".csv",)),
    "json": ("application/json", (".json",)),
    "zip": ("application/zip", (".zip",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
_SNIFF_BYTES = 8192
_TEXT_KINDS = ("txt", "csv", "json")


def max_upload_bytes() -> int:
    return int(settings.HYGIE_MAX_UPLOAD_BYTES)


def detect_content_kind(head: bytes, filename: str, file_obj: Any = None) -> str | None:
    """The allowed kind this content really is, judged by its bytes and checked against its name.

    Returns None when the content is not an allowed type or does not match the extension
    (a ``.pdf`` that is really an executable is refused).
    """
    extension = PurePath(filename or "").suffix.lower()
    if head.startswith(b"%PDF-"):
        kind: str | None = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = _zip_kind(file_obj) if file_obj is not None else "zip"
    elif _looks_like_text(head):
        kind = {".csv": "csv", ".json": "json"}.get(extension, "txt")
        if kind == "json" and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            return None
    else:
        return None
    if kind is None or extension not in ALLOWED_TYPES[kind][1]:
        return None
    return kind


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    sample = head[:_SNIFF_BYTES]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 3:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _zip_kind(file_obj: Any) -> str | None:
    """Tell Office documents from plain archives by their member names (bounded look)."""
    try:
        file_obj.seek(0)
        with zipfile.ZipFile(file_obj) as archive:
            names = archive.namelist()[:2000]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file_obj.seek(0)
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    return "zip"


def _hash_stream(uploaded_file: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    uploaded_file.seek(0)
    for chunk in (
        uploaded_file.chunks()
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(65536), b"")
    ):
        size += len(chunk)
        if size > max_upload_bytes():
            raise ValidationError(
                _("The file is too large (limit %(limit)s).")
                % {"limit": filesizeformat(max_upload_bytes())}
            )
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest(), size


def validate_upload(uploaded_file: Any) -> str:
    """Check size and real content type; return the allowed kind or raise ValidationError."""
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size is not None and declared_size > max_upload_bytes():
        raise ValidationError(
            _("The file is too large (limit %(limit)s).")
            % {"limit": filesizeformat(max_upload_bytes())}
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(_SNIFF_BYTES)
    uploaded_file.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."))
    kind = detect_content_kind(head, getattr(uploaded_file, "name", ""), uploaded_file)
    if kind is None:
        raise ValidationError(
            _(
                "This type of file is not accepted, or its content does not match "
                "its extension. Accepted: PDF, PNG, JPEG, text, CSV, JSON, ZIP, "
                "Word (.docx) and Excel (.xlsx)."
            )
        )
    return kind


def add_evidence(
    establishment: Establishment,
    user: User | None,
    title: str,
    uploaded_file: Any = None,
    snapshot: Any = None,
    subject: models.Model | None = None,
    description: str = "",
) -> Evidence:
    """Store one proof (exactly one of a file or a JSON snapshot) with its SHA-256."""
    if user is not None and not user.can(ADD_EVIDENCE):
        raise PermissionDenied(_("You may not add evidence."))
    if user is not None:
        crud.check_establishment_allowed(user, establishment.pk)
    if (uploaded_file is None) == (snapshot is None):
        raise ValidationError(_("Give either a file or a snapshot."))
    evidence = Evidence(
        establishment=establishment,
        title=title,
        description=description,
        collected_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if subject is not None:
        evidence.subject_type = ContentType.objects.get_for_model(subject)
        evidence.subject_id = str(subject.pk)
    if uploaded_file is not None:
        kind = validate_upload(uploaded_file)
        evidence.sha256, evidence.size = _hash_stream(uploaded_file)
        evidence.content_type_label = ALLOWED_TYPES[kind][0]
        evidence.original_name = base_name(getattr(uploaded_file, "name", "") or "file")
        content: Any = uploaded_file
    else:
        canonical = json.dumps(
            snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        ).encode("utf-8")
        evidence.snapshot = json.loads(canonical)
        evidence.sha256 = hashlib.sha256(canonical).hexdigest()
        evidence.size = len(canonical)
        evidence.content_type_label = "application/json"
        content = None
    return _store(evidence, content, user)


def _store(evidence: Evidence, content: Any, user: User | None) -> Evidence:
    stored_name = None
    if content is not None:
        canonical = digest_path(evidence.sha256)
        if evidence.file.storage.exists(canonical):
            evidence.file.name = canonical  # same content already stored: share the file
        else:
            evidence.file.save(
                evidence.sha256,
                content if hasattr(content, "chunks") else ContentFile(content.read()),
                save=False,
            )
            stored_name = evidence.file.name
    try:
        with transaction.atomic():
            evidence.full_clean()
            evidence.save()
    except (ValidationError, DatabaseError):
        # The row did not land: remove the file so storage and database stay in step, unless
        # another evidence row already points at the same content.
        if stored_name and not Evidence.objects.filter(file=stored_name).exists():
            evidence.file.storage.delete(stored_name)
        raise
    return evidence


def open_for_download(evidence: Evidence) -> tuple[Any, str, str]:
    """The file object, its MIME type and a neutral download name (never the original name)."""
    if evidence.file:
        handle = evidence.file.open("rb")
        return (
            handle,
            evidence.content_type_label or "application/octet-stream",
            evidence.download_name,
        )
    payload = json.dumps(evidence.snapshot, indent=2, ensure_ascii=False).encode("utf-8")
    return io.BytesIO(payload), "application/json", evidence.download_name


def can_reveal_names(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.can(REVEAL_FILE_NAMES)


def reveal_original_name(user: User | None, evidence: Evidence) -> str:
    """The uploaded file's name in full, for a user allowed to see it; the look is audited
    (the entry says that the name was shown, never the name itself)."""
    if not can_reveal_names(user):
        raise PermissionDenied(_("You may not see the original names of uploaded files."))
    if not Evidence.objects.visible_to(user).filter(pk=evidence.pk).exists():
        raise PermissionDenied(_("You may not see this evidence."))
    audit.record("view", evidence, message="original file name shown")
    return str(evidence.original_name)
