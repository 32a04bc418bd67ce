"""CSAF 2.0 mandatory test 6.1.11: a vulnerability's CWE must be a weakness of the shipped MITRE
catalogue with its exact name (a category or a view, an unknown id, a wrong name: refused);
the 101 real ICS medical advisories' 333 CWE entries all pass (test_icsma_roundtrip)."""

from __future__ import annotations

from hygie.devices.engine.csaf_checks import CHECKS, cwe_catalogue


def _doc(cwe: dict) -> dict:
    return {"vulnerabilities": [{"cve": "CVE-2099-0001"}, {"cwe": cwe}]}


def _errors(cwe: dict) -> list[tuple[str, str]]:
    return [(e.test_id, e.path) for e in CHECKS["6.1.11"](_doc(cwe))]


def test_catalogue_is_shipped():
    catalogue = cwe_catalogue()
    assert len(catalogue) > 900
    assert catalogue["CWE-20"] == "Improper Input Validation"


def test_weakness_with_its_name_passes():
    assert _errors({"id": "CWE-20", "name": "Improper Input Validation"}) == []


def test_wrong_name_unknown_id_category_and_view_fail():
    assert _errors({"id": "CWE-79", "name": "Improper Input Validation"}) == [
        ("6.1.11", "$.vulnerabilities[1].cwe.name")
    ]
    for cwe_id in ("CWE-99999999", "CWE-16", "CWE-1000", "79"):  # unknown, category, view, bare
        assert _errors({"id": cwe_id, "name": "x"}) == [("6.1.11", "$.vulnerabilities[1].cwe.id")]
