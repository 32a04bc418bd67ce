"""CISO Assistant YAML library import (a made-up framework in their published format)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hygie.compliance.engine import (
    Framework,
    LibraryError,
    Problem,
    Requirement,
    check_library,
    framework_to_yaml,
    parse_ciso_assistant_library,
    parse_framework,
)

from .samples import CISO_LIBRARY


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_framework_metadata_and_locales() -> None:
    framework = parse_ciso_assistant_library("tiny.yaml", CISO_LIBRARY)
    assert framework.id == "tiny-clinic"
    assert framework.urn == "urn:hygie:framework:tiny-clinic"
    assert framework.name == {
        "en": "Tiny clinic security baseline",
        "fr": "Socle de sécurité de la petite clinique",
    }
    assert framework.description == {
        "en": "Three chapters, made up.",
        "fr": "Trois chapitres, inventés.",
    }
    assert framework.locales == ("en", "fr")
    assert framework.version == "3"
    assert framework.publication_date == "2026-02-01"
    assert framework.provider == "Example provider"
    assert framework.licence_note == "Made up for Hygie's tests"
    assert framework.source_name == "tiny.yaml"
    assert framework.attributes["source_format"] == "ciso-assistant"
    assert framework.attributes["source_urn"] == "urn:example:risk:framework:tiny-clinic"


def test_requirement_nodes_become_hygie_requirements() -> None:
    framework = parse_ciso_assistant_library("tiny.yaml", CISO_LIBRARY)
    assert [r.urn for r in framework.requirements] == [
        "urn:hygie:req:tiny-clinic:gov",
        "urn:hygie:req:tiny-clinic:gov.1",
        "urn:hygie:req:tiny-clinic:gov-2",
        "urn:hygie:req:tiny-clinic:ops",
        "urn:hygie:req:tiny-clinic:1.1",
    ]
    gov, gov1, gov2, ops, backups = framework.requirements
    assert not gov.assessable and gov1.assessable
    assert gov.title == {"en": "Governance", "fr": "Gouvernance"}
    assert gov1.parent == gov.urn
    assert gov1.ref_id == "GOV.1"
    assert gov1.title == {"en": "Security officer named", "fr": "Responsable sécurité désigné"}
    assert gov1.description == {
        "en": "Someone is in charge of security.",
        "fr": "Quelqu'un est chargé de la sécurité.",
    }
    assert gov1.attributes == {
        "source_urn": "urn:example:risk:req_node:tiny-clinic:gov.1",
        "annotation": "Ask for the appointment letter.",
        "implementation_groups": ("small", "large"),
    }
    assert gov1.verification_status == "unverified"
    assert gov1.line == line_of(CISO_LIBRARY, "tiny-clinic:gov.1")
    # No parent_urn: hung under the nearest shallower node by its depth; no name: its ref_id.
    assert gov2.parent == gov.urn
    # …and its title is in the main language only (a ref is the same in every language).
    assert gov2.title == {"en": "GOV 2", "fr": "GOV 2"}
    assert ops.ref_id == "ops" and ops.parent is None
    # An unquoted 1.10 is the number 1.1 in YAML: read as text, never a crash.
    assert backups.ref_id == "1.1" and backups.parent == ops.urn
    assert [r.urn for r in framework.children(ops.urn)] == [backups.urn]
    assert len(framework.assessable()) == 3


def test_same_refs_get_distinct_urns() -> None:
    text = CISO_LIBRARY.replace("ref_id: GOV.1", "ref_id: GOV")
    urns = [r.urn for r in parse_ciso_assistant_library("tiny.yaml", text).requirements]
    assert urns[:2] == ["urn:hygie:req:tiny-clinic:gov", "urn:hygie:req:tiny-clinic:gov-2"]
    assert len(set(urns)) == len(urns)


def problems(text: str) -> list[Problem]:
    with pytest.raises(LibraryError) as caught:
        parse_ciso_assistant_library("tiny.yaml", text)
    return caught.value.problems


def test_not_a_library() -> None:
    assert problems("- a\n") == [
        Problem("tiny.yaml", 1, "not a CISO Assistant library (a mapping with objects.framework)")
    ]
    assert problems("urn: x\nobjects:\n  risk_matrix: {}\n") == [
        Problem("tiny.yaml", 2, "no framework in this library (objects.framework)")
    ]
    text = "objects:\n  framework:\n    ref_id: X\n    requirement_nodes: []\n"
    assert problems(text) == [Problem("tiny.yaml", 4, "the framework has no requirement_nodes")]
    assert problems("a: [1\n")[0].message.startswith("not valid YAML")


def test_every_node_problem_with_its_line() -> None:
    text = (
        CISO_LIBRARY.replace(
            "parent_urn: urn:example:risk:req_node:tiny-clinic:ops",
            "parent_urn: urn:example:risk:req_node:tiny-clinic:nowhere",
        )
        .replace("urn: urn:example:risk:req_node:tiny-clinic:gov.2", "urn: ''")
        .replace(
            "urn: urn:example:risk:req_node:tiny-clinic:ops\n",
            "urn: urn:example:risk:req_node:tiny-clinic:gov\n",
        )
    )
    found = problems(text)
    assert [p.message for p in found] == [
        "requirement node without urn",
        "duplicate URN urn:example:risk:req_node:tiny-clinic:gov (first on line"
        f" {line_of(text, 'urn: urn:example:risk:req_node:tiny-clinic:gov')})",
        "parent_urn urn:example:risk:req_node:tiny-clinic:nowhere is not a node of this framework",
    ]
    second_gov = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() == "- urn: urn:example:risk:req_node:tiny-clinic:gov"
    ][1]
    assert [p.line for p in found] == [
        line_of(text, "urn: ''"),
        second_gov,
        line_of(text, "tiny-clinic:nowhere"),
    ]


def test_parent_cycle() -> None:
    text = CISO_LIBRARY.replace(
        "        assessable: false\n        depth: 1\n        ref_id: GOV\n",
        "        assessable: false\n        depth: 1\n        ref_id: GOV\n"
        "        parent_urn: urn:example:risk:req_node:tiny-clinic:gov.1\n",
    )
    (problem,) = problems(text)
    assert problem.message.startswith("parent cycle: ")
    assert problem.line == line_of(text, "urn: urn:example:risk:req_node:tiny-clinic:gov")


def test_only_languages_every_text_carries() -> None:
    # German names only one node: dropped everywhere. Without the French of one node, French too.
    framework = parse_ciso_assistant_library("tiny.yaml", CISO_LIBRARY)
    assert framework.locales == ("en", "fr")
    assert all("de" not in r.title for r in framework.requirements)
    text = CISO_LIBRARY.replace("          fr: {name: Exploitation}\n", "")
    framework = parse_ciso_assistant_library("tiny.yaml", text)
    assert framework.locales == ("en",)
    assert framework.name == {"en": "Tiny clinic security baseline"}
    assert all(set(r.title) == {"en"} for r in framework.requirements)


def test_converted_file_reads_back_as_the_same_framework() -> None:
    framework = parse_ciso_assistant_library("tiny.yaml", CISO_LIBRARY)
    text = framework_to_yaml(framework, "Converted for a test.\nSecond line.")
    assert text.startswith("# Converted for a test.\n# Second line.\nformat: hygie-framework/1\n")
    again = parse_framework("tiny-clinic.yaml", text)
    assert again.id == framework.id and again.locales == framework.locales
    assert again.name == framework.name and again.version == framework.version

    def without_lines(f: Framework) -> list[Requirement]:
        return [replace(r, line=None) for r in f.requirements]

    assert without_lines(again) == without_lines(framework)
    # A library file in its own right (French and English present).
    assert check_library({"frameworks/tiny-clinic.yaml": text}) == []


def test_regional_locale_codes_and_library_texts() -> None:
    text = (
        CISO_LIBRARY.replace("locale: en\n", "locale: en-GB\n")
        .replace("  fr:\n    name: Socle", "  fr_FR:\n    name: Socle")
        .replace("    description: Three chapters, made up.\n", "")
        .replace("        description: Trois chapitres, inventés.\n", "")
    )
    framework = parse_ciso_assistant_library("tiny.yaml", text)
    assert framework.locales == ("en", "fr")
    # The framework has no description: the library's, in both languages.
    assert framework.description == {
        "en": "A made-up baseline for tests.",
        "fr": "Un socle inventé pour les tests.",
    }
    (problem,) = problems(CISO_LIBRARY.replace("locale: en\n", "locale: english please\n"))
    assert problem == Problem("tiny.yaml", 2, "locale 'english please' is not a language code")
