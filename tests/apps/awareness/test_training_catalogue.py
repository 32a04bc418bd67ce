"""The shipped training catalogue: every module in French and English, 5–10 minutes, a
well-formed quiz scored by the engine, a pass mark, images shipped, French typography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hygie.awareness.engine import score_quiz
from hygie.awareness.services.training_catalogue import (
    CATALOGUE_DIR,
    IMAGES_DIR,
    CatalogueError,
    catalogue_image,
    load_catalogue,
    parse_module,
    parse_questions,
)

EXPECTED = {
    "spotting-phishing",
    "passwords-cps",
    "removable-media",
    "phone-social-engineering",
    "patient-data-gdpr",
    "reporting-incidents",
    "degraded-mode",
    "medical-devices",
}
CATALOGUE = load_catalogue()


def test_every_module_exists_in_both_languages():
    pairs = {(m.slug, m.language) for m in CATALOGUE}
    assert pairs == {(slug, lang) for slug in EXPECTED for lang in ("fr", "en")}


@pytest.mark.parametrize("module", CATALOGUE, ids=lambda m: f"{m.slug}.{m.language}")
def test_module_quiz_is_well_formed_and_scored_by_the_engine(module):
    assert 5 <= module.duration_minutes <= 10
    assert 50 <= module.pass_mark <= 100
    assert len(module.questions) >= 4
    assert any(q.multiple for q in module.questions)
    quiz = module.quiz()
    right = {q.id: q.correct for q in module.questions}
    assert score_quiz(quiz, right).passed
    assert score_quiz(quiz, right).score == 1
    assert not score_quiz(quiz, {}).passed
    # ticking every box of a multiple-answer question is not a right answer
    greedy = {q.id: {c.id for c in q.choices} for q in module.questions}
    assert not score_quiz(quiz, greedy).passed
    for question in module.questions:
        assert all(choice.explanation for choice in question.choices)
    # the stored JSON reads back the same
    assert parse_questions(module.quiz_json()) == module.questions


@pytest.mark.parametrize("module", CATALOGUE, ids=lambda m: f"{m.slug}.{m.language}")
def test_reading_time_fits_the_duration(module):
    words = len(module.body_markdown.split()) + sum(
        len(q.text.split()) + sum(len(c.text.split()) for c in q.choices) for q in module.questions
    )
    # about 150 words a minute for careful reading, plus the quiz
    assert 300 <= words <= 150 * module.duration_minutes, words


@pytest.mark.parametrize(
    "module", [m for m in CATALOGUE if m.language == "fr"], ids=lambda m: m.slug
)
def test_french_typography(module):
    texts = [module.title, module.summary, module.body_markdown]
    for question in module.questions:
        texts.append(question.text)
        for choice in question.choices:
            texts += [choice.text, choice.explanation]
    for text in texts:
        prose = re.sub(r"`[^`]*`|\]\([^)]*\)", "", text)  # code and link targets
        assert not re.search(r"[ \t\n][:;?»]|[ \t]!", prose), text[:80]
        assert not re.search(r"«[ \t\n]", prose), text[:80]
        assert not re.search(r"\b(tu|toi|tes|ta)\b", prose, re.IGNORECASE), text[:80]


def test_images_are_shipped_small_svg_without_scripts_or_outside_references():
    used = {image for m in CATALOGUE for image in m.images}
    shipped = {p.name for p in IMAGES_DIR.glob("*.svg")}
    assert used == shipped
    for name in shipped:
        content = catalogue_image(name)
        assert content is not None and len(content) < 8_000
        text = content.decode()
        assert text.lstrip().startswith("<svg")
        assert "<script" not in text and "href" not in text and "on" + "load" not in text
    assert catalogue_image("../training_catalogue.py") is None
    assert catalogue_image("missing.svg") is None


HEADER = """---
slug: demo
language: en
title: "Demo"
summary: "Demo module."
duration_minutes: 5
pass_mark: 80
quiz:
"""


@pytest.mark.parametrize(
    ("quiz", "message"),
    [
        ("  []\n", "list of questions"),
        (
            "  - id: q1\n    question: 'Q?'\n    choices:\n      - {id: a, text: A, "
            "explanation: x, correct: true}\n",
            "two choices",
        ),
        (
            "  - id: q1\n    question: 'Q?'\n    choices:\n      - {id: a, text: A, "
            "explanation: x}\n      - {id: b, text: B, explanation: y}\n",
            "correct answer",
        ),
        (
            "  - id: q1\n    question: 'Q?'\n    choices:\n      - {id: a, text: A, "
            "explanation: x, correct: true}\n      - {id: b, text: B, explanation: y, "
            "correct: true}\n",
            "several answers",
        ),
        (
            "  - id: q1\n    question: 'Q?'\n    choices:\n      - {id: a, text: A, "
            "correct: true}\n      - {id: b, text: B, explanation: y}\n",
            "explanation",
        ),
        (
            "  - id: q1\n    question: 'Q?'\n    script: x\n    choices:\n      - {id: a, "
            "text: A, explanation: x, correct: true}\n      - {id: b, text: B, explanation: y}\n",
            "unknown key",
        ),
    ],
)
def test_malformed_quizzes_are_refused_with_a_reason(quiz, message):
    with pytest.raises(CatalogueError, match=message):
        parse_module(HEADER + quiz + "---\n# Body\n", "demo.en.md")


@pytest.mark.parametrize(
    "text",
    ["no front matter", "---\nslug: x\n", "---\n&a [1]\n---\nbody", "---\n[1, 2]\n---\nbody"],
)
def test_broken_files_are_refused(text):
    with pytest.raises(CatalogueError):
        parse_module(text, "x.en.md")


def test_a_pass_mark_is_required():
    with pytest.raises(CatalogueError, match="pass_mark"):
        parse_module(HEADER.replace("pass_mark: 80\n", "") + "  []\n---\nx", "demo.en.md")


def test_a_module_missing_a_language_fails_the_catalogue(tmp_path: Path):
    source = CATALOGUE_DIR / "removable-media.en.md"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "usb-media.svg").write_bytes((IMAGES_DIR / "usb-media.svg").read_bytes())
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="no text in fr"):
        load_catalogue(tmp_path)
