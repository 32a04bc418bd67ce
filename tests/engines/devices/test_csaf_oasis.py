"""The OASIS CSAF 2.0 validator test cases (../shared/data/csaf/oasis, testcases.json): every
must-fail document of an implemented mandatory test is rejected naming that test, every
must-pass document is accepted; the OASIS examples are accepted too.

Not implemented (their cases are skipped with the reason): see ``NOT_IMPLEMENTED`` in
``hygie.devices.engine.csaf_checks`` (6.1.11, the CWE catalogue).
"""

from __future__ import annotations

import json

import pytest

from hygie.devices.engine import CsafError, parse_csaf
from hygie.devices.engine.csaf_checks import CHECKS, NOT_IMPLEMENTED, mandatory_failures
from hygie.devices.engine.csaf_schema import validate_schema
from tests.shared_data import SHARED_DATA, shared_data

CASES = SHARED_DATA / "csaf" / "oasis" / "test" / "validator" / "data"


def _cases(kind: str) -> list[tuple[str, str]]:
    index = CASES / "testcases.json"
    if not index.exists():
        return [("absent", "absent")]
    tests = json.loads(index.read_text(encoding="utf-8"))["tests"]
    return [
        (test["id"], case["name"])
        for test in tests
        if test["group"] == "mandatory"
        for case in test.get(kind, [])
    ]


def _document(name: str) -> dict:
    path = shared_data("csaf", "oasis", "test", "validator", "data", *name.split("/"))
    return json.loads(path.read_text(encoding="utf-8"))


def _skip_unimplemented(test_id: str) -> None:
    if test_id in NOT_IMPLEMENTED:
        pytest.skip(f"{test_id} not implemented: {NOT_IMPLEMENTED[test_id]}")


@pytest.mark.parametrize(("test_id", "name"), _cases("failures"), ids=lambda v: str(v))
def test_must_fail_documents_are_rejected_naming_the_test(test_id: str, name: str) -> None:
    document = _document(name)
    _skip_unimplemented(test_id)
    named = {error.test_id for error in mandatory_failures(document)}
    try:
        validate_schema(document)
    except CsafError as error:
        named.add(error.test_id)
    assert test_id in named
    with pytest.raises(CsafError) as raised:
        parse_csaf(document, name)
    assert raised.value.test_id in named
    assert raised.value.path.startswith("$")


@pytest.mark.parametrize(("test_id", "name"), _cases("valid"), ids=lambda v: str(v))
def test_must_pass_documents_are_accepted(test_id: str, name: str) -> None:
    document = _document(name)
    advisory = parse_csaf(document, name)
    assert advisory.tracking_id == document["document"]["tracking"]["id"]


def test_the_oasis_examples_are_accepted() -> None:
    examples = sorted(shared_data("csaf", "oasis", "examples", "csaf").rglob("*.json"))
    assert examples
    for path in examples:
        advisory = parse_csaf(path.read_text(encoding="utf-8"), path.name)
        assert advisory.tracking_id


def test_every_mandatory_test_is_implemented_or_listed() -> None:
    shared_data("csaf", "oasis", "test", "validator", "data", "testcases.json")
    ids = {test_id for test_id, _name in _cases("failures") if test_id != "absent"}
    assert ids, "no OASIS test case found"
    assert ids <= set(CHECKS) | set(NOT_IMPLEMENTED) | {"6.1.8"}


def test_the_rejection_names_test_path_and_problem() -> None:
    document = _document("mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json")
    with pytest.raises(CsafError) as raised:
        parse_csaf(json.dumps(document), "x.json")
    assert raised.value.test_id == "6.1.1"
    assert raised.value.path == "$.product_tree.product_groups[0].product_ids[0]"
    assert str(raised.value).startswith("6.1.1 $.")


def test_the_real_icsma_advisories_pass_validation() -> None:
    paths = sorted(shared_data("csaf", "icsma").glob("*.json"))
    for path in paths:
        parse_csaf(path.read_bytes(), path.name)
    assert len(paths) > 100
