"""Backup and restore of a whole installation: the database and the whole data folder.

One ``.tar.gz`` holds a ``manifest.json`` (format, Hygie version, creation time, SHA-256, size and
mode of every member) and the members: ``database/…`` (a consistent copy of the database: SQLite
through its online backup API, PostgreSQL through ``pg_dump``) and ``home/…``, every file under
``HYGIE_HOME`` — configuration, secret key, keys, uploads, imported rule packs, audit
checkpoints and whatever a module writes there — except the paths a module declared as cache in
its manifest (``cache_paths`` in ``<module>/module.py``). Backing up the whole tree by default,
rather than a list of known folders, is what keeps a new module's files from being forgotten
(decision 0017).

Restore verifies every hash before it writes anything, puts every file back with its mode, then
checks the written files again. This module does not start Django: a restore runs before the
database exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import IO, Any

import dj_database_url

from hygie import __version__, modules
from hygie.config import SECRET_KEY_FILE, Settings
from hygie.lib.documents import DocumentError, Limits, load_json
from hygie.lib.errors import HygieError

FORMAT = "hygie-backup"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
# A manifest lists every file of HYGIE_HOME (a few values each): room for millions of files,
# never for a nesting bomb.
MANIFEST_LIMITS = Limits(max_bytes=512 * 1024 * 1024, max_depth=8, max_nodes=50_000_000)
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/hygie.sqlite3"
POSTGRESQL_MEMBER = "database/hygie.pgdump"
DATABASE_PREFIX = "database/"
HOME_PREFIX = "home/"
# Staging folders of a backup or restore written inside the data folder: never backed up.
STAGING_PATTERNS = (".hygie-backup-*", ".hygie-restore-*")
_BLOCK = 1024 * 1024
# What reading a damaged or truncated .tar.gz raises (EOFError: the gzip stream ends early; left
# alone it reaches click, which prints "Aborted!").
_UNREADABLE = (OSError, EOFError, zlib.error, tarfile.TarError)


class BackupError(HygieError):
    """A backup or restore could not be done; the message says what to fix."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    hygie_version: str
    database_engine: str
    members: dict[str, dict[str, Any]]
    has_secret_key: bool
    format_version: int = FORMAT_VERSION
    # Patterns (relative to HYGIE_HOME) left out as cache, and files that could not be archived.
    excluded: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": self.format_version,
                "created_at": self.created_at,
                "hygie_version": self.hygie_version,
                "database": {"engine": self.database_engine},
                "has_secret_key": self.has_secret_key,
                "members": self.members,
                "excluded": list(self.excluded),
                "skipped": self.skipped,
            },
            indent=2,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            # The platform's hardened loader: a forged manifest cannot exhaust memory or recurse.
            data = load_json(raw, "manifest.json", MANIFEST_LIMITS).data
            if data.get("format") != FORMAT:
                raise BackupError("this file is not a Hygie backup (unknown manifest format)")
            if data.get("format_version") not in READABLE_VERSIONS:
                raise BackupError(
                    f"backup format version {data.get('format_version')} is not "
                    f"supported by Hygie {__version__}"
                )
            return cls(
                created_at=str(data["created_at"]),
                hygie_version=str(data["hygie_version"]),
                database_engine=str(data["database"]["engine"]),
                members=dict(data["members"]),
                has_secret_key=bool(data["has_secret_key"]),
                format_version=int(data["format_version"]),
                excluded=tuple(str(p) for p in data.get("excluded", ())),
                skipped={str(k): str(v) for k, v in data.get("skipped", {}).items()},
            )
        except DocumentError as exc:
            raise BackupError(f"the backup manifest is unreadable ({exc})") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"the backup manifest is unreadable ({type(exc).__name__})") from None

    def home_members(self) -> dict[str, str]:
        """Archive member → path relative to HYGIE_HOME, for every data-folder file."""
        if self.format_version == 1:  # database/…, then secret_key, hygie.toml, media/… at the top
            return {name: name for name in self.members if not name.startswith(DATABASE_PREFIX)}
        return {
            name: name.removeprefix(HOME_PREFIX)
            for name in self.members
            if name.startswith(HOME_PREFIX)
        }


@dataclass(frozen=True)
class DatabaseTarget:
    engine: str  # "sqlite" or "postgresql"
    sqlite_path: Path | None
    pg_environment: dict[str, str]


def database_target(settings: Settings) -> DatabaseTarget:
    parsed = dj_database_url.parse(settings.database_url)
    engine = parsed["ENGINE"]
    if engine.endswith("sqlite3"):
        return DatabaseTarget("sqlite", Path(str(parsed["NAME"])), {})
    if "postgresql" in engine:
        # libpq environment variables keep the password out of the process list.
        environment = {
            "PGHOST": str(parsed.get("HOST") or ""),
            "PGPORT": str(parsed.get("PORT") or ""),
            "PGUSER": str(parsed.get("USER") or ""),
            "PGPASSWORD": str(parsed.get("PASSWORD") or ""),
            "PGDATABASE": str(parsed.get("NAME") or ""),
        }
        return DatabaseTarget("postgresql", None, {k: v for k, v in environment.items() if v})
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def sqlite_files(path: Path) -> list[Path]:
    """The database file and the journals SQLite keeps beside it."""
    return [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]


def is_excluded(relative: str, patterns: Iterable[str]) -> bool:
    """Whether ``relative`` (POSIX, relative to HYGIE_HOME) or one of its folders matches a
    pattern: ``static`` covers everything under ``static/``, ``rules/.*`` every dot-folder
    directly in ``rules/``."""
    parts = PurePosixPath(relative).parts
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return any(fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & 0o777


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is needed for a PostgreSQL database but is not on PATH; "
            "install the PostgreSQL client (`apt-get install postgresql-client`)"
        )
    return found


def _run_pg_tool(arguments: list[str], target: DatabaseTarget, what: str) -> None:
    environment = {**os.environ, **target.pg_environment}
    completed = subprocess.run(
        arguments, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines[-3:]
        raise BackupError(f"{what} failed: " + ("; ".join(errors[:3]) or "no message"))


# --- what a backup holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeFile:
    relative: str
    path: Path


@dataclass(frozen=True)
class HomeInventory:
    """The data folder split the way a backup sees it."""

    files: tuple[HomeFile, ...]
    skipped: dict[str, str]  # relative path → why it cannot be archived (links, sockets…)


def home_inventory(
    home: Path, excluded: Sequence[str], *, leave_out: Iterable[Path] = ()
) -> HomeInventory:
    """Every regular file under ``home`` except ``excluded`` patterns and ``leave_out`` paths
    (the database files, copied through the database's own backup, and the archive itself)."""
    left_out = {os.path.abspath(path) for path in leave_out}
    patterns = (*STAGING_PATTERNS, *excluded)
    files: list[HomeFile] = []
    skipped: dict[str, str] = {}
    if not home.is_dir():
        return HomeInventory((), {})
    for directory, dirnames, filenames in os.walk(home, followlinks=False):
        base = Path(directory)
        kept = []
        for name in sorted(dirnames):
            relative = (base / name).relative_to(home).as_posix()
            if is_excluded(relative, patterns):
                continue
            if (base / name).is_symlink():
                skipped[relative] = "symbolic link (not followed)"
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = base / name
            relative = path.relative_to(home).as_posix()
            if os.path.abspath(path) in left_out or is_excluded(relative, patterns):
                continue
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue  # removed since the folder was listed (a scanned upload, a staging)
            if stat.S_ISREG(info.st_mode):
                files.append(HomeFile(relative, path))
            else:
                skipped[relative] = (
                    "symbolic link (not followed)"
                    if stat.S_ISLNK(info.st_mode)
                    else "not a regular file"
                )
    return HomeInventory(tuple(files), skipped)


# --- backup --------------------------------------------------------------------------------


def declared_cache_paths() -> tuple[str, ...]:
    """Every module's cache patterns (read from the manifests: no Django needed)."""
    return tuple(pattern for module in modules.discover() for pattern in module.cache_paths)


def create_backup(
    settings: Settings, destination: Path, excluded: Sequence[str] | None = None
) -> Manifest:
    """Write a backup of the installation described by ``settings`` to ``destination``.

    ``excluded``: cache patterns left out (default: those the modules declare); everything else
    under HYGIE_HOME goes in.
    """
    excluded = declared_cache_paths() if excluded is None else tuple(excluded)
    destination = destination.resolve()
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name")
    if not destination.parent.is_dir():
        raise BackupError(f"folder {destination.parent} does not exist")
    target = database_target(settings)
    home = settings.home
    partial = destination.with_name(destination.name + ".partial")
    leave_out = [destination, partial]
    if target.sqlite_path is not None:
        leave_out += sqlite_files(target.sqlite_path)
    with tempfile.TemporaryDirectory(prefix=".hygie-backup-", dir=destination.parent) as staging:
        stage = Path(staging)
        snapshots = _snapshot_audit_checkpoints(settings, stage)
        database_member = _stage_database(target, stage)
        inventory = home_inventory(home, excluded, leave_out=leave_out)
        # The archive holds the secret key and patient-related data: owner-only from the start.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz") as archive,
            ):
                members = {
                    database_member: _add_file(archive, stage / database_member, database_member)
                }
                skipped = dict(inventory.skipped)
                for item in inventory.files:
                    name = HOME_PREFIX + item.relative
                    source = snapshots.get(os.path.abspath(item.path), item.path)
                    try:
                        members[name] = _add_file(archive, source, name)
                    except FileNotFoundError:
                        # Gone between listing and reading: a transient file, nothing to keep.
                        skipped[item.relative] = "removed while the backup ran"
                manifest = Manifest(
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    hygie_version=__version__,
                    database_engine=target.engine,
                    members=members,
                    has_secret_key=f"{HOME_PREFIX}{SECRET_KEY_FILE}" in members,
                    excluded=tuple(excluded),
                    skipped=skipped,
                )
                payload = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(payload), 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, _BytesReader(payload))
            partial.replace(destination)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


class _BytesReader:
    def __init__(self, payload: bytes) -> None:
        self._payload, self._offset = payload, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._payload) if size < 0 else self._offset + size
        chunk = self._payload[self._offset : end]
        self._offset += len(chunk)
        return chunk


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    """Stream one file into the archive; its hash is of the archived bytes (no second read,
    no copy of large uploads in a staging folder)."""
    try:
        handle = path.open("rb")  # FileNotFoundError goes up: the caller skips the file
    except PermissionError as exc:
        raise BackupError(f"cannot archive {name}: {exc.strerror or exc}") from None
    try:
        with handle:
            info = archive.gettarinfo(fileobj=handle, arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            reader = _HashingReader(handle)
            archive.addfile(info, reader)
    except OSError as exc:
        # A file shrinking while it is read ends here too ("unexpected end of data").
        raise BackupError(f"cannot archive {name}: {exc.strerror or exc}") from None
    return {
        "sha256": reader.digest.hexdigest(),
        "size": info.size,
        "mode": f"{stat.S_IMODE(info.mode) & 0o777:04o}",
    }


def _snapshot_audit_checkpoints(settings: Settings, stage: Path) -> dict[str, Path]:
    """A copy of the audit checkpoint file taken *before* the database: a checkpoint signed while
    the backup runs must not name an entry the database copy lacks (after a restore,
    ``hygie audit verify`` would rightly call that a truncation)."""
    source = settings.audit_checkpoint_file
    if source is None or not source.is_file():
        return {}
    copy = stage / "audit-checkpoints" / source.name
    copy.parent.mkdir()
    shutil.copy2(source, copy)
    return {os.path.abspath(source): copy}


def _stage_database(target: DatabaseTarget, stage: Path) -> str:
    (stage / "database").mkdir()
    if target.engine == "sqlite":
        assert target.sqlite_path is not None
        if not target.sqlite_path.is_file():
            raise BackupError(f"no database at {target.sqlite_path}; run `hygie migrate` first")
        source = sqlite3.connect(f"file:{target.sqlite_path}?mode=ro", uri=True)
        copy = sqlite3.connect(stage / SQLITE_MEMBER)
        try:
            with copy:
                source.backup(copy)  # consistent even while the server writes (online backup)
        finally:
            copy.close()
            source.close()
        (stage / SQLITE_MEMBER).chmod(0o600)
        return SQLITE_MEMBER
    _run_pg_tool(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={stage / POSTGRESQL_MEMBER}",
        ],
        target,
        "pg_dump",
    )
    (stage / POSTGRESQL_MEMBER).chmod(0o600)
    return POSTGRESQL_MEMBER


# --- restore -------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except KeyError:
        raise BackupError(f"{archive_path} has no {MANIFEST}: not a Hygie backup") from None
    except _UNREADABLE as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None


def restore_backup(settings: Settings, archive_path: Path, *, force: bool = False) -> Manifest:
    """Restore ``archive_path`` into the installation described by ``settings``.

    Refuses a non-empty data folder unless ``force``; verifies every member's SHA-256 first, and
    every written file's content and mode afterwards. With ``force`` the data folder's state is
    replaced by the backup's: files the backup does not hold are removed, except cache.
    """
    archive_path = archive_path.resolve()
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist")
    home = settings.home
    if home.exists() and any(home.iterdir()) and not force:
        raise BackupError(
            f"the data folder {home} is not empty; restore into an empty folder "
            "(set HYGIE_HOME) or add --force to overwrite it"
        )
    manifest = read_manifest(archive_path)
    target = database_target(settings)
    if target.engine != manifest.database_engine:
        raise BackupError(
            f"this backup holds a {manifest.database_engine} database but "
            f"HYGIE_DATABASE_URL points to {target.engine}; restore onto the "
            "same kind of database"
        )
    home_members = manifest.home_members()
    for relative in home_members.values():
        if not _is_safe_relative(relative):
            raise BackupError(
                f"unexpected entry {relative!r} in the manifest: it was not "
                "written by `hygie backup`"
            )
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.chmod(0o700)
    with tempfile.TemporaryDirectory(prefix=".hygie-restore-", dir=home) as staging:
        stage = Path(staging)
        _extract_verified(archive_path, manifest, stage)
        _restore_database(target, stage, force=force)
        if force:
            _clear_state(
                home,
                (*manifest.excluded, *declared_cache_paths()),
                keep=[stage, *(sqlite_files(target.sqlite_path) if target.sqlite_path else [])],
            )
        for name, relative in home_members.items():
            destination = home / relative
            _make_private_folders(destination.parent)
            _place(stage / name, destination, mode=_recorded_mode(manifest.members[name]))
    _verify_placed(home, manifest)
    return manifest


def _is_safe_relative(relative: str) -> bool:
    path = PurePosixPath(relative)
    return bool(relative) and not path.is_absolute() and ".." not in path.parts


def _recorded_mode(facts: dict[str, Any]) -> int:
    try:
        return int(str(facts.get("mode", "0600")), 8) & 0o777
    except ValueError:
        return 0o600


def _extract_verified(archive_path: Path, manifest: Manifest, stage: Path) -> None:
    expected = set(manifest.members) | {MANIFEST}
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            names = set()
            for member in archive.getmembers():
                if not member.isfile() or member.name not in expected:
                    raise BackupError(
                        f"unexpected entry {member.name!r} in the archive: "
                        "it was not written by `hygie backup`"
                    )
                names.add(member.name)
            missing = expected - names
            if missing:
                raise BackupError(f"the archive is incomplete: {sorted(missing)[0]} is missing")
            # The "data" filter refuses absolute paths, "..", links and device files.
            archive.extractall(stage, filter="data")
    except _UNREADABLE as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None
    for name, facts in manifest.members.items():
        if _sha256(stage / name) != facts.get("sha256"):
            raise BackupError(
                f"{name} does not match its SHA-256 in the manifest: the archive "
                "is damaged or was modified; nothing was restored"
            )


def _restore_database(target: DatabaseTarget, stage: Path, *, force: bool) -> None:
    if target.engine == "sqlite":
        assert target.sqlite_path is not None
        _make_private_folders(target.sqlite_path.parent)
        for journal in sqlite_files(target.sqlite_path)[1:]:
            journal.unlink(missing_ok=True)  # leftovers of the old database would corrupt it
        _place(stage / SQLITE_MEMBER, target.sqlite_path, mode=0o600)
        return
    arguments = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        f"--dbname={target.pg_environment.get('PGDATABASE', '')}",
    ]
    if force:
        arguments += ["--clean", "--if-exists"]
    _run_pg_tool(
        [*arguments, str(stage / POSTGRESQL_MEMBER)],
        target,
        "pg_restore (without --force the database must be empty)",
    )


def _clear_state(home: Path, excluded: Sequence[str], keep: Sequence[Path]) -> None:
    """Remove what the data folder holds besides cache, so the backup's state replaces it
    (an imported pack removed since the backup must not survive the restore)."""
    kept = {os.path.abspath(path) for path in keep}
    patterns = (*STAGING_PATTERNS, *excluded)
    for entry in sorted(home.iterdir()):
        relative = entry.relative_to(home).as_posix()
        if os.path.abspath(entry) in kept or is_excluded(relative, patterns):
            continue
        if entry.is_dir() and not entry.is_symlink():
            _clear_folder(home, entry, patterns)
        else:
            entry.unlink()


def _clear_folder(home: Path, folder: Path, patterns: Sequence[str]) -> None:
    for entry in sorted(folder.iterdir()):
        if is_excluded(entry.relative_to(home).as_posix(), patterns):
            continue
        if entry.is_dir() and not entry.is_symlink():
            _clear_folder(home, entry, patterns)
        else:
            entry.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def _make_private_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents owner-only (the data folder is private)."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700)


def _verify_placed(home: Path, manifest: Manifest) -> None:
    for name, relative in manifest.home_members().items():
        path = home / relative
        facts = manifest.members[name]
        if not path.is_file() or _sha256(path) != facts.get("sha256"):
            raise BackupError(f"{relative} was not restored intact; restore again with --force")
        if _mode(path) != _recorded_mode(facts):
            raise BackupError(f"{relative} could not be given its mode {_recorded_mode(facts):04o}")


def _place(source: Path, destination: Path, *, mode: int) -> None:
    source.chmod(mode)
    if destination.is_dir() and not destination.is_symlink():
        shutil.rmtree(destination)
    source.replace(destination)


# --- restore test ------------------------------------------------------------------------------

# How a backup or a restore test is recorded in the audit trail (read by the core's probes).
AUDIT_OBJECT_TYPE = "installation"
BACKUP_AUDIT_REPR = "full backup"
RESTORE_TEST_AUDIT_REPR = "restore test"


@dataclass(frozen=True)
class RestoreRehearsal:
    """What a restore rehearsal verified: every file's SHA-256, and the database copy."""

    manifest: Manifest
    files: int
    database_engine: str
    database_check: str  # "integrity_check ok" (SQLite) or "pg_restore --list ok" (PostgreSQL)
    audit_entries: int | None  # entries of the restored audit trail (SQLite), None otherwise

    def as_dict(self) -> dict[str, Any]:
        return {
            "backup_created_at": self.manifest.created_at,
            "hygie_version": self.manifest.hygie_version,
            "files": self.files,
            "database_engine": self.database_engine,
            "database_check": self.database_check,
            "audit_entries": self.audit_entries,
        }


def rehearse_restore(archive_path: Path) -> RestoreRehearsal:
    """Rehearse a restore without touching the installation: extract ``archive_path`` into a
    temporary folder, verify every member against its SHA-256, then open the database copy
    (SQLite: ``PRAGMA integrity_check`` and the restored audit trail counted; PostgreSQL:
    ``pg_restore --list`` reads the whole dump). Raises ``BackupError`` on the first problem."""
    archive_path = archive_path.resolve()
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist")
    manifest = read_manifest(archive_path)
    with tempfile.TemporaryDirectory(prefix=".hygie-restore-test-") as staging:
        stage = Path(staging)
        _extract_verified(archive_path, manifest, stage)
        if manifest.database_engine == "sqlite":
            check, entries = _check_sqlite_copy(stage / SQLITE_MEMBER)
        else:
            check, entries = _check_pg_dump(stage / POSTGRESQL_MEMBER), None
    return RestoreRehearsal(
        manifest=manifest,
        files=len(manifest.members),
        database_engine=manifest.database_engine,
        database_check=check,
        audit_entries=entries,
    )


def _check_sqlite_copy(path: Path) -> tuple[str, int]:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"the database copy is damaged (integrity check: {verdict})")
            (entries,) = connection.execute("SELECT COUNT(*) FROM core_auditentry").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the database copy cannot be read ({exc})") from None
    return "integrity_check ok", int(entries)


def _check_pg_dump(path: Path) -> str:
    completed = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        raise BackupError("pg_restore cannot read the dump: " + ("; ".join(lines[:3]) or "?"))
    return "pg_restore --list ok"
