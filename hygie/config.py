"""Runtime configuration: environment variables first, then ``hygie.toml`` in the data folder.

Kept free of Django so the CLI can read it before deciding whether to start Django at all.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.lib.destinations import NetworkListError, parse_networks
from hygie.lib.errors import HygieError

SECRET_KEY_FILE = "secret_key"
logger = logging.getLogger("hygie.config")


class ConfigError(HygieError):
    """The configuration is unusable (bad value, unreadable file)."""


def data_home() -> Path:
    """The data folder (database, secrets, uploads): ``HYGIE_HOME``, default ``./var``."""
    return Path(os.environ.get("HYGIE_HOME", "var")).resolve()


def _read_toml(home: Path) -> dict[str, Any]:
    path = home / "hygie.toml"
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def _as_path_list(value: Any) -> list[str]:
    """A TOML list, or paths separated by the OS path separator (":" on Linux) in a variable."""
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(os.pathsep) if item.strip()]


def _as_path(value: Any, default: Path) -> Path:
    """An absolute path (relative ones are taken from the current folder), or ``default``."""
    text = str(value or "").strip()
    return Path(text).expanduser().resolve() if text else default


# Files a Hygie process creates are the owner's only (database, uploads, keys, packs, backups):
# they hold patient-related data and secrets, and an installation shares its host with others.
PRIVATE_UMASK = 0o077


def restrict_umask() -> None:
    """Make every file and folder this process creates owner-only (0600 / 0700)."""
    os.umask(PRIVATE_UMASK)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (an SQLite database file: SQLite
    gives its -wal and -shm files the database file's mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def tighten_data_home(home: Path) -> None:
    """Make an existing data folder owner-only (0700) when this process's user owns it.

    A new folder is created 0700; one made before that rule (or by hand, 0755) would stay open
    to every account of the server. Only the folder itself: below it, files are created 0600
    and walking a large tree at every start would be slow; `hygie check` reports any left open.
    A folder owned by someone else (a shared mount) is the operator's to decide: not touched.
    """
    try:
        info = home.stat()
    except OSError:
        return
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return
    try:
        home.chmod(0o700)
    except OSError as error:
        logger.warning(
            "the data folder %s is open (mode %04o) and could not be made private: %s",
            home,
            mode,
            error,
        )
        return
    # Once: afterwards the folder is private and this is not reached again.
    logger.warning(
        "the data folder %s was open (mode %04o); it is now 0700 (owner only)", home, mode
    )


def _syslog_url(value: str) -> str:
    value = value.strip()
    if value:
        scheme, separator, address = value.partition("://")
        if not separator or scheme not in {"udp", "tcp"}:
            raise ConfigError(
                f"HYGIE_AUDIT_SYSLOG must look like udp://host:514 or tcp://host:514, got {value!r}"
            )
        _check_address(address, "HYGIE_AUDIT_SYSLOG")
    return value


def load_or_create_secret_key(home: Path) -> str:
    """Return the installation secret, generating it (mode 0600) on first start."""
    path = home / SECRET_KEY_FILE
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 50:
            raise ConfigError(f"{path} holds a secret key shorter than 50 characters")
        return key
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set, with where it came from already resolved."""

    home: Path
    secret_key: str
    database_url: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    behind_tls_proxy: bool
    tls: bool
    session_age_seconds: int
    max_upload_bytes: int
    smtp_url: str
    default_from_email: str
    oidc: dict[str, str] = field(default_factory=dict)
    oidc_trust_mfa: bool = False
    listen: str = "127.0.0.1:8000"
    trusted_proxy: str = "127.0.0.1"
    # Folders PHI discovery scans may read (absolute paths); empty means none.
    privacy_scan_roots: list[str] = field(default_factory=list)
    # Days stored log events are kept (detection); older ones are pruned daily.
    event_retention_days: int = 30
    # Most stored log events kept (0 = no limit); the oldest go first, daily.
    event_retention_max_events: int = 0
    # HTTP bulk ingestion: largest body, and requests processed at once before answering 429.
    ingest_max_body_bytes: int = 5 * 1024 * 1024
    ingest_max_concurrent: int = 4
    # Syslog receivers (host:port, empty = off) and the establishment their events belong to.
    syslog_udp: str = ""
    syslog_tcp: str = ""
    syslog_tls: str = ""
    syslog_tls_cert: str = ""
    syslog_tls_key: str = ""
    syslog_establishment: int = 0
    # Live ingest: the event queue (empty = in-process; nats://host:4222 = NATS JetStream) and
    # the processes preparing events (parse + detection); -1 = one when there are 2+ cores.
    event_queue: str = ""
    ingest_processes: int = -1
    # The audit chain's HMAC keys and its signed checkpoints live outside the database; a
    # deployment may keep them elsewhere (another volume, a mount only Hygie reads).
    audit_key_dir: Path | None = None
    audit_checkpoint_file: Path | None = None
    # A syslog collector (udp://host:514 or tcp://host:514) receiving each signed checkpoint: the
    # off-host copy an attacker of this machine cannot rewrite. Empty: not sent.
    audit_syslog: str = ""
    # Networks alert forwarding may reach although denied by default (loopback, link-local…),
    # e.g. a syslog relay on this host: CIDR strings (see hygie.lib.destinations).
    forwarding_allowed_networks: list[str] = field(default_factory=list)


def _get(name: str, toml: dict[str, Any], key: str, default: Any) -> Any:
    env_value = os.environ.get(name)
    if env_value is not None:
        return env_value
    return toml.get(key, default)


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def _as_positive_int(value: Any, name: str) -> int:
    number = _as_int(value, name)
    if number < 1:
        raise ConfigError(f"{name} must be at least 1, got {number}")
    return number


def _as_non_negative_int(value: Any, name: str) -> int:
    number = _as_int(value, name)
    if number < 0:
        raise ConfigError(f"{name} must be 0 or more, got {number}")
    return number


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8000`` for IPv6) → (host, port)."""
    host, separator, port = value.strip().rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"HYGIE_LISTEN must look like 127.0.0.1:8000, got {value!r}")
    return host.strip("[]"), int(port)


def _check_address(value: str, name: str) -> None:
    host, separator, port = value.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must look like 0.0.0.0:514, got {value!r}")


def _as_network_list(value: Any, name: str) -> list[str]:
    networks = _as_list(value)
    try:
        parse_networks(networks)
    except NetworkListError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return networks


def load_settings(*, create_secret_key: bool = True) -> Settings:
    """Resolve the configuration; ``create_secret_key=False`` leaves the data folder untouched
    (``hygie restore`` and ``hygie check`` must not write into it)."""
    home = data_home()
    if create_secret_key:  # a process that writes to the folder (web, worker, migrate, demo)
        tighten_data_home(home)
    toml = _read_toml(home)
    secret = os.environ.get("HYGIE_SECRET_KEY") or toml.get("secret_key")
    if not secret and (create_secret_key or (home / SECRET_KEY_FILE).exists()):
        secret = load_or_create_secret_key(home)
    oidc_toml = toml.get("oidc", {}) if isinstance(toml.get("oidc"), dict) else {}
    oidc = {}
    for key in (
        "client_id",
        "client_secret",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_endpoint",
        "sign_algo",
        "scopes",
        "provider_name",
        "default_role",
    ):
        value = os.environ.get(f"HYGIE_OIDC_{key.upper()}", oidc_toml.get(key))
        if value:
            oidc[key] = str(value)
    tls = _as_bool(_get("HYGIE_TLS", toml, "tls", False), "HYGIE_TLS")
    syslog = {
        key: str(_get(f"HYGIE_SYSLOG_{key.upper()}", toml, f"syslog_{key}", "")).strip()
        for key in ("udp", "tcp", "tls", "tls_cert", "tls_key", "establishment")
    }
    for key in ("udp", "tcp", "tls"):
        if syslog[key]:
            _check_address(syslog[key], f"HYGIE_SYSLOG_{key.upper()}")
    if syslog["tls"] and not (syslog["tls_cert"] and syslog["tls_key"]):
        raise ConfigError("HYGIE_SYSLOG_TLS needs HYGIE_SYSLOG_TLS_CERT and HYGIE_SYSLOG_TLS_KEY")
    event_queue = str(_get("HYGIE_EVENT_QUEUE", toml, "event_queue", "")).strip()
    if event_queue and not event_queue.startswith(("nats://", "tls://")):
        raise ConfigError(
            f"HYGIE_EVENT_QUEUE must be empty or nats://host:port, got {event_queue!r}"
        )
    processes = str(_get("HYGIE_INGEST_PROCESSES", toml, "ingest_processes", "auto")).strip()
    ingest_processes = (
        -1 if processes.lower() in {"", "auto"} else _as_int(processes, "HYGIE_INGEST_PROCESSES")
    )
    if ingest_processes < -1 or ingest_processes > 64:
        raise ConfigError(f"HYGIE_INGEST_PROCESSES must be auto or 0 to 64, got {processes!r}")
    return Settings(
        home=home,
        secret_key=str(secret or ""),
        database_url=str(
            _get("HYGIE_DATABASE_URL", toml, "database_url", f"sqlite:///{home / 'hygie.sqlite3'}")
        ),
        debug=_as_bool(_get("HYGIE_DEBUG", toml, "debug", False), "HYGIE_DEBUG"),
        allowed_hosts=_as_list(
            _get("HYGIE_ALLOWED_HOSTS", toml, "allowed_hosts", "localhost,127.0.0.1,[::1]")
        ),
        csrf_trusted_origins=_as_list(
            _get("HYGIE_CSRF_TRUSTED_ORIGINS", toml, "csrf_trusted_origins", "")
        ),
        behind_tls_proxy=_as_bool(
            _get("HYGIE_BEHIND_TLS_PROXY", toml, "behind_tls_proxy", False),
            "HYGIE_BEHIND_TLS_PROXY",
        ),
        tls=tls,
        session_age_seconds=_as_int(
            _get("HYGIE_SESSION_AGE", toml, "session_age", 8 * 3600), "HYGIE_SESSION_AGE"
        ),
        max_upload_bytes=_as_int(
            _get("HYGIE_MAX_UPLOAD_BYTES", toml, "max_upload_bytes", 50 * 1024 * 1024),
            "HYGIE_MAX_UPLOAD_BYTES",
        ),
        smtp_url=str(_get("HYGIE_SMTP_URL", toml, "smtp_url", "")),
        default_from_email=str(_get("HYGIE_FROM_EMAIL", toml, "from_email", "hygie@localhost")),
        oidc=oidc,
        # Whether single sign-on counts as the second factor for privileged roles (default no).
        oidc_trust_mfa=_as_bool(
            os.environ.get("HYGIE_OIDC_TRUST_MFA", oidc_toml.get("trust_mfa", False)),
            "HYGIE_OIDC_TRUST_MFA",
        ),
        listen=str(_get("HYGIE_LISTEN", toml, "listen", "127.0.0.1:8000")),
        trusted_proxy=str(_get("HYGIE_TRUSTED_PROXY", toml, "trusted_proxy", "127.0.0.1")),
        privacy_scan_roots=_as_path_list(
            _get("HYGIE_PRIVACY_SCAN_ROOTS", toml, "privacy_scan_roots", [])
        ),
        event_retention_days=_as_positive_int(
            _get("HYGIE_EVENT_RETENTION_DAYS", toml, "event_retention_days", 30),
            "HYGIE_EVENT_RETENTION_DAYS",
        ),
        event_retention_max_events=_as_non_negative_int(
            _get("HYGIE_EVENT_RETENTION_MAX_EVENTS", toml, "event_retention_max_events", 0),
            "HYGIE_EVENT_RETENTION_MAX_EVENTS",
        ),
        ingest_max_body_bytes=_as_positive_int(
            _get("HYGIE_INGEST_MAX_BODY_BYTES", toml, "ingest_max_body_bytes", 5 * 1024 * 1024),
            "HYGIE_INGEST_MAX_BODY_BYTES",
        ),
        ingest_max_concurrent=_as_positive_int(
            _get("HYGIE_INGEST_MAX_CONCURRENT", toml, "ingest_max_concurrent", 4),
            "HYGIE_INGEST_MAX_CONCURRENT",
        ),
        syslog_udp=syslog["udp"],
        syslog_tcp=syslog["tcp"],
        syslog_tls=syslog["tls"],
        syslog_tls_cert=syslog["tls_cert"],
        syslog_tls_key=syslog["tls_key"],
        syslog_establishment=(
            _as_positive_int(syslog["establishment"], "HYGIE_SYSLOG_ESTABLISHMENT")
            if syslog["establishment"]
            else 0
        ),
        event_queue=event_queue,
        ingest_processes=ingest_processes,
        audit_key_dir=_as_path(
            _get("HYGIE_AUDIT_KEY_DIR", toml, "audit_key_dir", ""), home / "keys" / "audit"
        ),
        audit_checkpoint_file=_as_path(
            _get("HYGIE_AUDIT_CHECKPOINT_FILE", toml, "audit_checkpoint_file", ""),
            home / "audit" / "checkpoints.log",
        ),
        audit_syslog=_syslog_url(str(_get("HYGIE_AUDIT_SYSLOG", toml, "audit_syslog", ""))),
        forwarding_allowed_networks=_as_network_list(
            _get("HYGIE_FORWARDING_ALLOWED_NETWORKS", toml, "forwarding_allowed_networks", []),
            "HYGIE_FORWARDING_ALLOWED_NETWORKS",
        ),
    )
