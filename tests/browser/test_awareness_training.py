"""A member of staff takes a training module through their personal link, in headless Chromium
against a live Hygie: no account, the module and its illustration, a failed first attempt with
the explanations, a passing second attempt, the certificate PDF, then the expired-link page."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import REPO_ROOT, _env

pytestmark = [pytest.mark.browser]


def _step(server, step: str, **args) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.browser.training_live", step, json.dumps(args)],
        cwd=REPO_ROOT,
        env=_env(server.home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _answer(page, answers: dict, multiple: dict) -> None:
    for question, choices in answers.items():
        for choice in choices:
            page.check(f'input[name="q-{question}"][value="{choice}"]')


def test_staff_take_a_module_through_their_personal_link(hygie_server, page):
    found = _step(hygie_server, "setup", slug="removable-media")
    url = f"{hygie_server.url}/awareness/training/t/{found['token']}/"

    page.goto(url)
    assert page.locator("h1").first.inner_text() == "Clés USB et supports amovibles"
    assert "Bonjour Camille" in page.locator(".learn-lead").inner_text().replace("\xa0", " ")
    image = page.locator(".training-body img")
    assert image.get_attribute("src") == "/awareness/training/images/usb-media.svg"
    assert page.evaluate("document.querySelector('.training-body img').naturalWidth") > 0
    assert _step(hygie_server, "state", assignment=found["assignment"])["started"]

    # First attempt: the first choice everywhere (wrong for several questions).
    wrong = {question: ["a"] for question in found["answers"]}
    _answer(page, wrong, found["multiple"])
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_load_state()
    assert "pas encore réussi" in page.locator("h1").inner_text()
    assert page.locator(".quiz-review.is-wrong").count() >= 1
    assert "Déposer des clés piégées" in page.content()  # an explanation is shown
    state = _step(hygie_server, "state", assignment=found["assignment"])
    assert state["attempts"] == 1 and not state["passed"]

    page.get_by_role("link", name="Réessayer").click()
    _answer(page, found["answers"], found["multiple"])
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Bravo")
    state = _step(hygie_server, "state", assignment=found["assignment"])
    assert state == {
        "passed": True,
        "score": 100,
        "attempts": 2,
        "started": True,
        "completed": True,
    }

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l'attestation (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")

    _step(hygie_server, "expire", assignment=found["assignment"])
    response = page.goto(url)
    assert response.status == 410
    assert page.locator("h1").inner_text() == "Ce lien de formation a expiré"
