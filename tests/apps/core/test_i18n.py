"""French is complete and shipped compiled; the shell renders in French (default) and English."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import hygie

PO_FILE = Path(hygie.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


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


def test_every_french_entry_is_translated_and_not_fuzzy():
    entries = [entry for entry in _parse_po(PO_FILE) if entry["msgid"]]
    assert len(entries) > 100
    problems = [entry["msgid"][:80] for entry in entries
                if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values())
                or ("msgid_plural" in entry and len(entry["msgstr"]) < 2)]
    assert problems == [], f"untranslated or fuzzy: {problems}"


def test_header_is_not_fuzzy_and_declares_french_plurals():
    header = next(entry for entry in _parse_po(PO_FILE) if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"][0]


def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in _parse_po(PO_FILE):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        key = entry["msgid"]
        if "msgctxt" in entry:
            translated = catalogue.pgettext(entry["msgctxt"], key)
        else:
            translated = catalogue.gettext(key)
        if translated != entry["msgstr"][0]:
            stale.append(key[:80])
    assert stale == [], "run compilemessages: the .mo is older than the .po"


@pytest.mark.django_db
def test_french_is_the_default(client_a):
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert '<html lang="fr">' in content
    assert "Tableau de bord" in content and "Aller au contenu principal" in content


@pytest.mark.django_db
@pytest.mark.parametrize("language,expected,absent", [
    ("fr", ["Tableau de bord", "Équipements", "Se déconnecter"], "Sign out"),
    ("en", ["Dashboard", "Assets", "Sign out"], "Se déconnecter"),
])
def test_dashboard_renders_in_each_language(client_a, language, expected, absent):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client_a.get(reverse("core:dashboard")).content.decode()
    assert f'<html lang="{language}">' in content
    for text in expected:
        assert text in content
    assert absent not in content


@pytest.mark.django_db
def test_language_switcher_changes_the_language(client_a):
    response = client_a.post(reverse("set_language"), {"language": "en",
                                                       "next": reverse("core:person_list")})
    assert response.status_code == 302
    content = client_a.get(reverse("core:person_list")).content.decode()
    assert "People" in content and "Export CSV" in content
