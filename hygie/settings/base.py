"""Settings shared by every mode. Values an operator sets come from ``hygie.config``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

from hygie import modules
from hygie.config import ConfigError, create_private_file, load_settings, restrict_umask

restrict_umask()  # before anything is written to the data folder (web, worker, manage.py)
CONFIG = load_settings()
BASE_DIR = Path(__file__).resolve().parent.parent
HYGIE_HOME = CONFIG.home

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    # Installed for its templates and static files only: the API docs page then loads Swagger UI
    # from our own /static/, never from a CDN (ninja falls back to a CDN when it is absent).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # Every module (core first), found by its manifest hygie/<module>/module.py: adding a module
    # touches no setting. The last app wires what the modules contribute once all are ready.
    *modules.app_packages(),
    "hygie.core.discovery.DiscoveryConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hygie.core.middleware.RequestContextMiddleware",
    "hygie.core.middleware.AccountSetupMiddleware",
    # axes must come last: it inspects the response of the authentication views.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hygie.urls"
WSGI_APPLICATION = "hygie.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hygie.core.context_processors.shell",
            ],
        },
    }
]

try:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
except ValueError as exc:  # dj-database-url raises ValueError on unknown schemes
    raise ConfigError(f"HYGIE_DATABASE_URL is not a database URL I understand: {exc}") from exc
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ConfigError(
        "HYGIE_DATABASE_URL must be a PostgreSQL (postgresql://…) or SQLite "
        "(sqlite:///path) URL: Hygie is tested on those two only"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    CONFIG.home.mkdir(mode=0o700, parents=True, exist_ok=True)  # database + evidence: private
    _database_file = Path(str(DATABASES["default"]["NAME"] or ":memory:"))
    if _database_file.parent.is_dir() and _database_file.name != ":memory:":
        create_private_file(_database_file)  # 0600 before SQLite creates it (and -wal, -shm)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web threads read while the embedded worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout: 5 failures per username+IP lock for 30 minutes (ANSSI hygiene measure 10 spirit).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/account/locked.html"
# Renders the same template with the time at which the user may try again.
AXES_LOCKOUT_CALLABLE = "hygie.core.views.accounts.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429  # axes' default, stated: the lockout page answers with it
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if CONFIG.behind_tls_proxy else 0

SESSION_COOKIE_AGE = CONFIG.session_age_seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: idle sessions end, active ones go on
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if CONFIG.tls or CONFIG.behind_tls_proxy:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if CONFIG.behind_tls_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
# Each module ships its catalogue in <module>/locale, found by Django as for any app; the core's
# is also listed here so that, as the project catalogue, it outranks Django's own translations.
LOCALE_PATHS = [BASE_DIR / "core" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True
# One date, time and number format per language on pages, PDFs and exports (decision 0025).
FORMAT_MODULE_PATH = ["hygie.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.home / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CONFIG.home / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = CONFIG.home / "media"
WHITENOISE_USE_FINDERS = True  # serve straight from the package; collectstatic is optional
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HYGIE_MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
# Folders under which PHI discovery scans may run (privacy scan roots); empty allows none.
HYGIE_PRIVACY_SCAN_ROOTS = CONFIG.privacy_scan_roots
# Detection: stored events older than this are pruned by a daily job.
HYGIE_EVENT_RETENTION_DAYS = CONFIG.event_retention_days
# ... and beyond this many stored events (0 = no limit), the oldest are pruned too.
HYGIE_EVENT_RETENTION_MAX_EVENTS = CONFIG.event_retention_max_events
# HTTP bulk ingestion: largest accepted body, and requests processed at once before 429.
HYGIE_INGEST_MAX_BODY_BYTES = CONFIG.ingest_max_body_bytes
HYGIE_INGEST_MAX_CONCURRENT = CONFIG.ingest_max_concurrent
# Syslog receivers (HYGIE_SYSLOG_UDP/TCP/TLS in CONFIG): lines waiting to be stored; when full,
# TCP/TLS senders are slowed down and UDP datagrams are dropped (counted in the log).
HYGIE_SYSLOG_QUEUE_SIZE = 100_000
# Alert forwarding: networks reachable although denied by default (hygie.lib.destinations).
HYGIE_FORWARDING_ALLOWED_NETWORKS = CONFIG.forwarding_allowed_networks
# The audit chain's HMAC keys and signed checkpoints: outside the database (hygie.core.audit_keys).
HYGIE_AUDIT_KEY_DIR = CONFIG.audit_key_dir
HYGIE_AUDIT_CHECKPOINT_FILE = CONFIG.audit_checkpoint_file
HYGIE_AUDIT_SYSLOG = CONFIG.audit_syslog  # udp://host:514 or tcp://host:514, each checkpoint
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


def _email_settings(url: str) -> dict[str, object]:
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise ConfigError("HYGIE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    options = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme == "smtp+starttls",
        "EMAIL_TIMEOUT": int(options.get("timeout", ["20"])[0]),
    }


globals().update(_email_settings(CONFIG.smtp_url))
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email

# Single sign-on (OpenID Connect): enabled when a client id and the endpoints are configured.
HYGIE_OIDC_ENABLED = all(
    k in CONFIG.oidc
    for k in ("client_id", "authorization_endpoint", "token_endpoint", "userinfo_endpoint")
)
HYGIE_OIDC_PROVIDER_NAME = CONFIG.oidc.get("provider_name", "SSO")
HYGIE_OIDC_TRUST_MFA = CONFIG.oidc_trust_mfa
if HYGIE_OIDC_ENABLED:
    # Before the discovery app, which must stay last (hygie.core.discovery).
    INSTALLED_APPS.insert(
        INSTALLED_APPS.index("hygie.core.discovery.DiscoveryConfig"), "mozilla_django_oidc"
    )
    AUTHENTICATION_BACKENDS.append("hygie.core.oidc.HygieOIDCBackend")
    OIDC_RP_CLIENT_ID = CONFIG.oidc["client_id"]
    OIDC_RP_CLIENT_SECRET = CONFIG.oidc.get("client_secret", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = CONFIG.oidc["authorization_endpoint"]
    OIDC_OP_TOKEN_ENDPOINT = CONFIG.oidc["token_endpoint"]
    OIDC_OP_USER_ENDPOINT = CONFIG.oidc["userinfo_endpoint"]
    OIDC_OP_JWKS_ENDPOINT = CONFIG.oidc.get("jwks_endpoint", "")
    OIDC_RP_SIGN_ALGO = CONFIG.oidc.get("sign_algo", "RS256")
    OIDC_RP_SCOPES = CONFIG.oidc.get("scopes", "openid email profile")
    HYGIE_OIDC_DEFAULT_ROLE = CONFIG.oidc.get("default_role", "staff")
    # The OIDC views are mounted inside the "core" URL namespace (hygie.core.urls.accounts).
    OIDC_AUTHENTICATION_CALLBACK_URL = "core:oidc_authentication_callback"
    LOGIN_REDIRECT_URL_FAILURE = "core:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

OTP_TOTP_ISSUER = "Hygie"
NINJA_PAGINATION_PER_PAGE = 50
