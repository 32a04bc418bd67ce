"""French is complete and shipped compiled; the shell renders in French (default) and English."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import hygie
from hygie import modules

HYGIE_DIR = Path(hygie.__file__).parent
# Every French catalogue shipped: each module keeps its own in <module>/locale (found like every
# conventional part of a module; tests/contracts/test_anatomy.py requires one per module).
PO_FILES = [
    HYGIE_DIR / module.package.split(".", 1)[1] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    for module in modules.discover()
    if module.package.startswith("hygie.")
]
PO_IDS = [str(path.relative_to(HYGIE_DIR)) for path in PO_FILES]


def _parse_po(path):
    """Minimal .po reader: entries as dicts with flags, msgctxt, msgid, plural and msgstr(s)."""
    entries, current, field = [], None, None

    def finish():
        if current is not None and "msgid" in current:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue  # obsolete entries are not shipped
        if not line:
            finish()
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                current["msgstr"][field[1]] += value
            else:
                current[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
                current["msgstr"][field[1]] = value
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                current["msgstr"][0] = value
            else:
                field = keyword
                current[keyword] = value
    finish()
    return entries


def test_every_french_catalogue_is_listed():
    found = sorted(HYGIE_DIR.glob("**/locale/fr/LC_MESSAGES/django.po"))
    assert found == sorted(PO_FILES), "add the new catalogue to PO_FILES"


@pytest.mark.parametrize("po_file", PO_FILES, ids=PO_IDS)
def test_every_french_entry_is_translated_and_not_fuzzy(po_file):
    entries = [entry for entry in _parse_po(po_file) if entry["msgid"]]
    assert len(entries) > 100
    problems = [
        entry["msgid"][:80]
        for entry in entries
        if "fuzzy" in entry["flags"]
        or not all(entry["msgstr"].values())
        or ("msgid_plural" in entry and len(entry["msgstr"]) < 2)
    ]
    assert problems == [], f"untranslated or fuzzy: {problems}"


@pytest.mark.parametrize("po_file", PO_FILES, ids=PO_IDS)
def test_header_is_not_fuzzy_and_declares_french_plurals(po_file):
    header = next(entry for entry in _parse_po(po_file) if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: fr" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"][0]


@pytest.mark.parametrize("po_file", PO_FILES, ids=PO_IDS)
def test_compiled_catalogue_matches_the_po_file(po_file):
    with po_file.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in _parse_po(po_file):
        if not entry["msgid"]:
            continue
        key = entry["msgid"]
        if "msgid_plural" in entry:
            # French plural rule: 1 takes the singular, 2 the plural.
            translated = [catalogue.ngettext(key, entry["msgid_plural"], n) for n in (1, 2)]
            expected = [entry["msgstr"][0], entry["msgstr"][1]]
        elif "msgctxt" in entry:
            translated, expected = catalogue.pgettext(entry["msgctxt"], key), entry["msgstr"][0]
        else:
            translated, expected = catalogue.gettext(key), entry["msgstr"][0]
        if translated != expected:
            stale.append(key[:80])
    assert stale == [], "run compilemessages: the .mo is older than the .po"


@pytest.mark.django_db
def test_french_is_the_default(client_a):
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert '<html lang="fr">' in content
    assert "Tableau de bord" in content and "Aller au contenu principal" in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,expected,absent",
    [
        ("fr", ["Tableau de bord", "Équipements", "Se déconnecter"], "Sign out"),
        ("en", ["Dashboard", "Assets", "Sign out"], "Se déconnecter"),
    ],
)
def test_dashboard_renders_in_each_language(client_a, language, expected, absent):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert f'<html lang="{language}">' in content
    for text in expected:
        assert text in content
    assert absent not in content


@pytest.mark.django_db
def test_language_switcher_changes_the_language(client_a):
    response = client_a.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:person_list")}
    )
    assert response.status_code == 302
    content = client_a.get(reverse("core:person_list")).content.decode()
    assert "People" in content and "Export CSV" in content


@pytest.mark.django_db
def test_response_pages_render_in_french(client_a, establishment_a, user_a):
    """The response app's own catalogue is loaded: its pages read in French, not English."""
    from datetime import UTC, datetime

    from hygie.response.models import Incident

    incident = Incident.objects.create(
        reference="INC-2026-0001",
        establishment=establishment_a,
        title="Test",
        category="ransomware",
        severity=50,
        care_impact="degraded_mode",
        personal_data="unknown",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        created_by=user_a,
    )
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    pages = [
        (
            reverse("response:incident_list"),
            ["Incidents par phase", "Fiches réflexes"],
            ["Incidents by phase", "Open or closed", "Playbooks"],
        ),
        (
            reverse("response:incident_detail", args=[incident.pk]),
            ["Cycle de vie", "Changer de phase", "Mode dégradé", "Rançongiciel"],
            ["Lifecycle", "Change phase", "Degraded mode", "Ransomware"],
        ),
    ]
    for url, expected, absent in pages:
        content = client_a.get(url).content.decode()
        for text in expected:
            assert text in content, (url, text)
        for text in absent:
            assert text not in content, (url, text)


def test_table_numbers_follow_the_page_language():
    from django.utils import translation

    from hygie.core.tables import display_value

    with translation.override("fr"):
        assert display_value(None, "risk", 77.28) == "77,28"
    with translation.override("en"):
        assert display_value(None, "risk", 77.28) == "77.28"


def test_evidence_list_is_titled_in_the_plural_in_french():
    from django.utils import translation

    from hygie.core.models import Evidence

    with translation.override("fr"):
        assert str(Evidence._meta.verbose_name_plural) == "preuves"
        assert str(Evidence._meta.verbose_name) == "preuve"
    with translation.override("en"):
        assert str(Evidence._meta.verbose_name_plural) == "evidence"
