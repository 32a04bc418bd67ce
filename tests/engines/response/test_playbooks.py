"""The playbook format: shipped files, every problem with its path and line, hostile input.

Pure: no Django. The shipped playbooks are read from the package folder as plain files.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from hygie.response.engine.choices import IncidentCategory, ObligationId
from hygie.response.engine.errors import ResponseEngineError
from hygie.response.engine.playbooks import (
    MAX_PLAYBOOK_BYTES,
    PHASES,
    TO_COMPLETE,
    PlaybookError,
    bump_version,
    parse_duration,
    parse_playbook,
    phase_progress,
    replace_key,
    replace_version,
    validate_playbook,
)

SHIPPED = Path(__file__).resolve().parents[3] / "hygie" / "response" / "playbooks"
SHIPPED_FILES = sorted(SHIPPED.glob("*.yaml"))

MINIMAL = """\
schema_version: 1
key: minimal
version: "1.0.0"
title: {fr: Minimal, en: Minimal}
categories: [other]
phases:
  triage:
    steps:
      - id: first
        title: {fr: Première, en: First}
"""


# Obligations with a legal period: a step referencing one leaves its deadline to the clock engine.
CLOCKED = {
    "gdpr_art33",
    "nis2_early_warning",
    "nis2_notification",
    "nis2_final_report",
    "hipaa_individuals",
    "hipaa_hhs",
    "hipaa_media",
    "hipaa_ba_notice",
}


def problems_of(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text, source="pb.yaml")
    return [(p.path, p.line, p.message) for p in caught.value.problems]


# ---- shipped playbooks ------------------------------------------------------------------------


def test_eight_playbooks_are_shipped() -> None:
    keys = {parse_playbook(f.read_text(encoding="utf-8")).key for f in SHIPPED_FILES}
    assert keys == {
        "ransomware",
        "phi-data-breach",
        "account-compromise",
        "phishing-campaign",
        "medical-device-compromise",
        "ddos",
        "lost-stolen-device",
        "edge-device-compromise",
    }


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_shipped_playbook_validates_and_is_complete(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    playbook = parse_playbook(text, source=path.name)
    assert path.stem == playbook.key
    assert "AGPL" in text.split("\n", 3)[1] and "AGPL" in playbook.licence
    assert playbook.title.fr and playbook.title.en and playbook.title.fr != playbook.title.en
    assert playbook.categories and playbook.step_count >= 8
    assert {phase.key for phase in playbook.phases} >= {"triage", "containment"}
    assert playbook.references and playbook.contacts
    # Deadlines belong to the clock engine: notification steps reference obligations instead.
    assert any(step.obligations for _, step in playbook.steps())
    assert any(step.is_decision for _, step in playbook.steps())
    for _, step in playbook.steps():
        assert step.title.fr != "" and step.title.en != ""
        if set(step.obligations) & CLOCKED:
            assert step.due_after is None, f"{step.id} restates a legal deadline"
    # Contact details Hygie cannot verify are left for the organisation to fill in.
    assert playbook.contacts_to_complete
    for reference in playbook.references:
        if reference.id.startswith("CERTFR-2024-RFX-002"):
            assert not reference.is_verified  # UNVERIFIED in reference/frameworks.md §2


def test_shipped_playbooks_cover_the_required_categories() -> None:
    covered = {c for f in SHIPPED_FILES for c in parse_playbook(f.read_text("utf-8")).categories}
    assert {
        "ransomware",
        "data_breach",
        "account_compromise",
        "phishing",
        "medical_device_compromise",
        "denial_of_service",
        "loss_theft",
    } <= covered


def test_cert_fr_fiches_are_cited_in_the_relevant_playbooks() -> None:
    def refs(key: str) -> set[str]:
        return {
            r.id for r in parse_playbook((SHIPPED / f"{key}.yaml").read_text("utf-8")).references
        }

    assert "CERTFR-2024-RFX-001" in refs("ransomware")
    assert {"CERTFR-2024-RFX-003", "CERTFR-2024-RFX-004"} <= refs("account-compromise")
    assert "CERTFR-2025-RFX-001" in refs("edge-device-compromise")
    breach = parse_playbook((SHIPPED / "phi-data-breach.yaml").read_text("utf-8"))
    assert {"hipaa_individuals", "hipaa_hhs", "hipaa_media"} <= {
        o for _, step in breach.steps() for o in step.obligations
    }


# ---- the parsed structure -----------------------------------------------------------------------


def test_minimal_playbook() -> None:
    playbook = parse_playbook(MINIMAL)
    assert playbook.key == "minimal" and playbook.version == "1.0.0"
    assert [phase.key for phase in playbook.phases] == ["triage"]
    step = playbook.phases[0].steps[0]
    assert step.title.get("en") == "First" and step.title.get("fr") == "Première"
    assert step.due_after is None and step.due_from == "discovery" and not step.is_decision
    assert playbook.to_dict()["phases"][0]["steps"][0]["id"] == "first"


def test_phases_come_in_lifecycle_order_and_text_may_be_plain() -> None:
    text = MINIMAL.replace(
        "phases:\n",
        "phases:\n  recovery:\n    steps:\n"
        "      - id: back\n        title: Retour\n"
        "        due_after: P1DT12H\n"
        "        due_from: application\n",
    )
    playbook = parse_playbook(text)
    assert [phase.key for phase in playbook.phases] == ["triage", "recovery"]
    back = playbook.phases[1].steps[0]
    assert back.title.fr == back.title.en == "Retour"
    assert back.due_after == timedelta(days=1, hours=12) and back.due_from == "application"


def test_decision_contacts_and_references() -> None:
    text = MINIMAL.replace(
        "categories: [other]\n",
        textwrap.dedent("""\
        categories: [ransomware, data_breach]
        obligations: [cert_sante]
        references:
          - {id: CERTFR-2024-RFX-001, title: Rançongiciel, verification: verified,
             url: "https://www.cert.ssi.gouv.fr/"}
          - {id: X-1, title: Autre}
        contacts:
          - {role: cert_sante, who: CERT Santé, when: Sans délai, phone: to_complete,
             email: cert@example.org}
        """),
    ) + textwrap.indent(
        textwrap.dedent("""\
        references: [CERTFR-2024-RFX-001]
        obligations: [cert_sante, gdpr_art33]
        decision:
          question: {fr: Payer, en: Pay}
          options: [Non, {fr: Jamais, en: Never}]
        """),
        "        ",
    )
    playbook = parse_playbook(text)
    step = playbook.phases[0].steps[0]
    assert step.is_decision and len(step.decision.options) == 2  # type: ignore[union-attr]
    assert step.references == ("CERTFR-2024-RFX-001",)
    assert playbook.reference("X-1").verification == "unverified"  # type: ignore[union-attr]
    assert playbook.contacts[0].to_complete == ("phone",)
    assert playbook.contacts[0].phone == TO_COMPLETE


# ---- golden error cases: path, line, message ---------------------------------------------------


def test_every_problem_is_reported_with_its_path_and_line() -> None:
    text = textwrap.dedent("""\
        schema_version: 1
        key: Bad Key
        version: v1
        title: {fr: Titre}
        categories: [ransomware, volcano]
        colour: blue
        phases:
          containment:
            steps:
              - id: a
                title: A
              - id: b
                title: B
              - id: a
                title: C
                due_after: 2 hours
                owner_role: RSSI
                decision: {question: Q, options: [only one]}
                references: [NOPE]
                obligations: [cnil_72h]
                unknown_field: 1
          closure:
            steps: []
        """)
    found = problems_of(text)
    paths = {path: (line, message) for path, line, message in found}
    assert paths["key"][0] == 2 and "not a valid key" in paths["key"][1]
    assert paths["version"][0] == 3 and "semantic version" in paths["version"][1]
    assert paths["title"][0] == 4 and "missing required key 'en'" in paths["title"][1]
    assert paths["categories[1]"][0] == 5 and "ransomware" in paths["categories[1]"][1]
    assert paths["colour"][0] == 6 and "valid keys: schema_version" in paths["colour"][1]
    assert paths["phases.containment.steps[2].id"][0] == 14
    assert (
        "already used at phases.containment.steps[0]" in paths["phases.containment.steps[2].id"][1]
    )
    due = paths["phases.containment.steps[2].due_after"]
    assert due[0] == 16 and "ISO 8601" in due[1]
    assert paths["phases.containment.steps[2].owner_role"][0] == 17
    assert "at least 2" in paths["phases.containment.steps[2].decision.options"][1]
    assert paths["phases.containment.steps[2].references[0]"][0] == 19
    assert "unknown obligation id" in paths["phases.containment.steps[2].obligations[0]"][1]
    assert "gdpr_art33" in paths["phases.containment.steps[2].obligations[0]"][1]
    assert paths["phases.containment.steps[2].unknown_field"][0] == 21
    assert "triage, containment, eradication" in paths["phases.closure"][1]
    # Sorted by line, every one of them, in one error.
    lines = [line for _, line, _ in found]
    assert lines == sorted(lines) and len(found) >= 13


def test_error_message_lists_file_line_path() -> None:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(MINIMAL.replace("PT1H", "x").replace("[other]", "[nope]"), "pb.yaml")
    error = caught.value
    assert isinstance(error, ResponseEngineError)
    assert "pb.yaml:5:" in str(error) and "categories[0]" in str(error)
    assert error.problems[0].to_dict()["line"] == 5


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        ("", "(document)", "empty"),
        ("- a\n- b\n", "", "expected a mapping"),
        ("key: [unclosed\n", "(document)", "not valid YAML"),
        (
            MINIMAL.replace("schema_version: 1", "schema_version: 2"),
            "schema_version",
            "unsupported schema version",
        ),
        (MINIMAL.replace('"1.0.0"', "1.0"), "version", "semantic version"),
        (MINIMAL.replace('"1.0.0"', '"2026-02-30"'), "version", "semantic version"),
        (
            MINIMAL.replace("title: {fr: Minimal, en: Minimal}", "title: 42"),
            "title",
            "expected text",
        ),
        (
            MINIMAL.replace(
                "title: {fr: Minimal, en: Minimal}",
                "title: {fr: Minimal, en: Minimal, de: Minimal}",
            ),
            "title.de",
            "unknown key",
        ),
        (MINIMAL.replace("categories: [other]", "categories: []"), "categories", "at least one"),
        (
            MINIMAL.replace("categories: [other]", "categories: other"),
            "categories",
            "expected a list",
        ),
        (
            MINIMAL.replace(
                "title: {fr: Première, en: First}", "title: !!python/object:os.system x"
            ),
            "phases.triage.steps[0].title",
            "expected text",
        ),
        (MINIMAL + "        due_after: P1M\n", "phases.triage.steps[0].due_after", "months"),
        (MINIMAL + "        due_after: P400D\n", "phases.triage.steps[0].due_after", "366"),
        (MINIMAL + "        due_after: PT\n", "phases.triage.steps[0].due_after", "ISO 8601"),
        (
            MINIMAL + "        due_from: application\n",
            "phases.triage.steps[0].due_from",
            "only meaningful",
        ),
        (
            MINIMAL + "        due_after: PT1H\n        due_from: alert\n",
            "phases.triage.steps[0].due_from",
            "discovery, application",
        ),
        (MINIMAL + "title: again\n", "title", "key given twice (first on line 4)"),
        (
            MINIMAL.replace(
                "phases:\n  triage:\n    steps:\n      - id: first\n"
                "        title: {fr: Première, en: First}\n",
                "phases: {}\n",
            ),
            "phases",
            "at least one phase",
        ),
        (
            MINIMAL + "contacts:\n  - {role: x, who: y, when: z, phone: call me}\n",
            "contacts[0].phone",
            "phone number",
        ),
        (
            MINIMAL + "references:\n  - {id: A, title: B, url: 'javascript:alert(1)'}\n",
            "references[0].url",
            "http(s) URL",
        ),
        (
            MINIMAL + "references:\n  - {id: A, title: B}\n  - {id: A, title: C}\n",
            "references[1].id",
            "declared twice",
        ),
        (MINIMAL.replace("key: minimal", "key: minimal\nkey: other"), "key", "given twice"),
        (MINIMAL.replace("id: first", "id: First Step"), "phases.triage.steps[0].id", "step id"),
        (MINIMAL.replace("en: First}", 'en: ""}'), "phases.triage.steps[0].title.en", "empty"),
        (
            MINIMAL.replace("en: First}", 'en: "a\\u0000b"}'),
            "phases.triage.steps[0].title.en",
            "control characters",
        ),
    ],
)
def test_golden_errors(text: str, path: str, fragment: str) -> None:
    found = problems_of(text)
    assert any(p == path and fragment in m for p, _, m in found), found


def test_validate_playbook_is_the_dry_run() -> None:
    assert validate_playbook(MINIMAL) == []
    problems = validate_playbook(MINIMAL.replace("[other]", "[volcano]"))
    assert [p.path for p in problems] == ["categories[0]"]


# ---- hostile input -----------------------------------------------------------------------------


def test_too_large_is_refused_before_parsing() -> None:
    text = MINIMAL + "#" * MAX_PLAYBOOK_BYTES
    assert problems_of(text) == [("(document)", None, f"larger than {MAX_PLAYBOOK_BYTES} bytes")]


def test_deep_nesting_is_refused_without_recursion() -> None:
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    [(path, line, message)] = problems_of(deep)
    assert path == "(document)" and line == 1 and "nested deeper" in message


def test_billion_laughs_is_refused() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    [(path, line, message)] = problems_of("\n".join(lines) + "\n")
    assert "anchors and aliases" in message and line == 1


def test_alias_alone_is_refused() -> None:
    text = MINIMAL.replace(
        "title: {fr: Minimal, en: Minimal}", "title: &t {fr: Minimal, en: Minimal}\nsummary: *t"
    )
    assert "anchors and aliases" in problems_of(text)[0][2]


def test_too_many_values() -> None:
    text = MINIMAL + "references: [" + "1," * 25_000 + "]\n"
    assert "more than" in problems_of(text)[0][2]


def test_wide_step_list_is_bounded() -> None:
    steps = "".join(f"      - id: s{i}\n        title: S\n" for i in range(250))
    text = MINIMAL.split("      - id: first")[0] + steps
    assert any("at most 200" in m for _, _, m in problems_of(text))


def test_multiple_documents_are_refused() -> None:
    assert "not valid YAML" in problems_of(MINIMAL + "---\nkey: b\n")[0][2]


@pytest.mark.parametrize("garbage", ["\x00\x01", "{{{{", 'key: "unterminated', "\t- x", ":"])
def test_garbage_never_crashes(garbage: str) -> None:
    with pytest.raises(PlaybookError):
        parse_playbook(garbage)


# ---- durations, versions, progress ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT15M", timedelta(minutes=15)),
        ("PT1H", timedelta(hours=1)),
        ("P2D", timedelta(days=2)),
        ("P1W", timedelta(weeks=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1Y", "P1M", "1H", "PT1S", "P1DT", "-PT1H", "PT1.5H"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_bump_version() -> None:
    today = date(2026, 5, 4)
    assert bump_version("1.2.3", today) == "1.2.4"
    assert bump_version("2026-01-10", today) == "2026-05-04"
    assert bump_version("2026-05-04", today) == "2026-05-04.2"
    assert bump_version("2026-05-04.2", today) == "2026-05-04.3"


def test_replace_version_and_key_keep_comments() -> None:
    text = "# my comment\n" + MINIMAL
    bumped = replace_version(text, "1.0.1")
    assert bumped.startswith("# my comment\n") and parse_playbook(bumped).version == "1.0.1"
    renamed = replace_key(bumped, "minimal-copy")
    assert parse_playbook(renamed).key == "minimal-copy"
    with pytest.raises(ValueError):
        replace_key(text, "Bad Key")
    with pytest.raises(ValueError):
        replace_version(text, "v2")


def test_phase_progress_in_lifecycle_order() -> None:
    progress = phase_progress(
        [
            ("recovery", False),
            ("triage", True),
            ("triage", False),
            ("recovery", True),
            ("recovery", True),
        ]
    )
    assert [(p.phase, p.done, p.total, p.percent) for p in progress] == [
        ("triage", 1, 2, 50),
        ("recovery", 2, 3, 67),
    ]
    assert phase_progress([]) == ()


def test_vocabularies_match_the_clock_engine() -> None:
    assert set(PHASES) == {"triage", "containment", "eradication", "recovery", "post_incident"}
    # Obligations and categories are the clock engine's own values.
    for path in SHIPPED_FILES:
        playbook = parse_playbook(path.read_text("utf-8"))
        assert set(playbook.categories) <= {c.value for c in IncidentCategory}
        assert set(playbook.obligations) <= {o.value for o in ObligationId}


def test_the_documented_example_is_valid() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "response-playbooks.md").read_text(
        "utf-8"
    )
    example = doc.split("## Format reference")[1].split("```yaml\n")[1].split("```")[0]
    playbook = parse_playbook(example)
    assert playbook.phases[0].steps[0].is_decision


def test_duplicate_keys_are_reported_with_every_other_problem() -> None:
    text = MINIMAL.replace("categories: [other]", "categories: [nope]") + "title: again\n"
    assert problems_of(text) == [
        ("categories[0]", 5, problems_of(MINIMAL.replace("[other]", "[nope]"))[0][2]),
        ("title", 11, "key given twice (first on line 4)"),
    ]
