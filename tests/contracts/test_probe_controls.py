"""The probe–control contract (issue 11): every registered probe measures controls of Hygie's
catalogue (``hygie/compliance/library/controls.yaml``), has a unique id, a French title, and a
summary that can be shown in the reader's language long after it was stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

import hygie
from hygie.core.registries import PROBE_STATUSES, ProbeResult, probes, render_summary
from hygie.lib.documents import load_yaml

CONTROLS_FILE = Path(hygie.__file__).parent / "compliance" / "library" / "controls.yaml"
MINIMUM_PROBES = 20


def _catalogue() -> set[str]:
    document = load_yaml(CONTROLS_FILE.read_text(encoding="utf-8"), CONTROLS_FILE.name)
    assert document.data["format"] == "hygie-controls/1"
    return {control["id"] for control in document.data["controls"]}


def test_there_are_enough_probes():
    assert len(probes) >= MINIMUM_PROBES, sorted(probes.keys())


def test_every_probe_names_controls_of_the_catalogue():
    catalogue = _catalogue()
    unknown = {
        key: [control for control in probe.controls if control not in catalogue]
        for key, probe in probes.items()
    }
    assert {key: wrong for key, wrong in unknown.items() if wrong} == {}


def test_probe_ids_and_their_controls_are_unique():
    ids = [probe.id for probe in probes.values()]
    assert len(ids) == len(set(ids))
    assert all(probe.id == key for key, probe in probes.items())
    for probe in probes.values():
        assert len(set(probe.controls)) == len(probe.controls), probe.id
        assert isinstance(probe.controls, tuple), probe.id  # frozen, like the probe


def test_every_probe_title_has_a_french_translation():
    with translation.override("fr"):
        untranslated = [
            probe.title
            for probe in probes.values()
            if translation.gettext(probe.title) == probe.title
        ]
    assert untranslated == []


@pytest.mark.django_db
def test_every_probe_summary_is_a_translated_msgid(establishment_a):
    """Run on an empty establishment, each probe answers with a msgid and its values: stored
    as JSON and read back, it renders in French and in English."""
    problems = []
    for key, probe in probes.items():
        result = probe.run(establishment_a)
        assert result.status in PROBE_STATUSES, key
        stored = json.loads(json.dumps(result.as_dict()))  # what a consumer keeps
        if not result.summary_id:
            problems.append(f"{key}: summary is not a msgid")
            continue
        with translation.override("en"):
            english = render_summary(stored)
        with translation.override("fr"):
            french = render_summary(stored)
        assert english == result.summary, key
        if french == english:
            problems.append(f"{key}: no French for {result.summary_id!r}")
    assert problems == []


def test_render_summary_fills_the_translation_and_falls_back_to_english():
    result = ProbeResult.translatable(
        "partial",
        "%(enrolled)s of %(total)s privileged accounts use a second factor.",
        {"enrolled": 1, "total": 3},
    )
    assert result.summary == "1 of 3 privileged accounts use a second factor."
    with translation.override("fr"):
        assert render_summary(result) == "Comptes à privilèges avec un second facteur : 1 sur 3."
        # A stored result whose values no longer fit its text shows the English sentence.
        broken = {**result.as_dict(), "params": {"enrolled": 1}}
        assert render_summary(broken) == result.summary
        # Results of older probes (a plain English sentence) are shown as they are.
        assert render_summary(ProbeResult("pass", "All good.")) == "All good."
        assert render_summary("Restore test passed on %(date)s.", {"date": "2026-12-01"}) == (
            "Test de restauration réussi le 2026-12-01."
        )
