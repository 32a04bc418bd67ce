"""The shell: navigation from the registry, dashboard, global search, CSP-safe markup."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from hygie.core.models import Asset, Person
from hygie.core.registries import NavItem, NavSection, navigation, search_providers
from hygie.core.services.alerts import raise_alert
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_dashboard_counts_are_scoped(client_a, establishment_a, establishment_b):
    Asset.objects.create(
        establishment=establishment_a, hostname="irm-01", kind="medical_device", criticality="vital"
    )
    Asset.objects.create(establishment=establishment_b, hostname="srv-b", kind="server")
    raise_alert(establishment=establishment_b, source="detection", title="B only", severity=50)
    response = client_a.get(reverse("core:dashboard"))
    assert response.status_code == 200
    context = response.context
    assert context["establishment_count"] == 1
    assert context["asset_count"] == 1
    open_alerts = [
        cell.data.value
        for row in context["posture"]
        for cell in row.figures
        if cell.tile.id == "core.open_alerts"
    ]
    assert open_alerts == [0]
    assert "B only" not in response.content.decode()


def test_dashboard_hides_cards_the_role_may_not_see(make_user, login, client, establishment_a):
    login(make_user("agent", "staff", [establishment_a]))
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert "person_count" not in response.context
    assert "recent_audit" not in response.context
    assert reverse("core:person_list") not in response.content.decode()


def test_navigation_comes_from_the_registry_and_marks_current_page(client_a):
    content = client_a.get(reverse("core:person_list")).content.decode()
    assert f'<a href="{reverse("core:person_list")}" aria-current="page">' in content
    assert reverse("core:establishment_list") in content
    assert 'id="site-nav"' in content


def test_navigation_items_follow_capabilities(make_user, login, client, establishment_a):
    login(make_user("agent", "staff", [establishment_a]))
    content = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("core:establishment_list") in content
    assert reverse("core:person_list") not in content
    assert reverse("core:alert_list") not in content


def test_a_module_adds_its_section_in_one_registration(client_a):
    extra = NavSection(
        key="privacy",
        label="Données patients",
        order=300,
        items=(
            NavItem("Analyses", "core:job_list"),
            NavItem("Page absente", "privacy:not_installed"),
        ),
    )
    with navigation.override({**dict(navigation.items()), "privacy": extra}):
        content = client_a.get(reverse("core:dashboard")).content.decode()
    assert "Données patients" in content and "Analyses" in content
    assert "Page absente" not in content  # an unresolvable page is skipped, not a crash


def test_search_is_scoped(client_a, establishment_a, establishment_b):
    Person.objects.create(
        establishment=establishment_a,
        first_name="Anne",
        last_name="Lemoine",
        email="anne@example.org",
    )
    Person.objects.create(
        establishment=establishment_b,
        first_name="Anne",
        last_name="Cachée",
        email="anne.b@example.org",
    )
    content = client_a.get(reverse("core:search"), {"q": "anne"}).content.decode()
    assert "Lemoine" in content and "Cachée" not in content


def test_every_core_search_provider_is_registered():
    assert {"core.people", "core.assets", "core.establishments", "core.departments"} <= set(
        search_providers
    )


def test_pages_carry_no_inline_script_or_style(client_a, establishment_a):
    raise_alert(establishment=establishment_a, source="detection", title="x")
    for name in (
        "core:dashboard",
        "core:person_list",
        "core:alert_list",
        "core:job_list",
        "core:person_add",
        "core:person_import",
    ):
        content = client_a.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", content), name
        assert " style=" not in content and "<style" not in content, name
        assert not re.search(r"\son[a-z]+=", content), name


def test_shell_has_skip_link_language_switcher_and_logout(client_a):
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert 'href="#main"' in content
    assert reverse("set_language") in content
    assert reverse("core:logout") in content
    assert 'name="language"' in content


def test_vendored_assets_are_shipped():
    for path in (
        "hygie/vendor/htmx.min.js",
        "hygie/vendor/htmx.LICENSE",
        "hygie/css/hygie.css",
        "hygie/js/hygie.js",
        "hygie/img/favicon.svg",
    ):
        assert finders.find(path), path


def test_htmx_requests_carry_the_csrf_token(client_a):
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken"' in content


def test_htmx_is_configured_for_the_strict_csp(client_a):
    content = client_a.get(reverse("core:dashboard")).content.decode()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', content).group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert "style" not in config["attributesToSettle"]  # settling would write style=""
    assert config["historyCacheSize"] == 0  # no page copies in localStorage


def test_only_the_closest_navigation_entry_is_current(client_a):
    # "/people/" prefixes "/people/add/": on the add page only the longer match is current.
    extra = NavSection(
        key="zz-module",
        label="Module",
        order=300,
        items=(NavItem("Nouvelle personne", "core:person_add"),),
    )
    with navigation.override({**dict(navigation.items()), "zz-module": extra}):
        content = client_a.get(reverse("core:person_add")).content.decode()
    assert content.count('aria-current="page"') == 1
    assert f'<a href="{reverse("core:person_add")}" aria-current="page">' in content
    assert f'<a href="{reverse("core:person_list")}">' in content


@pytest.mark.django_db
def test_no_menu_or_search_until_sign_in_is_complete(client, user_a, login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user_a, name="phone", confirmed=True)
    client.force_login(user_a)  # password accepted, second factor still pending
    pending = client.get(reverse("core:mfa_verify"))
    assert pending.status_code == 200
    assert pending.context["nav_sections"] == []
    assert not pending.context["is_fully_signed_in"]
    assert b"global-search" not in pending.content

    login(user_a)
    complete = client.get(reverse("core:dashboard"))
    assert complete.context["nav_sections"] and complete.context["is_fully_signed_in"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_languages_are_listed_in_their_own_name(client, make_user, login, language):
    """Issue 10: the French page offered "Anglais"; a reader of English looks for "English"."""
    from django.conf import settings

    login(make_user("polyglot", "admin", all_establishments=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("core:dashboard")).content.decode()
    switcher = page[page.index('id="language-select"') :]
    switcher = switcher[: switcher.index("</select>")]
    assert '<option value="en" lang="en">English</option>' in switcher or (
        '<option value="en" lang="en" selected>English</option>' in switcher
    )
    assert ">Français</option>" in switcher
    assert "Anglais" not in switcher and ">French<" not in switcher


def test_no_page_appears_twice_in_the_menu(client, make_user, login):
    """Issue 10: "Alertes" was listed under Overview and again under Detection."""
    login(make_user("everything", "admin", all_establishments=True))
    page = client.get(reverse("core:dashboard")).content.decode()
    menu = page[page.index('id="site-nav"') : page.index("</nav>", page.index('id="site-nav"'))]
    targets = re.findall(r'<a href="([^"]+)"', menu)
    assert len(targets) > 5
    assert len(targets) == len(set(targets)), sorted(targets)
