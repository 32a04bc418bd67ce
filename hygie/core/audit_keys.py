"""The audit chain's HMAC keys: files outside the database, one per key id, never rewritten.

Someone who can write the database can recompute a plain hash chain after an edit; they cannot
recompute an HMAC without the key, which lives in ``HYGIE_AUDIT_KEY_DIR`` (default
``HYGIE_HOME/keys/audit``; folder 0700, files 0600). Each key file records the first sequence it
signs, so every entry after it must be keyed (a "downgrade" to plain SHA-256 is detected) and the
plain SHA-256 entries of an installation that predates keys stay verifiable as a legacy prefix.

Keys are read once per process and cached: appending an entry does no file I/O.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from hygie.lib.errors import HygieError

KEY_ID_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
KEY_BYTES = 32
_SUFFIX = ".key"


class AuditKeyError(HygieError):
    """An audit key is missing or unreadable; the message says which and where."""


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes = b""
    # The first chain sequence this key signs: entries before it are older keys' or legacy.
    first_sequence: int = 1
    created_at: str = ""

    def __repr__(self) -> str:  # never print the secret
        return f"AuditKey({self.key_id!r}, first_sequence={self.first_sequence})"


_cache: dict[tuple[str, str], AuditKey] = {}
_cache_lock = threading.Lock()


def key_dir() -> Path:
    configured = getattr(settings, "HYGIE_AUDIT_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.HYGIE_HOME) / "keys" / "audit"


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)  # mkdir's mode is masked by umask and ignored for existing folders
    return path


def _path_of(directory: Path, key_id: str) -> Path:
    # Key ids come from database rows: never let one name a file outside the key folder.
    if not KEY_ID_PATTERN.match(key_id):
        raise AuditKeyError(f"{key_id!r} is not an audit key id")
    return directory / f"{key_id}{_SUFFIX}"


def _parse(path: Path, key_id: str) -> AuditKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        secret = bytes.fromhex(data["secret"])
        first_sequence = int(data["first_sequence"])
        if data.get("key_id") != key_id or len(secret) < KEY_BYTES or first_sequence < 1:
            raise ValueError("inconsistent key file")
    except FileNotFoundError:
        raise AuditKeyError(
            f"audit key {key_id} is missing from {path.parent}: restore it from "
            "the key backup to verify or extend the chain"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AuditKeyError(f"audit key file {path} is unreadable ({type(exc).__name__})") from None
    return AuditKey(key_id, secret, first_sequence, str(data.get("created_at", "")))


def load(key_id: str) -> AuditKey:
    """The key ``key_id`` (cached after the first read)."""
    directory = key_dir()
    cache_key = (str(directory), key_id)
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    key = _parse(_path_of(directory, key_id), key_id)
    with _cache_lock:
        _cache[cache_key] = key
    return key


def key_ids() -> list[str]:
    """Every key id in the key folder, oldest first (ids start with their creation time)."""
    directory = key_dir()
    try:
        if not directory.is_dir():
            return []
        stems = [
            path.name.removesuffix(_SUFFIX)
            for path in directory.iterdir()
            if path.name.endswith(_SUFFIX)
        ]
    except OSError as exc:
        raise AuditKeyError(
            f"cannot read the audit key folder {directory} ({exc.strerror})"
        ) from None
    return sorted(stem for stem in stems if KEY_ID_PATTERN.match(stem))


def all_keys() -> tuple[dict[str, AuditKey], dict[str, str]]:
    """The keys that load, and why each other one does not (for verification to report)."""
    keys: dict[str, AuditKey] = {}
    problems: dict[str, str] = {}
    for key_id in key_ids():
        try:
            keys[key_id] = load(key_id)
        except AuditKeyError as exc:
            problems[key_id] = str(exc)
    return keys, problems


def create(first_sequence: int) -> AuditKey:
    """Generate a new key signing from ``first_sequence`` on (file 0600, written once)."""
    try:
        return _create(first_sequence)
    except OSError as exc:
        raise AuditKeyError(
            f"cannot write a new audit key into {key_dir()} ({exc.strerror})"
        ) from None


def _create(first_sequence: int) -> AuditKey:
    directory = _private_dir(key_dir())
    now = datetime.now(UTC)
    key_id = f"{now:%Y%m%dT%H%M%S}Z-{secrets.token_hex(4)}"
    key = AuditKey(
        key_id, secrets.token_bytes(KEY_BYTES), first_sequence, now.isoformat(timespec="seconds")
    )
    payload = (
        json.dumps(
            {
                "key_id": key.key_id,
                "secret": key.secret.hex(),
                "first_sequence": key.first_sequence,
                "created_at": key.created_at,
            },
            sort_keys=True,
        )
        + "\n"
    )
    path = _path_of(directory, key_id)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(directory)
    with _cache_lock:
        _cache[(str(directory), key_id)] = key
    return key


def newest_or_create(first_sequence: int) -> AuditKey:
    """The newest key, or a first one: used when the chain has no active key yet."""
    ids = key_ids()
    return load(ids[-1]) if ids else create(first_sequence)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
