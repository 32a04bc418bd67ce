"""Proposals (pure): probe verdicts to statuses, several results combined, partial caps for
controls that cover part of a requirement, answers propagated through mappings."""

from __future__ import annotations

import pytest

from hygie.compliance.engine.propagation import (
    MappedLink,
    ProbeEvidence,
    links_both_ways,
    may_overwrite,
    propose_from_answer,
    propose_from_probes,
    status_from_probe,
    status_through,
    worst,
)


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        ("pass", "compliant"),
        ("partial", "partial"),
        ("fail", "non_compliant"),
        ("not_applicable", "not_applicable"),
        ("error", None),
        ("nonsense", None),
    ],
)
def test_probe_verdicts(verdict, status):
    assert status_from_probe(verdict) == status


def test_one_result_proposes_its_status():
    proposal = propose_from_probes([ProbeEvidence("p", "fail")])
    assert proposal is not None and proposal.status == "non_compliant"


def test_errors_propose_nothing():
    assert propose_from_probes([ProbeEvidence("p", "error")]) is None
    assert propose_from_probes([]) is None


def test_mixed_results_are_partial_and_na_ignored_when_others_speak():
    mixed = propose_from_probes([ProbeEvidence("a", "pass"), ProbeEvidence("b", "fail")])
    assert mixed is not None and mixed.status == "partial"
    with_na = propose_from_probes(
        [ProbeEvidence("a", "pass"), ProbeEvidence("b", "not_applicable")]
    )
    assert with_na is not None and with_na.status == "compliant"
    only_na = propose_from_probes([ProbeEvidence("a", "not_applicable")])
    assert only_na is not None and only_na.status == "not_applicable"


@pytest.mark.parametrize("relation", ["superset", "intersect"])
def test_a_pass_on_part_of_a_requirement_is_at_most_partial(relation):
    proposal = propose_from_probes([ProbeEvidence("a", "pass", relation)])
    assert proposal is not None and proposal.status == "partial" and proposal.capped


def test_subset_control_pass_is_compliant():
    proposal = propose_from_probes([ProbeEvidence("a", "pass", "subset")])
    assert proposal is not None and proposal.status == "compliant"


@pytest.mark.parametrize(
    ("status", "relation", "expected"),
    [
        ("compliant", "equal", "compliant"),
        ("non_compliant", "equal", "non_compliant"),
        ("not_applicable", "equal", "not_applicable"),
        ("compliant", "subset", "partial"),
        ("compliant", "superset", "partial"),
        ("compliant", "intersect", "partial"),
        ("partial", "intersect", "partial"),
        ("non_compliant", "subset", "non_compliant"),
        ("non_compliant", "superset", None),
        ("non_compliant", "intersect", None),
        ("not_applicable", "subset", None),
        ("not_assessed", "equal", None),
        ("compliant", "unknown", None),
    ],
)
def test_status_through_a_mapping(status, relation, expected):
    assert status_through(status, relation) == expected


def test_links_both_ways_invert_the_relation():
    index = links_both_ways([MappedLink("a", "b", "subset", {"en": "why"})])
    assert [(link.target, link.relation) for link in index["a"]] == [("b", "subset")]
    assert [(link.target, link.relation) for link in index["b"]] == [("a", "superset")]


def test_propose_from_answer():
    links = [
        MappedLink("a", "b", "equal"),
        MappedLink("a", "c", "intersect", {"en": "overlap"}),
        MappedLink("x", "y", "equal"),
    ]
    proposals = propose_from_answer("a", "compliant", links)
    assert [(p.target, p.status, p.relation) for p in proposals] == [
        ("b", "compliant", "equal"),
        ("c", "partial", "intersect"),
    ]
    assert proposals[1].rationale == {"en": "overlap"}


def test_confirmed_answers_are_never_overwritten():
    assert may_overwrite(is_confirmed=False)
    assert not may_overwrite(is_confirmed=True)


def test_worst():
    assert worst(["compliant", "partial", "not_applicable"]) == "partial"
    assert worst(["not_assessed"]) is None
