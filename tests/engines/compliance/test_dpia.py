"""The DPIA scoring engine (CNIL method) and the register presets parser: pure, no Django."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.compliance.engine import dpia
from hygie.compliance.engine.registers import (
    LEGAL_BASES,
    PRESET_TEXT_FIELDS,
    PresetError,
    parse_presets,
)

PRESETS = Path(__file__).resolve().parents[3] / "hygie/compliance/library/registers/presets.yaml"
ALL_ACCEPTABLE = {key: "acceptable" for key in dpia.PRINCIPLE_KEYS}


def risk(kind: str, s=None, li=None, rs=None, rl=None, measures=True) -> dpia.RiskInput:
    return dpia.RiskInput(kind, s, li, rs, rl, has_measures=measures)


def all_risks(s, li, rs, rl, measures=True):
    return [risk(kind.value, s, li, rs, rl, measures) for kind in dpia.RiskKind]


@pytest.mark.parametrize(
    ("severity", "likelihood", "expected"),
    [
        (1, 1, dpia.Zone.ACCEPTABLE),
        (2, 2, dpia.Zone.ACCEPTABLE),
        (1, 4, dpia.Zone.TO_REDUCE),
        (4, 1, dpia.Zone.TO_REDUCE),
        (3, 2, dpia.Zone.TO_REDUCE),
        (3, 3, dpia.Zone.UNACCEPTABLE),
        (4, 4, dpia.Zone.UNACCEPTABLE),
        (None, 2, dpia.Zone.NOT_ASSESSED),
        (0, 2, dpia.Zone.NOT_ASSESSED),
        (5, 2, dpia.Zone.NOT_ASSESSED),
    ],
)
def test_zone_on_the_four_level_scales(severity, likelihood, expected):
    assert dpia.zone(severity, likelihood) is expected


def test_every_cell_of_the_map_has_a_zone():
    zones = {dpia.zone(s, li) for s in range(1, 5) for li in range(1, 5)}
    assert zones == {dpia.Zone.ACCEPTABLE, dpia.Zone.TO_REDUCE, dpia.Zone.UNACCEPTABLE}


def test_a_complete_dpia_is_ready_for_validation():
    result = dpia.assess(ALL_ACCEPTABLE, all_risks(3, 3, 2, 1), has_action_plan=True)
    assert result.is_ready_for_validation
    assert not result.requires_prior_consultation
    assert result.principles_assessed == result.principles_total == len(dpia.PRINCIPLES)
    assert [r.initial for r in result.risks] == [dpia.Zone.UNACCEPTABLE] * 3
    assert all(r.residual is dpia.Zone.ACCEPTABLE and r.is_reduced for r in result.risks)
    assert result.worst_residual is dpia.Zone.ACCEPTABLE


def test_an_empty_dpia_lists_everything_missing():
    result = dpia.assess({}, [])
    issues = [(f.issue, f.subject) for f in result.findings]
    assert len([i for i in issues if i[0] is dpia.Issue.PRINCIPLE_NOT_ASSESSED]) == 12
    assert {s for i, s in issues if i is dpia.Issue.MISSING_RISK} == {
        k.value for k in dpia.RiskKind
    }
    assert not result.is_ready_for_validation


def test_unknown_principle_answers_count_as_not_assessed():
    result = dpia.assess({**ALL_ACCEPTABLE, "purposes": "sure"}, all_risks(1, 1, 1, 1))
    assert (dpia.Issue.PRINCIPLE_NOT_ASSESSED, "purposes") in [
        (f.issue, f.subject) for f in result.findings
    ]
    assert result.principles_assessed == 11


def test_an_unacceptable_principle_blocks():
    result = dpia.assess({**ALL_ACCEPTABLE, "retention": "unacceptable"}, all_risks(1, 1, 1, 1))
    assert not result.is_ready_for_validation
    assert result.findings == (dpia.Finding(dpia.Issue.PRINCIPLE_UNACCEPTABLE, "retention"),)


def test_residual_above_initial_and_missing_residual_are_reported():
    risks = [
        risk("illegitimate_access", 2, 2, 3, 2),
        risk("unwanted_modification", 2, 2),
        risk("disappearance", 1, 1, 1, 1),
    ]
    issues = {(f.issue, f.subject) for f in dpia.assess(ALL_ACCEPTABLE, risks).findings}
    assert (dpia.Issue.RESIDUAL_ABOVE_INITIAL, "illegitimate_access") in issues
    assert (dpia.Issue.RESIDUAL_NOT_ASSESSED, "unwanted_modification") in issues


def test_a_high_residual_risk_needs_the_cnil_but_does_not_block():
    result = dpia.assess(ALL_ACCEPTABLE, all_risks(4, 4, 4, 3), has_action_plan=True)
    assert result.requires_prior_consultation
    assert result.is_ready_for_validation
    assert all(not f.blocking for f in result.findings)
    assert result.worst_residual is dpia.Zone.UNACCEPTABLE


def test_a_risk_to_reduce_needs_measures_and_a_plan():
    result = dpia.assess(ALL_ACCEPTABLE, all_risks(3, 2, 2, 1, measures=False))
    issues = {f.issue for f in result.findings}
    assert dpia.Issue.NO_MEASURES in issues
    assert dpia.Issue.NO_ACTION_PLAN in issues
    assert not result.is_ready_for_validation


def test_map_points_before_and_after():
    points = dpia.map_points([risk("disappearance", 4, 2, 4, 1), risk("illegitimate_access")])
    assert points == (
        dpia.MapPoint("disappearance", dpia.Level.MAXIMUM, dpia.Level.LIMITED, False),
        dpia.MapPoint("disappearance", dpia.Level.MAXIMUM, dpia.Level.NEGLIGIBLE, True),
    )


def test_dpia_required_from_two_criteria():
    assert not dpia.dpia_required([])
    assert not dpia.dpia_required(["sensitive_data"])
    assert not dpia.dpia_required(["sensitive_data", "not-a-criterion"])
    assert dpia.dpia_required(["sensitive_data", "large_scale"])


# --- presets -----------------------------------------------------------------------------------


def test_shipped_presets_load_and_cover_the_health_cases():
    presets = parse_presets(PRESETS.read_text(encoding="utf-8"))
    keys = [p.key for p in presets]
    assert keys == [
        "patient-record",
        "imaging",
        "laboratory",
        "clinical-research",
        "human-resources",
        "video-surveillance",
        "telemedicine",
    ]
    for preset in presets:
        assert preset.legal_basis in LEGAL_BASES
        assert preset.name.fr and preset.name.en
        assert set(preset.fields) <= set(PRESET_TEXT_FIELDS)
        assert "purposes" in preset.fields and "retention" in preset.fields
        # Every preset not verified says what is to check, in both languages.
        if preset.verification_status == "unverified":
            assert preset.note.fr and preset.note.en
    record = presets[0]
    assert record.special_category_exception == "h"
    assert "20" in record.fields["retention"].fr and "R.1112-7" in record.fields["retention"].fr
    assert dict(research=presets[3].special_category_exception) == {"research": "j"}
    values = record.values("en")
    assert values["name"] == "Electronic patient record (EHR)"
    assert values["has_special_categories"] is True


BAD = """format: hygie-register-presets/1
presets:
  - key: Bad Key
    name: {fr: "x"}
    verification_status: maybe
    legal_basis: whim
    special_category_exception: z
    dpia_criteria: [nope]
    colour: red
    fields:
      purposes: {fr: "a", en: "b"}
      favourite: {fr: "a", en: "b"}
  - key: ok
    name: {fr: "x", en: "y"}
    verification_status: verified
    legal_basis: consent
  - key: ok
    name: {fr: "x", en: "y"}
    verification_status: verified
    legal_basis: consent
"""


def test_bad_presets_report_every_problem_with_its_line():
    with pytest.raises(PresetError) as caught:
        parse_presets(BAD, "bad.yaml")
    problems = caught.value.problems
    messages = " | ".join(p.message for p in problems)
    for expected in (
        "'key' must be",
        "both languages",
        "verified",
        "unknown legal basis",
        "art. 9(2)",
        "DPIA criterion",
        "unknown key 'colour'",
        "unknown field 'favourite'",
        "duplicate preset key 'ok'",
    ):
        assert expected in messages
    assert all(p.location.file == "bad.yaml" and p.location.line for p in problems)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "format: other/1\npresets: []\n",
        "format: hygie-register-presets/1\npresets: 3\n",
        "a: [",
        "a: &x 1\nb: *x\n",
    ],
)
def test_hostile_or_wrong_files_are_refused_cleanly(text):
    with pytest.raises(PresetError):
        parse_presets(text)
