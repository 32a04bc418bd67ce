"""Test suite settings: SQLite by default, PostgreSQL when HYGIE_TEST_DATABASE_URL is set."""

import os
import tempfile

# A throw-away data folder per process. xdist workers inherit the environment of the pytest
# process that made its folder, and used to share it: files one worker's test wrote (demo
# evidence, uploads) appeared in another's. A HYGIE_HOME set on purpose (a test that starts
# a subprocess with its own folder) is kept.
if os.environ.get("HYGIE_HOME", "") in ("", os.environ.get("HYGIE_TEST_AUTO_HOME")):
    os.environ["HYGIE_HOME"] = os.environ["HYGIE_TEST_AUTO_HOME"] = tempfile.mkdtemp(
        prefix="hygie-test-"
    )
os.environ.setdefault("HYGIE_SECRET_KEY", "test-secret-key-" + "x" * 60)

import dj_database_url  # noqa: E402

from hygie.settings.base import *  # noqa: E402,F403

if os.environ.get("HYGIE_TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["HYGIE_TEST_DATABASE_URL"])}

# Argon2 at full cost makes a suite of hundreds of logins slow; the hasher is still Argon2.
PASSWORD_HASHERS = ["hygie.core.testing.FastArgon2PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
AXES_ENABLED = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]"]
