"""``hygie check``: is this installation configured safely? Each finding says what to do.

File checks run before Django starts, because starting Django repairs some of what they look at
(the secret key file is tightened to 0600 on load) and an operator must still hear about it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hygie.config import SECRET_KEY_FILE, Settings, parse_listen

if TYPE_CHECKING:
    from hygie.core.audit_checkpoints import CheckpointLog
    from hygie.core.audit_verify import ChainProblem
    from hygie.core.models import AuditChainHead

OK, WARNING, ERROR = "ok", "warning", "error"

# Django deploy checks about HTTPS (HSTS, SSL redirect, secure cookies): one finding of ours
# ("no TLS in front") says it better than five of theirs on a loopback-only installation.
_HTTPS_CHECK_IDS = {"security.W004", "security.W008", "security.W012", "security.W016"}
_OIDC_REQUIRED = (
    "client_id",
    "client_secret",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
)


@dataclass(frozen=True)
class Finding:
    level: str  # ok, warning, error
    topic: str
    message: str
    fix: str = ""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_files(settings_home: Path, secret_from_environment: bool) -> list[Finding]:
    """Permissions of the data folder and the secret key (before Django touches them)."""
    findings = []
    secret = settings_home / SECRET_KEY_FILE
    if secret_from_environment:
        findings.append(Finding(OK, "secret key", "taken from HYGIE_SECRET_KEY"))
    elif not secret.exists():
        findings.append(
            Finding(
                WARNING,
                "secret key",
                f"{secret} does not exist yet",
                "it is generated (mode 0600) at the first `hygie migrate`",
            )
        )
    elif _mode(secret) & 0o077:
        findings.append(
            Finding(
                ERROR,
                "secret key",
                f"{secret} was readable by other accounts (mode {_mode(secret):04o})",
                f"chmod 600 {secret} (Hygie tightens it when it starts); if another account may "
                "have read it, replace the key: sessions and tokens signed with it must not be "
                "trusted",
            )
        )
    else:
        findings.append(Finding(OK, "secret key", f"{secret} has mode 0600"))
    if settings_home.exists():
        if _mode(settings_home) & 0o007:
            findings.append(
                Finding(
                    ERROR,
                    "data folder",
                    f"{settings_home} is open to every account (mode {_mode(settings_home):04o})",
                    f"chmod 700 {settings_home}: it holds the database and uploaded evidence",
                )
            )
        elif _mode(settings_home) & 0o070:
            findings.append(
                Finding(
                    WARNING,
                    "data folder",
                    f"{settings_home} is open to its group (mode {_mode(settings_home):04o})",
                    f"chmod 700 {settings_home} unless the group is intended",
                )
            )
        else:
            findings.append(Finding(OK, "data folder", f"{settings_home} is private"))
    else:
        findings.append(
            Finding(
                WARNING,
                "data folder",
                f"{settings_home} does not exist yet",
                "run `hygie migrate` to create it",
            )
        )
    findings.extend(_check_open_files(settings_home))
    return findings


def _check_open_files(home: Path) -> Iterator[Finding]:
    """Files and folders under the data folder that other accounts may read (database, uploads,
    keys, packs…): created 0600/0700 since issue 9, older installations may still have some."""
    if not home.is_dir():
        return
    open_paths = []
    for directory, dirnames, filenames in os.walk(home, followlinks=False):
        base = Path(directory)
        for name in [*dirnames, *filenames]:
            path = base / name
            try:
                mode = stat.S_IMODE(path.lstat().st_mode)
            except OSError:
                continue
            if mode & 0o077 and not path.is_symlink() and path.name != SECRET_KEY_FILE:
                open_paths.append((path, mode))
    if not open_paths:
        yield Finding(OK, "data folder files", "every file and folder in it is private")
        return
    shown = ", ".join(f"{path.relative_to(home)} ({mode:04o})" for path, mode in open_paths[:5])
    more = f" and {len(open_paths) - 5} more" if len(open_paths) > 5 else ""
    yield Finding(
        WARNING,
        "data folder files",
        f"{len(open_paths)} path(s) readable or writable by other accounts: {shown}{more}",
        f"chmod -R go-rwx {home}: it holds the database, uploads and keys",
    )


def check_platform(config: Settings, django_settings: Any) -> list[Finding]:
    """Everything that needs Django: database, network settings, mail, SSO, static files."""
    return [
        *_check_debug(config),
        *_check_network(config, django_settings),
        *_check_database(),
        *_check_smtp(config),
        *_check_oidc(config),
        *_check_static_files(),
        *_check_audit_anchoring(config),
        *_django_deploy_checks(config),
    ]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_debug(config: Settings) -> Iterator[Finding]:
    if config.debug:
        yield Finding(
            WARNING,
            "debug",
            "HYGIE_DEBUG is on; `hygie serve` ignores it, but "
            "developer tools started with it would show internals",
            "remove HYGIE_DEBUG from the environment and hygie.toml",
        )
    else:
        yield Finding(OK, "debug", "DEBUG is off")


def _check_network(config: Settings, django_settings: Any) -> Iterator[Finding]:
    host, _ = parse_listen(config.listen)
    local_only = _is_loopback(host)
    hosts = list(django_settings.ALLOWED_HOSTS)
    if "*" in hosts:
        yield Finding(
            ERROR,
            "allowed hosts",
            "HYGIE_ALLOWED_HOSTS contains '*'",
            "list the names users type, e.g. HYGIE_ALLOWED_HOSTS=hygie.ght.example",
        )
    elif not local_only and all(_is_loopback(h.strip("[]")) for h in hosts):
        yield Finding(
            WARNING,
            "allowed hosts",
            f"Hygie listens on {host} but only accepts local host names",
            "set HYGIE_ALLOWED_HOSTS to the name users type in their browser",
        )
    else:
        yield Finding(OK, "allowed hosts", ", ".join(hosts))
    if config.tls and not config.behind_tls_proxy:
        yield Finding(
            ERROR,
            "TLS",
            "HYGIE_TLS is on but `hygie serve` speaks plain HTTP: "
            "browsers would be redirected to HTTPS forever",
            "put a TLS reverse proxy in front and set HYGIE_BEHIND_TLS_PROXY=true",
        )
    elif config.behind_tls_proxy:
        yield Finding(
            OK,
            "TLS",
            "behind a TLS reverse proxy: secure cookies, HSTS and HTTPS "
            f"redirect are on; client addresses trusted from {config.trusted_proxy}",
        )
        if local_only and not _is_loopback(config.trusted_proxy):
            yield Finding(
                WARNING,
                "TLS",
                "the trusted proxy is not on this machine but Hygie only listens on the loopback",
                "check HYGIE_LISTEN and HYGIE_TRUSTED_PROXY",
            )
    elif local_only:
        yield Finding(OK, "TLS", "no TLS, but Hygie only listens on this machine")
    else:
        yield Finding(
            ERROR,
            "TLS",
            f"Hygie listens on {host} in plain HTTP: passwords and "
            "patient-related data would cross the network unencrypted",
            "serve it through a TLS reverse proxy (see the README) and set "
            "HYGIE_BEHIND_TLS_PROXY=true",
        )


def _check_database() -> Iterator[Finding]:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        yield Finding(
            ERROR,
            "database",
            f"cannot connect ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})",
            "check HYGIE_DATABASE_URL and that the database server runs",
        )
        return
    yield Finding(OK, "database", f"connected ({connection.vendor})")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        yield Finding(
            ERROR, "database", f"{len(pending)} migration(s) not applied", "run `hygie migrate`"
        )
    else:
        yield Finding(OK, "database", "schema up to date")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = str(cursor.fetchone()[0]).lower()
        if mode == "wal":
            yield Finding(OK, "database", "SQLite write-ahead logging (WAL) is on")
        else:
            yield Finding(
                WARNING,
                "database",
                f"SQLite journal mode is {mode}, not WAL: the "
                "web server and the worker will block each other",
                "keep the data folder on a local disk (WAL does not work on NFS)",
            )


# Three missed hourly checkpoints: the task runner is not running (or fails).
_CHECKPOINT_LATE_AFTER_SECONDS = 3 * 3600


def _check_audit_anchoring(config: Settings) -> Iterator[Finding]:
    """The audit keys are private and the chain is anchored by recent checkpoints."""
    from datetime import datetime

    from django.db import DatabaseError
    from django.utils import timezone

    from hygie.core.audit_checkpoints import read_log
    from hygie.core.models import AuditChainHead

    keys = config.audit_key_dir
    if keys is not None and keys.is_dir() and _mode(keys) & 0o077:
        yield Finding(
            ERROR,
            "audit keys",
            f"{keys} is open to other accounts (mode {_mode(keys):04o})",
            f"chmod -R go-rwx {keys}; if another account may have read a key, run "
            "`hygie audit rotate-key`",
        )
    for path, what in ((keys, "keys"), (config.audit_checkpoint_file, "checkpoints")):
        if path is not None and not path.is_relative_to(config.home):
            yield Finding(
                WARNING,
                "audit " + what,
                f"{path} is outside HYGIE_HOME: `hygie backup` does not hold it",
                "back it up yourself",
            )
    try:
        head = AuditChainHead.objects.filter(pk=1).first()
    except DatabaseError:
        return  # the database finding already says why
    log = read_log()
    problem = None if log.problem else _anchoring_problem(head, log)
    if log.problem:
        yield Finding(ERROR, "audit checkpoints", log.problem, "run `hygie audit verify`")
    elif problem is not None:  # the same rule as `hygie audit verify`'s checkpoint file check
        yield Finding(
            ERROR,
            f"audit {problem.check}",
            f"{problem.kind}: {problem.detail}",
            "run `hygie audit verify`; keep the database, keys and checkpoint "
            "file for the investigation",
        )
    elif head is None or head.sequence == 0:
        return
    elif log.last is None:
        yield Finding(
            WARNING,
            "audit checkpoints",
            "the audit trail has no checkpoint yet: a deleted tail would go unnoticed",
            "run `hygie audit checkpoint` (the hourly job does it while "
            "`hygie serve` or `hygie worker` runs)",
        )
    elif (
        log.last.sequence != head.sequence
        and (timezone.now() - datetime.fromisoformat(log.last.at)).total_seconds()
        > _CHECKPOINT_LATE_AFTER_SECONDS
    ):
        yield Finding(
            WARNING,
            "audit checkpoints",
            f"the last checkpoint is from {log.last.at}",
            "check that the task runner runs (`hygie serve` or `hygie worker`) and "
            "the core.audit_checkpoint job succeeds",
        )
    else:
        yield Finding(
            OK, "audit checkpoints", f"last checkpoint {log.last.at} at #{log.last.sequence}"
        )
    if not config.audit_syslog:
        yield Finding(
            WARNING,
            "audit checkpoints",
            "checkpoints are kept on this host only",
            "set HYGIE_AUDIT_SYSLOG to a collector on another host (see "
            "docs/admin-guide.md, Audit trail)",
        )


def _anchoring_problem(head: AuditChainHead | None, log: CheckpointLog) -> ChainProblem | None:
    """What verify's 'checkpoint file' and empty-table 'keys' checks would say, without walking
    the chain: a file shorter than the keyed records, no checkpoint where one is due, a wipe."""
    from hygie.core import audit_keys
    from hygie.core.audit_verify import (
        empty_table_problem,
        file_anchoring_problem,
        recorded_checkpoints,
    )

    if head is None or head.sequence == 0:
        try:
            keys, key_problems = audit_keys.all_keys()
        except audit_keys.AuditKeyError:
            return None  # the key folder finding says why
        return empty_table_problem(keys, key_problems)
    return file_anchoring_problem(log, *recorded_checkpoints())


def _check_smtp(config: Settings) -> Iterator[Finding]:
    from django.conf import settings

    if not config.smtp_url:
        yield Finding(
            WARNING,
            "mail",
            "no SMTP relay: e-mails are printed to the log",
            "set HYGIE_SMTP_URL, e.g. smtp+starttls://user:password@relay:587",
        )
        return
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    try:
        with socket.create_connection((host, port), timeout=3):
            pass
    except OSError as exc:
        yield Finding(
            ERROR,
            "mail",
            f"SMTP relay {host}:{port} unreachable ({exc})",
            "check HYGIE_SMTP_URL and the firewall between Hygie and the relay",
        )
    else:
        yield Finding(OK, "mail", f"SMTP relay {host}:{port} reachable")


def _check_oidc(config: Settings) -> Iterator[Finding]:
    if not config.oidc:
        yield Finding(OK, "single sign-on", "not configured (local accounts only)")
        return
    missing = [key for key in _OIDC_REQUIRED if key not in config.oidc]
    algorithm = config.oidc.get("sign_algo", "RS256")
    if algorithm.startswith("RS") and "jwks_endpoint" not in config.oidc:
        missing.append("jwks_endpoint")
    if missing:
        names = ", ".join(f"HYGIE_OIDC_{key.upper()}" for key in missing)
        yield Finding(
            ERROR,
            "single sign-on",
            f"OIDC is partly configured; missing {names}",
            "copy them from your identity provider's client registration",
        )
    else:
        yield Finding(
            OK,
            "single sign-on",
            f"OIDC with {config.oidc.get('provider_name', 'the identity provider')}",
        )


def _check_static_files() -> Iterator[Finding]:
    from django.contrib.staticfiles import finders

    count = sum(1 for finder in finders.get_finders() for _ in finder.list([]))
    if count:
        yield Finding(OK, "static files", f"{count} files available")
    else:
        yield Finding(
            ERROR,
            "static files",
            "no static files found: pages would be unstyled",
            "reinstall the package (`pip install --force-reinstall hygie`)",
        )


def _django_deploy_checks(config: Settings) -> Iterator[Finding]:
    from django.core import checks

    host, _ = parse_listen(config.listen)
    messages = checks.run_checks(include_deployment_checks=True)
    quiet_https = _is_loopback(host) and not config.tls and not config.behind_tls_proxy
    reported = 0
    for message in messages:
        if message.level < checks.WARNING:
            continue
        if quiet_https and message.id in _HTTPS_CHECK_IDS:
            continue
        reported += 1
        text = str(message.msg).splitlines()[0]
        yield Finding(
            ERROR if message.level >= checks.ERROR else WARNING,
            f"django {message.id}",
            text,
            str(message.hint or ""),
        )
    if not reported:
        yield Finding(OK, "django", "`check --deploy` found nothing")
