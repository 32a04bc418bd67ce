"""Verdict explanations are msgids with values (decision 0041): the English ``why`` is their
rendering, a stored explanation reads back the same, and another language replaces every
msgid (nested reasons and clause separators too) while data stays as found."""

from __future__ import annotations

import json

from hygie.devices.engine import InventoryItem, MatchIndex, Text, match, parse_csaf, parse_nvd
from hygie.devices.engine.sbom import Component, Sbom, VexStatement, match_sbom
from hygie.devices.engine.texts import clauses, gettext_noop, listing, text

ADVISORY = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "publisher": {"category": "vendor", "name": "Acme", "namespace": "https://acme.test"},
        "title": "Acme pumps",
        "tracking": {
            "id": "ACME-2099-01",
            "status": "final",
            "version": "1",
            "initial_release_date": "2099-01-01T00:00:00Z",
            "current_release_date": "2099-01-01T00:00:00Z",
            "revision_history": [
                {"date": "2099-01-01T00:00:00Z", "number": "1", "summary": "First"}
            ],
        },
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "Acme",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "Pump",
                        "branches": [
                            {
                                "category": "product_version_range",
                                "name": "<= 2.3.6",
                                "product": {"product_id": "P1", "name": "Acme Pump <= 2.3.6"},
                            },
                            {
                                "category": "product_version_range",
                                "name": "< May 2018",
                                "product": {"product_id": "P2", "name": "Acme Pump old"},
                            },
                        ],
                    }
                ],
            }
        ]
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2099-0001",
            "product_status": {"first_affected": ["P1"], "known_affected": ["P2"]},
        }
    ],
}
NVD = {
    "id": "CVE-2099-0002",
    "configurations": [
        {
            "operator": "AND",
            "nodes": [
                {
                    "operator": "OR",
                    "cpeMatch": [
                        {
                            "vulnerable": True,
                            "criteria": "cpe:2.3:o:acme:pump_firmware:*:*:*:*:*:*:*:*",
                            "versionEndExcluding": "3.0",
                        }
                    ],
                },
                {
                    "operator": "OR",
                    "cpeMatch": [
                        {
                            "vulnerable": False,
                            "criteria": "cpe:2.3:h:acme:gateway:-:*:*:*:*:*:*:*",
                        }
                    ],
                },
            ],
        }
    ],
}
FRENCH = {
    "%(clause)s; %(next)s": "%(clause)s ; %(next)s",
    "version %(version)s is %(bounds)s": "la version « %(version)s » respecte « %(bounds)s »",
    "%(criterion)s: %(reason)s": "« %(criterion)s » : %(reason)s",
    "NVD %(cve)s: %(reasons)s": "NVD « %(cve)s » : %(reasons)s",
    "compared as dotted-numeric": "comparée en nombres séparés par des points",
}


def _verdicts() -> list:
    advisory = parse_csaf(json.dumps(ADVISORY), "acme.json", validate=False)
    records = parse_nvd(json.dumps(NVD))
    items = [InventoryItem("d1", "Acme", "Pump", "2.1")]
    return match(items, [advisory], records)


def test_the_english_why_is_the_explanation_rendered():
    verdicts = _verdicts()
    assert {v.status for v in verdicts} == {"known_affected", "needs_review"}
    for verdict in verdicts:
        assert isinstance(verdict.explanation, Text)
        assert verdict.why == str(verdict.explanation)
    csaf = next(v for v in verdicts if v.product_id == "P1")
    assert csaf.why == (
        "Acme Pump '<= 2.3.6' (product version range) in ACME-2099-01: 2.1 is within <=2.3.6; "
        "compared as dotted-numeric; the advisory lists it as first affected"
    )
    review = next(v for v in verdicts if v.product_id == "P2")
    assert "is a date, not a version" in review.why and review.why.endswith("(review)")
    nvd = next(v for v in verdicts if v.source == "nvd")
    assert nvd.status == "needs_review"
    assert nvd.why == (
        "NVD CVE-2099-0002: cpe:2.3:o:acme:pump_firmware:*:*:*:*:*:*:*:* <3.0: version 2.1 is "
        "<3.0; runs on cpe:2.3:h:acme:gateway:-:*:*:*:*:*:*:*: not known for the device; "
        "compared as dotted-numeric"
    )


def test_a_stored_explanation_reads_back_the_same():
    for verdict in _verdicts():
        stored = json.loads(json.dumps(verdict.explanation.as_json()))
        assert Text.from_json(stored) == verdict.explanation
        assert Text.from_json(stored).render() == verdict.why


def test_each_msgid_is_translated_and_data_is_kept():
    nvd = next(v for v in _verdicts() if v.source == "nvd")
    french = nvd.explanation.render(lambda msgid: FRENCH.get(msgid, msgid))
    assert french.startswith(
        "NVD « CVE-2099-0002 » : « cpe:2.3:o:acme:pump_firmware:*:*:*:*:*:*:*:* <3.0 » : "
        "la version « 2.1 » respecte « <3.0 » ; "
    )
    assert french.endswith(" ; comparée en nombres séparés par des points")


def test_a_translation_that_does_not_fit_falls_back_to_english():
    message = text(gettext_noop("version %(version)s is %(fixed)s"), version="1", fixed="1")
    assert message.render(lambda msgid: "la version %(autre)s") == "version 1 is 1"


def test_stored_garbage_is_no_explanation():
    for stored in ({}, [], "text", {"m": 1, "p": {}}, {"m": "x", "p": {"a": {"m": 2}}}, None):
        assert Text.from_json(stored) is None
    deep: dict = {"m": "%(a)s", "p": {"a": "x"}}
    for _ in range(100):
        deep = {"m": "%(a)s", "p": {"a": deep}}
    assert Text.from_json(deep) is None


def test_clauses_and_lists():
    assert str(clauses(Text("a"), None, "", Text("b"), "c")) == "a; b; c"
    assert str(listing([Text("update"), "roll back"])) == "update, roll back"


def test_the_index_built_once_gives_the_same_verdicts():
    advisory = parse_csaf(json.dumps(ADVISORY), "acme.json", validate=False)
    records = parse_nvd(json.dumps(NVD))
    items = [InventoryItem(f"d{n}", "Acme", "Pump", f"2.{n}") for n in range(9)]
    index = MatchIndex([advisory], records)
    assert match(items, index=index) == match(items, [advisory], records)
    assert match(items, index=index) == match(items, index=index)


def test_vex_explanations_are_words():
    sbom = Sbom(
        format="CycloneDX 1.5",
        components=(Component(ref="c1", name="pump", version="1.0", supplier="Acme"),),
        vex=(
            VexStatement(
                vulnerability="CVE-2099-0003",
                refs=("c1",),
                state="not_affected",
                justification="code_not_reachable",
                responses=("will_not_fix", "update"),
            ),
        ),
    )
    (verdict,) = match_sbom("dev", sbom)
    assert verdict.why == (
        "component pump 1.0 (c1): VEX not affected (code not reachable); response: will not "
        "fix, update for CVE-2099-0003"
    )
    french = {"not affected": "non affecté", "will not fix": "ne sera pas corrigé"}
    assert "ne sera pas corrigé, update" in verdict.explanation.render(
        lambda msgid: french.get(msgid, msgid)
    )
