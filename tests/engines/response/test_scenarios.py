"""Exercise scenarios: shipped files validate, errors carry paths and lines, hostile YAML is
refused cleanly, and the inject schedule is exact at its boundaries. No Django here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hygie.response.engine.errors import ResponseEngineError
from hygie.response.engine.scenarios import (
    CHANNELS,
    MAX_SCENARIO_BYTES,
    ScenarioError,
    due_injects,
    format_duration,
    next_inject,
    parse_duration,
    parse_scenario,
)

SHIPPED = Path(__file__).resolve().parents[3] / "hygie" / "response" / "scenarios"

MINIMAL = """\
schema_version: 1
key: mini
version: 2
title: {fr: Exercice minimal, en: Minimal exercise}
summary: Un résumé.
objectives:
  - Tester la chaîne d'alerte.
duration: PT1H
injects:
  - id: first
    at: PT0S
    channel: phone
    from: Standard
    title: {fr: Premier appel, en: First call}
    content: {fr: Contenu, en: Content}
  - id: second
    at: PT15M
    channel: press
    from: Journaliste
    title: Deuxième
    content: Texte
    expected_actions:
      - Répondre au journaliste.
      - fr: Déclarer
        en: Declare
        obligations: [cert_sante, gdpr_art33]
    facilitator_notes: {en: Only in English}
  - id: third
    at: PT1H
    channel: ars
    from: ARS
    title: Troisième
    content: Texte
"""


def problems(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="s.yaml")
    return [
        (p.path, p.message, p.location.line if p.location else None) for p in caught.value.problems
    ]


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path) -> None:
    scenario = parse_scenario(path.read_text(encoding="utf-8"), source=path.name)
    assert path.stem == scenario.key
    assert 10 <= len(scenario.injects) <= 15
    assert timedelta(hours=2) <= scenario.duration <= timedelta(hours=3)
    for inject in scenario.injects:
        assert inject.title.fr and inject.title.en and inject.content.fr and inject.content.en
        assert inject.expected_actions
    cited = {ob for inject in scenario.injects for ob in inject.obligations}
    assert {"cert_sante", "gdpr_art33"} <= cited


def test_two_scenarios_are_shipped() -> None:
    keys = {parse_scenario(p.read_text(encoding="utf-8")).key for p in SHIPPED.glob("*.yaml")}
    assert keys == {"ransomware-ehr", "phi-leak-press"}


def test_minimal_scenario_parses_into_frozen_dataclasses() -> None:
    scenario = parse_scenario(MINIMAL)
    assert scenario.key == "mini" and scenario.version == 2
    assert scenario.title.get("en") == "Minimal exercise"
    assert scenario.title.get("fr-fr") == "Exercice minimal"
    second = scenario.inject("second")
    assert second is not None
    assert second.sender == "Journaliste"
    assert second.at == timedelta(minutes=15)
    assert second.title.get("en") == "Deuxième"  # a plain string serves both languages
    assert second.obligations == ("cert_sante", "gdpr_art33")
    assert second.facilitator_notes is not None
    assert second.facilitator_notes.get("fr") == "Only in English"  # falls back
    with pytest.raises(AttributeError):
        second.id = "changed"  # type: ignore[misc]
    assert scenario.inject("nope") is None


def test_error_root_is_the_response_engine_error() -> None:
    assert issubclass(ScenarioError, ResponseEngineError)


def test_golden_errors_with_paths_and_lines() -> None:
    text = (
        MINIMAL.replace("version: 2", "version: two")
        .replace("channel: press", "channel: pigeon")
        .replace("    from: ARS\n", "    from: ARS\n    colour: blue\n")
        .replace("obligations: [cert_sante, gdpr_art33]", "obligations: [cert_sante, gdpr_art99]")
    )
    found = problems(text)
    assert ("version", "must be a whole number from 1", 3) in found
    paths = {(path, line) for path, _message, line in found}
    assert paths == {
        ("version", 3),
        ("injects[1].channel", 18),
        ("injects[1].expected_actions[1].obligations[1]", 26),
        ("injects[2].colour", 32),
    }
    messages = dict((path, message) for path, message, _line in found)
    assert "valid channels: phone, mail, press" in messages["injects[1].channel"]
    assert "valid keys: id, at, channel, from, title, content" in messages["injects[2].colour"]
    assert "valid ids: cert_sante" in messages["injects[1].expected_actions[1].obligations[1]"]


def test_error_message_lists_every_problem_with_its_location() -> None:
    text = MINIMAL.replace("key: mini", "key: Mini Key").replace("duration: PT1H", "duration: 1h")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="s.yaml")
    message = str(caught.value)
    assert "(2 problems)" in message
    assert "s.yaml:2: key: must be lower-case" in message
    assert "s.yaml:8: duration: must be an ISO 8601 duration" in message


def test_missing_and_unknown_top_level_keys() -> None:
    text = MINIMAL.replace("summary: Un résumé.\n", "sumary: typo\n")
    found = problems(text)
    assert (
        "sumary",
        "unknown key; valid keys: schema_version, key, version, title, summary, "
        "objectives, duration, injects, audience",
        5,
    ) in found
    assert ("(document)", "missing required key: summary", 1) in found


def test_duplicate_ids_and_keys() -> None:
    text = MINIMAL.replace("id: third", "id: first").replace(
        "    from: Standard\n", "    from: Standard\n    from: Autre\n"
    )
    found = problems(text)
    assert ("injects[2].id", "id already used by injects[0]", 29) in found
    assert any(
        path == "injects[0].from" and "key given twice (first on line 13)" in message and line == 14
        for path, message, line in found
    )


def test_injects_in_strictly_increasing_time() -> None:
    found = problems(MINIMAL.replace("at: PT15M", "at: PT0S"))
    assert found == [
        (
            "injects[1].at",
            "must come after injects[0] (PT0S): injects are listed in "
            "strictly increasing time order",
            17,
        )
    ]


def test_inject_after_the_end_and_bad_schema_version() -> None:
    text = MINIMAL.replace("duration: PT1H", "duration: PT30M").replace(
        "schema_version: 1", "schema_version: 2"
    )
    found = {path: message for path, message, _ in problems(text)}
    assert "after the end of the exercise (duration PT30M)" in found["injects[2].at"]
    assert "unsupported" in found["schema_version"]


def test_wrong_types_are_reported_not_crashed() -> None:
    for text, path in [
        ("- a list\n", "(document)"),
        (
            MINIMAL.replace("objectives:\n  - Tester la chaîne d'alerte.", "objectives: one"),
            "objectives",
        ),
        (MINIMAL.replace("title: Troisième", "title: 12"), "injects[2].title"),
        (MINIMAL.replace("title: Troisième", "title: {de: Dritte}"), "injects[2].title.de"),
        (MINIMAL.replace("at: PT15M", "at: 15"), "injects[1].at"),
        (MINIMAL.replace("content: Texte\n", "content: '   '\n", 1), "injects[1].content"),
    ]:
        assert path in {p for p, _, _ in problems(text)}, text


def test_empty_document_and_empty_lists() -> None:
    assert problems("")[0][0] == "(document)"
    text = MINIMAL.split("injects:")[0] + "injects: []\n"
    assert ("injects", "list at least one inject", 9) in problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",  # aliases: the billion-laughs vector
        "!!python/object/apply:os.system ['echo hi']\n",
        "key: [unclosed\n",
        "\t- tab indented\n",
        "[" * 5000 + "]" * 5000,
    ],
)
def test_hostile_yaml_is_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="evil.yaml")
    assert caught.value.problems[0].path == "(document)"


def test_billion_laughs_is_refused_early() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("\n".join(lines))
    assert "aliases" in caught.value.problems[0].message


def test_size_limit() -> None:
    text = MINIMAL + "#" * MAX_SCENARIO_BYTES
    assert problems(text) == [("(document)", f"larger than {MAX_SCENARIO_BYTES} bytes", None)]


def test_error_messages_do_not_echo_values() -> None:
    secret = "DUPONT-Jean-1980"
    text = MINIMAL.replace("channel: pigeon", "").replace("channel: press", f"channel: {secret}")
    assert all(secret not in message for _, message, _ in problems(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT0S", timedelta(0)),
        ("PT15M", timedelta(minutes=15)),
        ("PT2H30M", timedelta(hours=2.5)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2D", timedelta(days=2)),
        ("PT90S", timedelta(seconds=90)),
        ("P", None),
        ("PT", None),
        ("P1M", None),
        ("P1Y", None),
        ("P1W", None),
        ("15M", None),
        ("PT-5M", None),
        ("PT1.5H", None),
        ("", None),
    ],
)
def test_parse_duration(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


def test_format_duration_round_trips() -> None:
    for value in (
        timedelta(0),
        timedelta(minutes=15),
        timedelta(hours=2, minutes=30),
        timedelta(days=1, seconds=5),
    ):
        assert parse_duration(format_duration(value)) == value
    assert format_duration(timedelta(hours=2, minutes=30)) == "PT2H30M"


def test_due_injects_at_boundaries() -> None:
    scenario = parse_scenario(MINIMAL)
    ids = lambda injects: [item.id for item in injects]  # noqa: E731
    assert ids(due_injects(scenario, timedelta(0))) == ["first"]
    assert ids(due_injects(scenario, timedelta(minutes=15) - timedelta(microseconds=1))) == [
        "first"
    ]
    assert ids(due_injects(scenario, timedelta(minutes=15))) == ["first", "second"]
    assert ids(due_injects(scenario, timedelta(hours=5))) == ["first", "second", "third"]
    assert ids(due_injects(scenario, timedelta(hours=5), delivered={"first", "second"})) == [
        "third"
    ]
    assert due_injects(scenario, -timedelta(seconds=1)) == ()


def test_next_inject_skips_delivered_ones_even_early() -> None:
    scenario = parse_scenario(MINIMAL)
    assert next_inject(scenario).id == "first"  # type: ignore[union-attr]
    assert next_inject(scenario, {"first"}).id == "second"  # type: ignore[union-attr]
    assert next_inject(scenario, {"first", "third"}).id == "second"  # type: ignore[union-attr]
    assert next_inject(scenario, {"first", "second", "third"}) is None


def test_every_channel_is_a_simple_identifier() -> None:
    assert all(channel.isidentifier() for channel in CHANNELS)
