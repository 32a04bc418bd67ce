"""The library loader: a valid library, and every kind of problem reported with file and line."""

from __future__ import annotations

import pytest

from hygie.compliance.engine import (
    Control,
    LibraryError,
    Problem,
    check_library,
    parse_framework,
    parse_library,
)

from .samples import ALPHA, ALPHA_TO_BETA, ALPHA_TO_CONTROLS, BETA, CONTROLS, library_files


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# --- a valid library ---------------------------------------------------------------------------


def test_sample_library_parses() -> None:
    files = library_files()
    assert check_library(files) == []
    library = parse_library(files)
    assert list(library.frameworks) == ["alpha", "beta"]
    alpha = library.frameworks["alpha"]
    assert alpha.name == {"fr": "Référentiel Alpha", "en": "Alpha framework"}
    assert alpha.publication_date == "2026-01-15"
    assert alpha.locales == ("fr", "en")
    assert alpha.source_name == "frameworks/alpha.yaml"
    assert [r.ref_id for r in alpha.requirements] == ["A-1", "A-1.1", "A-1.2"]
    assert [r.order for r in alpha.requirements] == [0, 1, 2]
    assert [r.urn for r in alpha.assessable()] == [
        "urn:hygie:req:alpha:1.1",
        "urn:hygie:req:alpha:1.2",
    ]
    first = alpha.requirement("urn:hygie:req:alpha:1.1")
    assert first is not None
    assert first.parent == "urn:hygie:req:alpha:1"
    assert first.attributes == {"implementation": "required", "sizes": ("small", "large")}
    assert first.line == line_of(ALPHA, "urn: urn:hygie:req:alpha:1.1")
    assert first.is_verified
    assert [r.urn for r in alpha.children()] == ["urn:hygie:req:alpha:1"]
    assert len(alpha.children("urn:hygie:req:alpha:1")) == 2
    assert [r.urn for r in alpha.ancestors("urn:hygie:req:alpha:1.2")] == ["urn:hygie:req:alpha:1"]
    assert alpha.depth("urn:hygie:req:alpha:1.2") == 1
    assert [r.ref_id for r in alpha.unverified()] == ["A-1.2"]
    assert alpha.requirement("urn:hygie:req:alpha:9") is None
    assert set(library.controls) == {
        "hygie.identity.mfa",
        "hygie.continuity.backup",
        "hygie.assets.inventory",
    }
    assert library.controls["hygie.identity.mfa"].title["en"] == "Two factors"
    assert {m.id for m in library.mappings} == {"alpha-to-controls", "alpha-to-beta"}


def test_library_helpers() -> None:
    library = parse_library(library_files())
    assert library.controls_of("urn:hygie:req:alpha:1.1") == {"hygie.identity.mfa"}
    assert library.controls_of("urn:hygie:req:beta:x") == set()
    assert library.requirements_for_control("hygie.continuity.backup") == [
        ("alpha", "urn:hygie:req:alpha:1.2")
    ]
    assert library.requirements_for_control("hygie.assets.inventory") == []
    rationale = {"fr": "Bêta couvre plus large.", "en": "Beta is broader."}
    assert library.mapped("urn:hygie:req:alpha:1.1") == [
        ("urn:hygie:req:beta:x", "subset", rationale)
    ]
    # Read from the other side: alpha 1.1 ⊂ beta x is beta x ⊃ alpha 1.1.
    assert library.mapped("urn:hygie:req:beta:x") == [
        ("urn:hygie:req:alpha:1.1", "superset", rationale)
    ]
    assert library.mapped("urn:hygie:req:alpha:1.2") == []
    framework = library.framework_of("urn:hygie:req:beta:x")
    assert framework is not None and framework.id == "beta"
    assert library.framework_of("urn:hygie:req:gamma:x") is None
    assert library.requirement("urn:hygie:req:alpha:1") is not None


def test_parse_framework_alone_and_inline_controls() -> None:
    text = ALPHA.replace(
        "    attributes: {implementation: required, sizes: [small, large]}\n",
        "    controls: [hygie.identity.mfa]\n",
    )
    framework = parse_framework("mine.yaml", text)
    requirement = framework.requirement("urn:hygie:req:alpha:1.1")
    assert requirement is not None and requirement.controls == ("hygie.identity.mfa",)
    catalogue = {"hygie.identity.mfa": Control("hygie.identity.mfa", {}, {})}
    assert parse_framework("mine.yaml", text, catalogue).id == "alpha"
    with pytest.raises(LibraryError) as caught:
        parse_framework("mine.yaml", text, {})
    assert only(caught.value.problems) == Problem(
        "mine.yaml",
        line_of(text, "controls: [hygie.identity.mfa]"),
        "urn:hygie:req:alpha:1.1: unknown control hygie.identity.mfa",
    )
    # Inline controls count in the library helpers.
    library = parse_library(library_files(alpha=text, alpha_to_controls=None))
    assert library.controls_of("urn:hygie:req:alpha:1.1") == {"hygie.identity.mfa"}


def test_a_framework_in_one_language_is_a_valid_import() -> None:
    text = """\
format: hygie-framework/1
framework:
  id: interne
  urn: urn:hygie:framework:interne
  name: {fr: Politique interne}
  version: "2026"
  provider: CH Exemple
  locales: [fr]
requirements:
  - urn: urn:hygie:req:interne:1
    ref_id: "1"
    assessable: true
    title: {fr: Sauvegardes}
    verification_status: verified
"""
    assert parse_framework("interne.yaml", text).locales == ("fr",)
    # …but not in the library, which must carry French and English.
    problems = check_library({"frameworks/interne.yaml": text})
    assert (
        Problem(
            "frameworks/interne.yaml",
            line_of(text, "locales:"),
            "framework.locales must include fr and en (missing: en)",
        )
        in problems
    )
    assert (
        Problem(
            "frameworks/interne.yaml",
            line_of(text, "title:"),
            "urn:hygie:req:interne:1 title: no en text",
        )
        in problems
    )


# --- documents and schema --------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line() -> None:
    text = ALPHA.replace('  version: "1"\n', "  version: [1\n")
    problem = parse_problems("frameworks/alpha.yaml", text)[0]
    assert problem.file == "frameworks/alpha.yaml"
    assert problem.line is not None and problem.line >= line_of(text, "version: [1")
    assert "not valid YAML" in problem.message


def parse_problems(name: str, text: str) -> list[Problem]:
    with pytest.raises(LibraryError) as caught:
        parse_framework(name, text)
    return caught.value.problems


def test_schema_errors_each_with_their_line() -> None:
    text = (
        ALPHA.replace("    verification_status: unverified\n", "    verification_status: maybe\n")
        .replace("  provider: Exemple\n", "  provider: Exemple\n  colour: blue\n")
        .replace("    ref_id: A-1.1\n", "")
        .replace("urn: urn:hygie:req:alpha:1.2", "urn: urn:hygie:req:alpha:1.2 bis")
    )
    problems = parse_problems("alpha.yaml", text)
    assert (
        Problem("alpha.yaml", line_of(text, "colour: blue"), "framework.colour: unknown key")
        in problems
    )
    assert (
        Problem(
            "alpha.yaml",
            line_of(text, "verification_status: maybe"),
            "requirements[2].verification_status: 'maybe' is not one of verified, unverified",
        )
        in problems
    )
    assert (
        Problem(
            "alpha.yaml",
            line_of(text, "urn: urn:hygie:req:alpha:1.1"),
            "requirements[1]: 'ref_id' is a required property",
        )
        in problems
    )
    assert (
        Problem(
            "alpha.yaml",
            line_of(text, "urn: urn:hygie:req:alpha:1.2 bis"),
            "requirements[2].urn: 'urn:hygie:req:alpha:1.2 bis' does not have the expected form",
        )
        in problems
    )
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_wrong_or_missing_format() -> None:
    assert parse_problems("x.yaml", CONTROLS)[0].message.startswith(
        "unknown format 'hygie-controls/1'"
    )
    assert parse_problems("x.yaml", "a: 1\n")[0].message.startswith("no format given")
    assert parse_problems("x.yaml", "")[0].message == "empty file"
    assert "CISO Assistant" in parse_problems("x.yaml", "urn: a\nobjects: {}\n")[0].message
    assert parse_problems("x.yaml", "- a\n")[0].message.startswith("no format given")


def test_hostile_yaml_is_refused() -> None:
    bomb = "format: hygie-framework/1\na: &x [1, 2]\nb: *x\n"
    assert "anchors" in parse_problems("x.yaml", bomb)[0].message
    tagged = "format: hygie-framework/1\na: !!python/object:os.system ls\n"
    assert "not allowed" in parse_problems("x.yaml", tagged)[0].message


def test_duplicate_keys_reported_with_the_other_problems() -> None:
    text = ALPHA.replace('  version: "1"\n', '  version: "1"\n  version: "2"\n').replace(
        "urn: urn:hygie:req:alpha:1.2", "urn: urn:hygie:req:alpha:1.1"
    )
    problems = parse_problems("alpha.yaml", text)
    messages = [p.message for p in problems]
    assert messages[0] == f"key given twice (first on line {line_of(text, 'version:')})"
    assert problems[0].line == line_of(text, "version:", 2)
    assert (
        f"duplicate URN urn:hygie:req:alpha:1.1 (first on line {line_of(text, 'alpha:1.1')})"
        in messages
    )


# --- URNs, parents, locales --------------------------------------------------------------------


def test_urns_must_belong_to_the_framework() -> None:
    text = ALPHA.replace("urn: urn:hygie:framework:alpha", "urn: urn:hygie:framework:alfa").replace(
        "urn: urn:hygie:req:alpha:1.2", "urn: urn:hygie:req:beta:1.2"
    )
    problems = parse_problems("alpha.yaml", text)
    assert problems == [
        Problem(
            "alpha.yaml",
            line_of(text, "urn:hygie:framework:alfa"),
            "framework URN urn:hygie:framework:alfa does not match its id"
            " (expected urn:hygie:framework:alpha)",
        ),
        Problem(
            "alpha.yaml",
            line_of(text, "urn:hygie:req:beta:1.2"),
            "urn:hygie:req:beta:1.2: URN does not belong to framework alpha"
            " (expected urn:hygie:req:alpha:<ref>)",
        ),
    ]


def test_dangling_and_self_parents() -> None:
    text = ALPHA.replace(
        "    parent: urn:hygie:req:alpha:1\n    assessable: true\n    title: {fr: Sauvegardes",
        "    parent: urn:hygie:req:alpha:9\n    assessable: true\n    title: {fr: Sauvegardes",
    )
    assert parse_problems("alpha.yaml", text) == [
        Problem(
            "alpha.yaml",
            line_of(text, "parent: urn:hygie:req:alpha:9"),
            "parent urn:hygie:req:alpha:9 of urn:hygie:req:alpha:1.2 is not a requirement of this"
            " file",
        )
    ]
    text = ALPHA.replace(
        "    ref_id: A-1\n    assessable: false\n",
        "    ref_id: A-1\n    parent: urn:hygie:req:alpha:1\n    assessable: false\n",
    )
    assert parse_problems("alpha.yaml", text) == [
        Problem(
            "alpha.yaml",
            line_of(text, "parent: urn:hygie:req:alpha:1"),
            "urn:hygie:req:alpha:1 is its own parent",
        )
    ]


def test_parent_cycle_reported_once() -> None:
    text = ALPHA.replace(
        "    ref_id: A-1\n    assessable: false\n",
        "    ref_id: A-1\n    parent: urn:hygie:req:alpha:1.2\n    assessable: false\n",
    )
    problems = parse_problems("alpha.yaml", text)
    assert problems == [
        Problem(
            "alpha.yaml",
            line_of(text, "urn: urn:hygie:req:alpha:1"),
            "parent cycle: urn:hygie:req:alpha:1 → urn:hygie:req:alpha:1.2 → urn:hygie:req:alpha:1",
        )
    ]


def test_texts_must_carry_every_declared_language() -> None:
    text = ALPHA.replace(
        "title: {fr: Sauvegardes, en: Backups}", "title: {fr: Sauvegardes, de: Sicherungen}"
    ).replace("name: {fr: Référentiel Alpha, en: Alpha framework}", "name: {fr: Référentiel Alpha}")
    problems = parse_problems("alpha.yaml", text)
    assert problems == [
        Problem("alpha.yaml", line_of(text, "name: {fr"), "framework name: no en text"),
        Problem(
            "alpha.yaml", line_of(text, "Sicherungen"), "urn:hygie:req:alpha:1.2 title: no en text"
        ),
        Problem(
            "alpha.yaml",
            line_of(text, "Sicherungen"),
            "urn:hygie:req:alpha:1.2 title: language 'de' is not declared in framework.locales",
        ),
    ]


# --- across files --------------------------------------------------------------------------------


def test_duplicates_across_files() -> None:
    copy = ALPHA.replace("A-1.1", "A-1.1 (copie)")
    files = library_files()
    files["frameworks/alpha-copy.yaml"] = copy
    problems = check_library(files)
    assert (
        Problem(
            "frameworks/alpha-copy.yaml",
            line_of(copy, "id: alpha"),
            "framework id alpha does not match the file name (expected alpha.yaml)",
        )
        in problems
    )
    assert (
        Problem(
            "frameworks/alpha.yaml",
            line_of(ALPHA, "id: alpha"),
            "framework id alpha is already defined in"
            f" frameworks/alpha-copy.yaml:{line_of(copy, 'id: alpha')}",
        )
        in problems
    )


def test_duplicate_urn_across_files() -> None:
    # Two files of different frameworks, the second holding a URN of the first.
    beta = BETA.replace("urn: urn:hygie:req:beta:x", "urn: urn:hygie:req:alpha:1.1")
    problems = check_library(library_files(beta=beta, alpha_to_beta=None))
    line = line_of(beta, "urn:hygie:req:alpha:1.1")
    assert (
        Problem(
            "frameworks/beta.yaml",
            line,
            "urn:hygie:req:alpha:1.1: URN does not belong to framework beta"
            " (expected urn:hygie:req:beta:<ref>)",
        )
        in problems
    )
    assert (
        Problem(
            "frameworks/beta.yaml",
            line,
            "duplicate URN urn:hygie:req:alpha:1.1"
            f" (also in frameworks/alpha.yaml:{line_of(ALPHA, 'alpha:1.1')})",
        )
        in problems
    )


def test_duplicate_controls() -> None:
    text = CONTROLS + (
        "  - id: hygie.identity.mfa\n"
        "    title: {fr: Encore, en: Again}\n"
        "    description: {fr: Encore., en: Again.}\n"
    )
    problems = check_library(library_files(controls=text))
    assert problems == [
        Problem(
            "controls.yaml",
            line_of(text, "id: hygie.identity.mfa", 2),
            "duplicate control id hygie.identity.mfa"
            f" (first on line {line_of(text, 'hygie.identity.mfa')})",
        )
    ]


def test_controls_need_both_languages() -> None:
    text = CONTROLS.replace("title: {fr: Sauvegardes, en: Backups}", "title: {fr: Sauvegardes}")
    problems = check_library(library_files(controls=text))
    assert problems == [
        Problem(
            "controls.yaml",
            line_of(text, "title: {fr: Sauvegardes}"),
            "controls[1].title: 'en' is a required property",
        )
    ]


def test_unknown_format_in_library() -> None:
    files = library_files()
    files["frameworks/notes.yaml"] = "format: hygie-notes/1\n"
    assert check_library(files) == [
        Problem(
            "frameworks/notes.yaml",
            1,
            "unknown format 'hygie-notes/1' (expected hygie-framework/1 or hygie-controls/1 or"
            " hygie-mapping/1)",
        )
    ]


# --- mappings ------------------------------------------------------------------------------------


def test_mapping_unknown_requirement_and_control() -> None:
    text = ALPHA_TO_CONTROLS.replace(
        "target: hygie.identity.mfa", "target: hygie.identity.mfb"
    ).replace("source: urn:hygie:req:alpha:1.2", "source: urn:hygie:req:alpha:7")
    name = "mappings/alpha-to-controls.yaml"
    assert check_library(library_files(alpha_to_controls=text)) == [
        Problem(name, line_of(text, "hygie.identity.mfb"), "unknown control hygie.identity.mfb"),
        Problem(
            name,
            line_of(text, "urn:hygie:req:alpha:7"),
            "unknown requirement urn:hygie:req:alpha:7 in framework alpha",
        ),
    ]


def test_mapping_source_from_another_framework() -> None:
    text = ALPHA_TO_CONTROLS.replace(
        "source: urn:hygie:req:alpha:1.2", "source: urn:hygie:req:beta:x"
    )
    assert only(check_library(library_files(alpha_to_controls=text))) == Problem(
        "mappings/alpha-to-controls.yaml",
        line_of(text, "urn:hygie:req:beta:x"),
        "urn:hygie:req:beta:x is not a requirement of the source framework alpha",
    )


def test_mapping_unknown_frameworks() -> None:
    text = ALPHA_TO_BETA.replace("source: alpha", "source: gamma").replace(
        "target: beta", "target: delta"
    )
    name = "mappings/alpha-to-beta.yaml"
    assert check_library(library_files(alpha_to_beta=text)) == [
        Problem(name, line_of(text, "source: gamma"), "unknown source framework gamma"),
        Problem(
            name,
            line_of(text, "target: delta"),
            "unknown target framework delta (a framework id or controls)",
        ),
    ]


def test_mapping_target_requirement_unknown_and_bad_relation() -> None:
    text = ALPHA_TO_BETA.replace(
        "target: urn:hygie:req:beta:x", "target: urn:hygie:req:beta:y"
    ).replace("relation: subset", "relation: included")
    name = "mappings/alpha-to-beta.yaml"
    assert check_library(library_files(alpha_to_beta=text)) == [
        Problem(
            name,
            line_of(text, "urn:hygie:req:beta:y"),
            "unknown requirement urn:hygie:req:beta:y in framework beta",
        ),
        Problem(
            name,
            line_of(text, "relation: included"),
            "entries[0].relation: 'included' is not one of equal, subset, superset, intersect",
        ),
    ]


def test_mapping_between_frameworks_needs_a_rationale_in_both_languages() -> None:
    text = ALPHA_TO_BETA.replace(
        "    rationale: {fr: Bêta couvre plus large., en: Beta is broader.}\n", ""
    )
    name = "mappings/alpha-to-beta.yaml"
    assert only(check_library(library_files(alpha_to_beta=text))) == Problem(
        name,
        line_of(text, "- source:"),
        "a mapping between frameworks needs a rationale (fr and en)",
    )
    text = ALPHA_TO_BETA.replace(", en: Beta is broader.", "")
    assert only(check_library(library_files(alpha_to_beta=text))) == Problem(
        name, line_of(text, "rationale:"), "rationale: no en text"
    )


def test_mapping_duplicate_entry_and_duplicate_id() -> None:
    entry = (
        "  - source: urn:hygie:req:alpha:1.1\n"
        "    target: hygie.identity.mfa\n"
        "    relation: intersect\n"
    )
    text = ALPHA_TO_CONTROLS + entry
    files = library_files(alpha_to_controls=text)
    files["mappings/other.yaml"] = ALPHA_TO_CONTROLS
    problems = check_library(files)
    assert problems == [
        Problem(
            "mappings/alpha-to-controls.yaml",
            line_of(text, "- source: urn:hygie:req:alpha:1.1", 2),
            "entry urn:hygie:req:alpha:1.1 → hygie.identity.mfa given twice"
            f" (first on line {line_of(text, '- source: urn:hygie:req:alpha:1.1')})",
        ),
        Problem(
            "mappings/other.yaml",
            line_of(ALPHA_TO_CONTROLS, "id: alpha-to-controls"),
            "mapping id alpha-to-controls is already used in mappings/alpha-to-controls.yaml:"
            f"{line_of(text, 'id: alpha-to-controls')}",
        ),
    ]


def test_mapping_onto_controls_without_a_catalogue() -> None:
    problems = check_library(library_files(controls=None))
    assert problems == [
        Problem(
            "controls.yaml", None, "no control catalogue (format hygie-controls/1) among the files"
        )
    ]


def test_every_problem_of_every_file_at_once() -> None:
    files = library_files(
        alpha=ALPHA.replace("verification_status: verified", "verification_status: yes", 1),
        alpha_to_controls=ALPHA_TO_CONTROLS.replace("hygie.identity.mfa", "hygie.nope.x"),
    )
    with pytest.raises(LibraryError) as caught:
        parse_library(files)
    assert [p.file for p in caught.value.problems] == [
        "frameworks/alpha.yaml",
        "mappings/alpha-to-controls.yaml",
    ]
    assert "and 1 more problem(s)" in str(caught.value)
    assert str(caught.value.problems[0]).startswith("frameworks/alpha.yaml:")


def test_schema_messages_do_not_echo_long_values() -> None:
    text = ALPHA.replace("title: {fr: Sauvegardes, en: Backups}", "title: Sauvegardes").replace(
        "ref_id: A-1.1", "ref_id: " + "x" * 400
    )
    problems = parse_problems("alpha.yaml", text)
    assert [p.message for p in problems] == [
        "requirements[1].ref_id: longer than 300 characters",
        "requirements[2].title: expected a mapping (key: value)",
    ]
