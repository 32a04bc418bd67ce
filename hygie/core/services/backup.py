"""Backup and restore of a whole installation: database, secret key, hygie.toml, uploaded files.

One ``.tar.gz`` holds a ``manifest.json`` (format, Hygie version, creation time, SHA-256 and size
of every member) and the members. The database copy is consistent while Hygie runs: SQLite through
its online backup API, PostgreSQL through ``pg_dump``. Restore verifies every hash before it writes
anything. This module does not start Django: a restore runs before the database exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dj_database_url

from hygie import __version__
from hygie.config import SECRET_KEY_FILE, Settings
from hygie.lib.errors import HygieError

FORMAT = "hygie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/hygie.sqlite3"
POSTGRESQL_MEMBER = "database/hygie.pgdump"
TOML_FILE = "hygie.toml"
MEDIA_DIR = "media"


class BackupError(HygieError):
    """A backup or restore could not be done; the message says what to fix."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    hygie_version: str
    database_engine: str
    members: dict[str, dict[str, Any]]
    has_secret_key: bool

    def to_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": self.created_at,
            "hygie_version": self.hygie_version,
            "database": {"engine": self.database_engine},
            "has_secret_key": self.has_secret_key, "members": self.members,
        }, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("this file is not a Hygie backup (unknown manifest format)")
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(f"backup format version {data.get('format_version')} is not "
                                  f"supported by Hygie {__version__}")
            return cls(created_at=str(data["created_at"]), hygie_version=str(data["hygie_version"]),
                       database_engine=str(data["database"]["engine"]),
                       members=dict(data["members"]),
                       has_secret_key=bool(data["has_secret_key"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the backup manifest is unreadable ({type(exc).__name__})") from None


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
        environment = {"PGHOST": str(parsed.get("HOST") or ""),
                       "PGPORT": str(parsed.get("PORT") or ""),
                       "PGUSER": str(parsed.get("USER") or ""),
                       "PGPASSWORD": str(parsed.get("PASSWORD") or ""),
                       "PGDATABASE": str(parsed.get("NAME") or "")}
        return DatabaseTarget("postgresql", None, {k: v for k, v in environment.items() if v})
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is needed for a PostgreSQL database but is not on PATH; "
                          "install the PostgreSQL client (`apt-get install postgresql-client`)")
    return found


def _run_pg_tool(arguments: list[str], target: DatabaseTarget, what: str) -> None:
    environment = {**os.environ, **target.pg_environment}
    completed = subprocess.run(arguments, env=environment, capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines[-3:]
        raise BackupError(f"{what} failed: " + ("; ".join(errors[:3]) or "no message"))


# --- backup --------------------------------------------------------------------------------


def create_backup(settings: Settings, destination: Path) -> Manifest:
    """Write a backup of the installation described by ``settings`` to ``destination``."""
    destination = destination.resolve()
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name")
    if not destination.parent.is_dir():
        raise BackupError(f"folder {destination.parent} does not exist")
    target = database_target(settings)
    with tempfile.TemporaryDirectory(prefix=".hygie-backup-", dir=destination.parent) as staging:
        stage = Path(staging)
        _stage_database(target, stage)
        secret = settings.home / SECRET_KEY_FILE
        if secret.is_file():
            shutil.copy2(secret, stage / SECRET_KEY_FILE)
        if (settings.home / TOML_FILE).is_file():
            shutil.copy2(settings.home / TOML_FILE, stage / TOML_FILE)
        media = settings.home / MEDIA_DIR
        for path in _files_under(media) if media.is_dir() else ():
            copy = stage / MEDIA_DIR / path.relative_to(media)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
        members = {path.relative_to(stage).as_posix(): {"sha256": _sha256(path),
                                                        "size": path.stat().st_size}
                   for path in _files_under(stage)}
        manifest = Manifest(created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                            hygie_version=__version__, database_engine=target.engine,
                            members=members, has_secret_key=(stage / SECRET_KEY_FILE).exists())
        (stage / MANIFEST).write_bytes(manifest.to_json())
        _write_archive(stage, [MANIFEST, *members], destination)
    return manifest


def _stage_database(target: DatabaseTarget, stage: Path) -> None:
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
    else:
        _run_pg_tool([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                      f"--file={stage / POSTGRESQL_MEMBER}"], target, "pg_dump")


def _write_archive(stage: Path, names: list[str], destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partial")
    # The archive holds the secret key and patient-related data: owner-only from the start.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name in names:
                archive.add(stage / name, arcname=name, recursive=False)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


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
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None


def restore_backup(settings: Settings, archive_path: Path, *, force: bool = False) -> Manifest:
    """Restore ``archive_path`` into the installation described by ``settings``.

    Refuses a non-empty data folder unless ``force``; verifies every member's SHA-256 first.
    """
    archive_path = archive_path.resolve()
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist")
    home = settings.home
    if home.exists() and any(home.iterdir()) and not force:
        raise BackupError(f"the data folder {home} is not empty; restore into an empty folder "
                          "(set HYGIE_HOME) or add --force to overwrite it")
    manifest = read_manifest(archive_path)
    target = database_target(settings)
    if target.engine != manifest.database_engine:
        raise BackupError(f"this backup holds a {manifest.database_engine} database but "
                          f"HYGIE_DATABASE_URL points to {target.engine}; restore onto the "
                          "same kind of database")
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    with tempfile.TemporaryDirectory(prefix=".hygie-restore-", dir=home) as staging:
        stage = Path(staging)
        _extract_verified(archive_path, manifest, stage)
        _restore_database(target, stage, force=force)
        if (stage / SECRET_KEY_FILE).exists():
            _place(stage / SECRET_KEY_FILE, home / SECRET_KEY_FILE, mode=0o600)
        if (stage / TOML_FILE).exists():
            _place(stage / TOML_FILE, home / TOML_FILE, mode=0o600)
        if (stage / MEDIA_DIR).exists():
            shutil.rmtree(home / MEDIA_DIR, ignore_errors=True)
            (stage / MEDIA_DIR).replace(home / MEDIA_DIR)
    return manifest


def _extract_verified(archive_path: Path, manifest: Manifest, stage: Path) -> None:
    expected = set(manifest.members) | {MANIFEST}
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            names = set()
            for member in archive.getmembers():
                if not member.isfile() or member.name not in expected:
                    raise BackupError(f"unexpected entry {member.name!r} in the archive: "
                                      "it was not written by `hygie backup`")
                names.add(member.name)
            missing = expected - names
            if missing:
                raise BackupError(f"the archive is incomplete: {sorted(missing)[0]} is missing")
            # The "data" filter refuses absolute paths, "..", links and device files.
            archive.extractall(stage, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None
    for name, facts in manifest.members.items():
        if _sha256(stage / name) != facts.get("sha256"):
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the archive "
                              "is damaged or was modified; nothing was restored")


def _restore_database(target: DatabaseTarget, stage: Path, *, force: bool) -> None:
    if target.engine == "sqlite":
        assert target.sqlite_path is not None
        target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):  # leftovers of the old database would corrupt the new
            Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
        _place(stage / SQLITE_MEMBER, target.sqlite_path, mode=0o600)
        return
    arguments = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 f"--dbname={target.pg_environment.get('PGDATABASE', '')}"]
    if force:
        arguments += ["--clean", "--if-exists"]
    _run_pg_tool([*arguments, str(stage / POSTGRESQL_MEMBER)], target,
                 "pg_restore (without --force the database must be empty)")


def _place(source: Path, destination: Path, *, mode: int) -> None:
    source.chmod(mode)
    source.replace(destination)
