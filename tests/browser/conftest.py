"""A real Hygie server (`hygie serve` in a subprocess) and Debian's Chromium under Playwright."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.apps.core.cli_helpers import migrated_home, shared_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this offline
# machine refuses; a fresh profile per run keeps tests independent.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    url: str
    admin_username: str
    admin_password: str
    home: Path


def _env(home: Path) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("HYGIE_", "DJANGO_"))
    }
    env.update(HYGIE_HOME=str(home), PYTHONPATH=str(REPO_ROOT))
    return env


def _hygie(home: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "hygie.cli", *args],
        cwd=REPO_ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def create_admin(server: LiveServer, username: str) -> str:
    """Create an administrator with `hygie createadmin`; answers the one-time password."""
    output = _hygie(server.home, "createadmin", "--username", username)
    return re.search(r"One-time password:\s+(\S+)", output).group(1)


def totp_now(secret: str) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    compact = secret.replace(" ", "").upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def first_sign_in(
    page, base: str, username: str, one_time_password: str, new_password: str
) -> None:
    """A new account's first sign-in, as its owner does it: the one-time password, a password
    of their own, then an authenticator (the code is computed from the key shown on the page).
    Ends on the dashboard."""
    page.goto(base + "/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(one_time_password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()

    # The one-time password must be replaced first.
    page.wait_for_url("**/accounts/password/**")
    if page.locator("#id_old_password").count():
        page.locator("#id_old_password").fill(one_time_password)
    page.locator("#id_new_password1").fill(new_password)
    page.locator("#id_new_password2").fill(new_password)
    page.locator("form[action$='/accounts/password/'] button[type=submit]").click()

    # Then an authenticator: read the key shown for manual entry and answer with its code.
    page.wait_for_url("**/accounts/mfa/**")
    if "/enrol/" not in page.url:
        page.goto(base + "/accounts/mfa/enrol/")
    secret = page.locator("#totp-secret").inner_text()
    page.locator("form[action$='/accounts/mfa/enrol/'] input[name=code]").fill(totp_now(secret))
    page.locator("form[action$='/accounts/mfa/enrol/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/mfa/enrol/" not in url)
    assert "Traceback" not in page.content()

    page.goto(base + "/")
    assert page.url.rstrip("/") == base, f"still held at {page.url}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def hygie_server(tmp_path_factory) -> Iterator[LiveServer]:
    _require_browser()

    # Each xdist worker that runs browser tests has its own server, on its own copy of one
    # data folder prepared once per run (migrate, demo, first administrator: ~25 s of CPU).
    def prepare(folder: Path) -> None:
        home = migrated_home(tmp_path_factory, folder / "home")
        _hygie(home, "demo")
        output = _hygie(home, "createadmin", "--username", "first-admin")
        password = re.search(r"One-time password:\s+(\S+)", output).group(1)
        (folder / "password").write_text(password)

    prepared = shared_folder(tmp_path_factory, "browser-demo-home", prepare)
    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(prepared / "home", home)
    password = (prepared / "password").read_text()
    port = _free_port()
    log = (home.parent / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "hygie.cli", "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=_env(home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    if json.load(response) == {"status": "ok"}:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"hygie serve did not start; see {home.parent / 'serve.log'}"
                    ) from None
                time.sleep(0.2)
        yield LiveServer(url, "first-admin", password, home)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser(hygie_server):
    from playwright.sync_api import sync_playwright

    # While the browser is open, Playwright's sync API leaves its asyncio loop marked as running
    # in this thread, so Django takes every later ORM call of this pytest worker (the app tests
    # that run after a browser test under --dist worksteal) for one made from async code and
    # refuses it (SynchronousOnlyOperation). No test here runs Django code in that loop.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
