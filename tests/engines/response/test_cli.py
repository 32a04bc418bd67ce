"""``hygie response obligations`` on the shipped examples, with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.response.cli import response
from hygie.response.engine import MAX_FACTS_BYTES

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def run(*args: str, lang: str = "C.UTF-8") -> tuple[int, str, str]:
    # A fixed, wide terminal: rich wraps table cells to the width it detects, which varies.
    # LANG is fixed too: the table's language follows it unless --lang is given.
    result = CliRunner().invoke(
        response, ["obligations", *args], env={"COLUMNS": "240", "LANG": lang}
    )
    return result.exit_code, result.stdout, result.stderr


def applying(path: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    code, out, _ = run(str(path), "--format", "json")
    assert code == 0
    return {o["id"]: o for o in json.loads(out) if o["applies"]}


def test_ransomware_chu_json() -> None:
    found = applying(EXAMPLES / "ransomware-chu.yaml")
    assert set(found) == {
        "cert_sante",
        "gdpr_art33",
        "gdpr_art34",
        "gdpr_breach_register",
        "nis2_early_warning",
        "nis2_notification",
        "nis2_final_report",
    }
    # Discovered 01:30 CET on the night of the spring change: 24 h / 72 h later in UTC.
    assert found["nis2_early_warning"]["deadline"]["at"] == "2026-03-30T00:30:00Z"
    assert found["gdpr_art33"]["deadline"]["at"] == "2026-04-01T00:30:00Z"
    assert found["nis2_final_report"]["deadline"]["date"] == "2026-05-01"
    assert found["cert_sante"]["deadline"]["kind"] == "immediate"
    assert found["gdpr_art33"]["provisional"] is True


def test_us_breach_small_json() -> None:
    found = applying(EXAMPLES / "us-breach-small.yaml")
    assert set(found) == {"hipaa_individuals", "hipaa_hhs"}
    assert found["hipaa_individuals"]["deadline"]["date"] == "2026-12-31"
    assert found["hipaa_hhs"]["deadline"]["date"] == "2027-03-01"  # annual log, <500


def test_us_breach_large_business_associate() -> None:
    found = applying(EXAMPLES / "us-breach-large.yaml")
    assert set(found) == {"hipaa_ba_notice"}
    assert found["hipaa_ba_notice"]["deadline"]["date"] == "2028-04-29"


def test_phishing_without_consequence_triggers_nothing() -> None:
    assert applying(EXAMPLES / "phishing-ehpad.yaml") == {}


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_table_output(example: Path) -> None:
    code, out, err = run(str(example))
    assert code == 0, err
    assert "cert_sante" in out and "hipaa_ba_notice" in out
    assert "not legal advice" in out


def test_table_shows_deadlines_and_flags() -> None:
    _, out, _ = run(str(EXAMPLES / "ransomware-chu.yaml"), "--format", "table")
    assert "2026-03-30T00:30:00Z" in out
    assert "UNVERIFIED" in out and "VERIFIED" in out
    assert "provisional" in out


def test_table_language_option_and_lang_default() -> None:
    example = str(EXAMPLES / "ransomware-chu.yaml")
    _, french, _ = run(example, "--lang", "fr")
    assert "Pourquoi" in french and "Incident grave" in french and "CNIL" in french
    assert "Aide à la décision" in french and "provisoire" in french
    assert "Serious incident" not in french and "Why" not in french
    assert "2026-03-30T00:30:00Z" in french  # ids and instants do not change
    _, english, _ = run(example, "--lang", "en", lang="fr_FR.UTF-8")
    assert "Serious incident" in english and "Incident grave" not in english
    assert run(example, lang="fr_FR.UTF-8")[1] == french  # LANG=fr… selects French
    assert run(example, lang="C.UTF-8")[1] == english
    assert run(example, "--lang", "de")[0] == 2


def test_json_carries_both_languages_whatever_the_language() -> None:
    example = str(EXAMPLES / "ransomware-chu.yaml")
    _, out, _ = run(example, "--format", "json", lang="fr_FR.UTF-8")
    assert out == run(example, "--format", "json", "--lang", "en")[1]
    cert = json.loads(out)[0]
    assert cert["reason"].startswith("Serious incident: ")
    assert cert["texts"]["en"]["reason"] == cert["reason"]
    assert cert["texts"]["fr"]["reason"].startswith("Incident grave : ")
    assert cert["texts"]["fr"]["deadline_rule"].startswith("« Sans délai »")


def test_invalid_facts_exit_2_with_choices(tmp_path: Path) -> None:
    text = (EXAMPLES / "ransomware-chu.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("category: ransomware", "category: ransom").replace(
            "nis2: essential", "nis2: yes please"
        ),
        encoding="utf-8",
    )
    code, out, err = run(str(bad))
    assert code == 2
    assert out == ""
    assert f"{bad}:14: incident.category: unknown value; valid choices: ransomware," in err
    assert "establishment.nis2: unknown value; valid choices: essential, important, none" in err


def test_too_large_file_exit_2(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FACTS_BYTES + 1))
    code, _, err = run(str(big))
    assert code == 2
    assert "larger than" in err


def test_not_utf8_exit_2(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("establishment:\n  name: Hôpital\n".encode("latin-1"))
    code, _, err = run(str(latin))
    assert code == 2
    assert "not UTF-8" in err


def test_missing_file_and_bad_format_are_usage_errors(tmp_path: Path) -> None:
    assert run(str(tmp_path / "nope.yaml"))[0] == 2
    assert run(str(EXAMPLES / "ransomware-chu.yaml"), "--format", "xml")[0] == 2
