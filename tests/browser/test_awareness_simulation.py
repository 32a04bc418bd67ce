"""A phishing simulation end to end, with real parts (issue 13): a real SMTP server (aiosmtpd on
127.0.0.1) receives the campaign's mails from the live Hygie's sending service; a mail scanner
(HEAD, then a GET without JavaScript) walks one link; headless Chromium opens the other, the
landing page's script confirms a real browser, a password is typed in the landing form and the
teachable moment is read; the mail is reported back through the triage service; every event
and the results page's figures are checked; the password appears nowhere in a full dump of the
database nor in the server's log."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, _env, create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Motdepasse-Tres-Secret-8472!"
USERNAME_TYPED = "camille.essai.login"
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
NEW_PASSWORD = "resultats de simulation verifies 2026"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _step(server, step: str, **args) -> dict:
    env = _env(server.home)
    env["HYGIE_CSRF_TRUSTED_ORIGINS"] = server.url
    result = subprocess.run(
        [sys.executable, "-m", "tests.browser.awareness_live", step, json.dumps(args)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class _Sink:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def _tracking_link(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(("html",)).get_content()
    links = re.findall(r'href="([^"]+/awareness/t/c/[^"]+)"', html)
    pixel = re.findall(r'src="([^"]+/awareness/t/o/[^"]+)"', html)
    assert links and pixel, html
    return links[0], pixel[0]


def _forward_as_attachment(original: bytes, reporter: str) -> bytes:
    report = EmailMessage()
    report["From"] = reporter
    report["To"] = "signalement@e2e.example.org"
    report["Subject"] = "TR: courriel suspect"
    report.set_content("Ce courriel me semble suspect.")
    report.add_attachment(
        email.message_from_bytes(original, policy=email.policy.default),
    )
    return report.as_bytes()


def _request(url: str, method: str, user_agent: str) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        return response.status


def _database(home: Path) -> Path:
    [database] = [p for p in home.rglob("*.sqlite3") if "test" not in p.name]
    return database


def test_simulation_end_to_end(browser, hygie_server, smtp_sink):
    sink, port = smtp_sink
    created = _step(hygie_server, "setup", port=port)
    assert created["sent"] == 2, created
    deadline = time.monotonic() + 20
    while len(sink.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sink.messages) == 2
    mails = {}
    for raw in sink.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["X-Hygie-Simulation"]  # the gateway and the triage recognise it
        mails[str(message["To"]).lower()] = (raw, message)
    human_raw, human_mail = mails["camille@e2e.example.org"]
    _scanned_raw, scanned_mail = mails["dominique@e2e.example.org"]
    link, pixel = _tracking_link(human_mail)
    scanned_link, _pixel = _tracking_link(scanned_mail)
    assert link.startswith(hygie_server.url + "/awareness/t/c/")

    # A mail scanner walks the other recipient's link at once: HEAD, then GET without script.
    assert _request(scanned_link, "HEAD", "Mozilla/5.0 (compatible; Proofpoint)") == 200
    assert _request(scanned_link, "GET", "python-urllib/3.11") == 200
    # The person reads the mail (the pixel), a little later than a scanner would.
    time.sleep(11)
    assert _request(pixel, "GET", DESKTOP_UA) == 200

    context = browser.new_context(locale="fr-FR", user_agent=DESKTOP_UA)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(link)
        assert page.locator("h1").inner_text() == "Portail des résultats"
        with page.expect_response(lambda r: "/awareness/t/v/" in r.url) as confirmed:
            page.mouse.move(200, 200)
            page.mouse.move(240, 260)
        assert confirmed.value.status == 204
        page.locator("input[name=username]").fill(USERNAME_TYPED)
        page.locator("input[name=password]").fill(SECRET)
        page.locator("button").click()
        page.wait_for_url("**/awareness/t/l/**")
        text = page.locator("main").inner_text()
        assert "C’était un exercice d’hameçonnage" in text
        assert "Une urgence artificielle" in text and "Un lien vers un portail inconnu" in text
        assert "Ce que vous avez saisi n’a pas été enregistré." in text
        assert SECRET not in page.content()
    finally:
        context.close()

    # The person reports the mail: forwarded as an attachment to the report mailbox.
    reported = _step(
        hygie_server,
        "report",
        campaign=created["campaign"],
        eml_hex=_forward_as_attachment(human_raw, "camille@e2e.example.org").hex(),
        reporter="camille@e2e.example.org",
    )
    assert reported["verdict"] == "simulation"

    state = _step(hygie_server, "dump", campaign=created["campaign"])
    human = state["recipients"]["camille@e2e.example.org"]
    kinds = [event["kind"] for event in human["events"]]
    for kind in ("sent", "opened", "clicked", "confirmed", "submitted", "teachable_viewed"):
        assert kind in kinds, kinds
    assert "enrolled" in kinds and human["assignments"] == 1
    assert "reported" in kinds and human["reported"]
    assert human["verdict"] == "human" and human["confirmed"]
    assert human["field_names"] == ["password", "username"]
    confirmation = next(e for e in human["events"] if e["kind"] == "confirmed")
    assert not confirmation["automated"]

    scanned = state["recipients"]["dominique@e2e.example.org"]
    assert scanned["verdict"] == "automated" and not scanned["confirmed"]
    clicks = [e for e in scanned["events"] if e["kind"] == "clicked"]
    assert len(clicks) == 2 and all(e["automated"] for e in clicks)
    assert "head_request" in clicks[0]["reasons"]
    assert "scanner_user_agent" in clicks[1]["reasons"]

    funnel = state["funnel"]
    assert funnel["delivered"] == 2 and funnel["opened"] == 1
    assert funnel["clicked_raw"] == 2  # what GoPhish would report
    assert funnel["clicked_human"] == 1 and funnel["clicked_automated"] == 1
    assert funnel["submitted_human"] == 1 and funnel["reported"] == 1

    # The results page shows the same figures to a signed-in administrator.
    username = "e2e-results-admin"
    one_time = create_admin(hygie_server, username)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        first_sign_in(page, hygie_server.url, username, one_time, NEW_PASSWORD)
        page.goto(f"{hygie_server.url}/awareness/campaigns/{created['campaign']}/results/")
        figures = {
            name: page.locator(f"[data-figure={name}]").inner_text()
            for name in ("delivered", "opened", "clicked_human", "submitted_human", "reported")
        }
        assert figures == {
            "delivered": "2",
            "opened": "1",
            "clicked_human": "1",
            "submitted_human": "1",
            "reported": "1",
        }
        rows = page.locator("[data-table=funnel] tbody tr")
        assert rows.nth(2).inner_text().split()[-2:] == ["2", "1"]  # clicked: raw 2, validated 1
        assert "password, username" in page.locator("[data-table=clickers]").text_content()
        assert SECRET not in page.content()
    finally:
        context.close()

    # The password typed in the landing form is nowhere: not in a full database dump, not in
    # the server's log (requests, errors), not in any file of the installation.
    with closing(sqlite3.connect(_database(hygie_server.home), timeout=30)) as connection:
        dump = "\n".join(connection.iterdump())
    assert "Portail des résultats" in dump  # the dump is the real thing
    assert SECRET not in dump and USERNAME_TYPED not in dump
    log = (hygie_server.home.parent / "serve.log").read_text(errors="replace")
    assert SECRET not in log and USERNAME_TYPED not in log
    for path in hygie_server.home.rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert SECRET.encode() not in path.read_bytes(), path
