"""Role landing pages in a real browser (issue 10), in French at 1280 px on the demo: the DPO,
the SOC analyst, the biomedical engineer and staff each land on their panels, which fit."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "quatre roles bien accueillis 2026"
OVERFLOWING = """() => [
    document.documentElement.scrollWidth > window.innerWidth + 1 ? 'page' : null,
    ...[...document.querySelectorAll('.landing-panel, .landing-panel .table-wrap')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className),
].filter(Boolean)"""
ROLES = {
    "dpo": [
        "Délais CNIL en cours",
        "Inventaire des données de patients",
        "Registre des violations",
    ],
    "soc_analyst": ["File des alertes"],
    "biomed": ["Mes dispositifs médicaux", "Signaler un courriel suspect"],
    "staff": ["Signaler un courriel suspect"],
}


def _set_role(home, username: str, role: str) -> None:
    [database] = [path for path in home.rglob("*.sqlite3") if "test" not in path.name]
    with closing(sqlite3.connect(database, timeout=30)) as connection:
        connection.execute(
            "UPDATE core_user SET role = ?, is_superuser = 0 WHERE username = ?", (role, username)
        )
        connection.commit()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_lands_on_its_panels_and_they_fit(browser, hygie_server, role):
    username = f"landing-{role.replace('_', '-')}"
    password = create_admin(hygie_server, username)
    _set_role(hygie_server.home, username, role)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        if role == "staff":  # no second factor required: the sign-in ends at the password
            page.goto(hygie_server.url + "/")
            page.locator("#id_username").fill(username)
            page.locator("#id_password").fill(password)
            page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
            page.wait_for_url("**/accounts/password/**")
            if page.locator("#id_old_password").count():
                page.locator("#id_old_password").fill(password)
            page.locator("#id_new_password1").fill(NEW_PASSWORD)
            page.locator("#id_new_password2").fill(NEW_PASSWORD)
            page.locator("form[action$='/accounts/password/'] button[type=submit]").click()
            page.wait_for_load_state()
            page.goto(hygie_server.url + "/")
        else:
            first_sign_in(page, hygie_server.url, username, password, NEW_PASSWORD)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("heading", name="Accueil", exact=True).is_visible()
        titles = page.locator(".landing-panel h2").all_inner_texts()
        for title in ROLES[role]:
            assert title in titles, (role, titles)
        assert page.locator(".posture-card").count() == 0
        assert page.evaluate(OVERFLOWING) == [], role
    finally:
        context.close()
