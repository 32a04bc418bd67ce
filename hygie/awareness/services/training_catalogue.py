"""The shipped training catalogue (``hygie/awareness/training``): one Markdown file per module and
language, ``<slug>.<language>.md``, with YAML front matter holding the title, the summary, the
duration, the pass mark and the quiz. Images are small SVG files in ``training/images``.

Pure: reads files of the package and returns frozen values; no Django. The same quiz parser reads
the quiz stored on a ``TrainingModule`` (its JSON is :meth:`ModuleText.quiz_json`), so what the
catalogue checks is what a stored module is scored with (``engine.score_quiz``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.awareness.engine import AwarenessError, Question, Quiz
from hygie.lib.documents import DocumentError, Limits, load_yaml

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "training"
IMAGES_DIR = CATALOGUE_DIR / "images"
LANGUAGES = ("fr", "en")
# Shipped modules are short: 5 to 10 minutes each (issue 13).
MIN_MINUTES, MAX_MINUTES = 5, 10

_FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<language>[a-z]{2})\.md$")
_IMAGE_REF = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)\)")
IMAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.svg$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LIMITS = Limits(max_bytes=256 * 1024, max_depth=12, max_nodes=5_000)

_MODULE_KEYS = {"slug", "language", "title", "summary", "duration_minutes", "pass_mark", "quiz"}
_QUESTION_KEYS = {"id", "topic", "question", "multiple", "weight", "choices"}
_CHOICE_KEYS = {"id", "text", "correct", "explanation"}


class CatalogueError(AwarenessError):
    """A training module file (or a stored quiz) that does not follow the format."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    explanation: str
    correct: bool = False


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    topic: str
    text: str
    choices: tuple[Choice, ...]
    multiple: bool = False
    weight: int = 1

    @property
    def correct(self) -> frozenset[str]:
        return frozenset(choice.id for choice in self.choices if choice.correct)

    def engine_question(self) -> Question:
        return Question(
            self.id,
            self.topic,
            tuple(choice.id for choice in self.choices),
            self.correct,
            self.multiple,
            self.weight,
        )


@dataclass(frozen=True)
class ModuleText:
    """One module in one language, as shipped (or as stored)."""

    slug: str
    language: str
    title: str
    summary: str
    duration_minutes: int
    pass_mark: int  # percent
    questions: tuple[QuizQuestion, ...]
    body_markdown: str

    @property
    def images(self) -> tuple[str, ...]:
        return image_references(self.body_markdown)

    def quiz(self) -> Quiz:
        return engine_quiz(self.questions, self.pass_mark)

    def quiz_json(self) -> list[dict[str, Any]]:
        return quiz_json(self.questions)


def engine_quiz(questions: Sequence[QuizQuestion], pass_mark: int) -> Quiz:
    quiz = Quiz(tuple(q.engine_question() for q in questions), pass_mark / 100)
    quiz.check()
    return quiz


def quiz_json(questions: Sequence[QuizQuestion]) -> list[dict[str, Any]]:
    """The quiz as stored on a TrainingModule (and read back by :func:`parse_questions`)."""
    return [
        {
            "id": q.id,
            "topic": q.topic,
            "question": q.text,
            "multiple": q.multiple,
            "weight": q.weight,
            "choices": [
                {"id": c.id, "text": c.text, "correct": c.correct, "explanation": c.explanation}
                for c in q.choices
            ],
        }
        for q in questions
    ]


def image_references(markdown: str) -> tuple[str, ...]:
    """Names of the catalogue images a body shows (``![alt](images/name.svg)``)."""
    names = []
    for match in _IMAGE_REF.finditer(markdown):
        src = match.group("src")
        name = src.removeprefix("images/")
        if name not in names:
            names.append(name)
    return tuple(names)


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(f"{where}: a non-empty text is needed")
    return value.strip()


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise CatalogueError(f"{where}: an identifier of lowercase letters, digits, - or _")
    return value


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(extra)}")


def parse_questions(data: Any, where: str = "quiz") -> tuple[QuizQuestion, ...]:
    """Questions from the front matter or from a stored TrainingModule.quiz; hostile input is
    refused with the place of the problem."""
    if not isinstance(data, list) or not data:
        raise CatalogueError(f"{where}: a list of questions is needed")
    questions = []
    for index, item in enumerate(data, 1):
        here = f"{where}, question {index}"
        if not isinstance(item, Mapping):
            raise CatalogueError(f"{here}: a mapping is needed")
        _unknown(item, _QUESTION_KEYS, here)
        multiple = item.get("multiple", False)
        weight = item.get("weight", 1)
        if not isinstance(multiple, bool):
            raise CatalogueError(f"{here}: 'multiple' is true or false")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10:
            raise CatalogueError(f"{here}: 'weight' is a whole number from 1 to 10")
        raw_choices = item.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise CatalogueError(f"{here}: at least two choices are needed")
        choices = []
        for position, raw in enumerate(raw_choices, 1):
            there = f"{here}, choice {position}"
            if not isinstance(raw, Mapping):
                raise CatalogueError(f"{there}: a mapping is needed")
            _unknown(raw, _CHOICE_KEYS, there)
            correct = raw.get("correct", False)
            if not isinstance(correct, bool):
                raise CatalogueError(f"{there}: 'correct' is true or false")
            choices.append(
                Choice(
                    _identifier(raw.get("id"), there),
                    _text(raw.get("text"), f"{there} text"),
                    _text(raw.get("explanation"), f"{there} explanation"),
                    correct,
                )
            )
        if len({c.id for c in choices}) != len(choices):
            raise CatalogueError(f"{here}: choice ids must be unique")
        questions.append(
            QuizQuestion(
                _identifier(item.get("id"), here),
                _identifier(item.get("topic", "general"), f"{here} topic"),
                _text(item.get("question"), f"{here} question"),
                tuple(choices),
                multiple,
                weight,
            )
        )
    try:
        engine_quiz(questions, 100)
    except AwarenessError as error:
        raise CatalogueError(f"{where}: {error}") from error
    return tuple(questions)


def parse_module(text: str, source: str = "module") -> ModuleText:
    """One ``<slug>.<language>.md`` file: front matter between ``---`` lines, then Markdown."""
    if not text.startswith("---\n"):
        raise CatalogueError(f"{source}: the file starts with a '---' front matter line")
    try:
        front, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise CatalogueError(f"{source}: the front matter is not closed by '---'") from None
    try:
        data = load_yaml(front, source, limits=_LIMITS).data
    except DocumentError as error:
        raise CatalogueError(f"{source}: {error}") from error
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{source}: the front matter is a mapping")
    _unknown(data, _MODULE_KEYS, source)
    language = data.get("language")
    if language not in LANGUAGES:
        raise CatalogueError(f"{source}: language is one of {', '.join(LANGUAGES)}")
    duration = data.get("duration_minutes")
    if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 120:
        raise CatalogueError(f"{source}: duration_minutes is a whole number of minutes")
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        raise CatalogueError(f"{source}: pass_mark is a percentage from 1 to 100")
    body = body.strip()
    if not body:
        raise CatalogueError(f"{source}: the module has no text")
    return ModuleText(
        slug=_slug(data.get("slug"), source),
        language=language,
        title=_text(data.get("title"), f"{source} title"),
        summary=_text(data.get("summary"), f"{source} summary"),
        duration_minutes=duration,
        pass_mark=pass_mark,
        questions=parse_questions(data.get("quiz"), f"{source} quiz"),
        body_markdown=body + "\n",
    )


def _slug(value: Any, source: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise CatalogueError(f"{source}: slug is lowercase words joined by '-'")
    if len(value) > 80:
        raise CatalogueError(f"{source}: slug is at most 80 characters")
    return value


def load_catalogue(directory: Path = CATALOGUE_DIR) -> tuple[ModuleText, ...]:
    """Every shipped module in every language, checked as a whole: file names match their front
    matter, each slug exists in every language with the same questions and correct answers,
    durations are 5–10 minutes and the images exist."""
    modules: list[ModuleText] = []
    for path in sorted(directory.glob("*.md")):
        if path.name == "README.md":
            continue
        match = _FILE_NAME.match(path.name)
        if not match:
            raise CatalogueError(f"{path.name}: the file name is <slug>.<language>.md")
        module = parse_module(path.read_text(encoding="utf-8"), path.name)
        if (module.slug, module.language) != (match["slug"], match["language"]):
            raise CatalogueError(f"{path.name}: slug or language differs from the file name")
        if not MIN_MINUTES <= module.duration_minutes <= MAX_MINUTES:
            raise CatalogueError(f"{path.name}: a shipped module takes 5 to 10 minutes")
        for image in module.images:
            if not IMAGE_NAME.match(image) or not (directory / "images" / image).is_file():
                raise CatalogueError(f"{path.name}: image '{image}' is not in images/")
        modules.append(module)
    by_slug: dict[str, dict[str, ModuleText]] = {}
    for module in modules:
        by_slug.setdefault(module.slug, {})[module.language] = module
    for slug, versions in by_slug.items():
        missing = [language for language in LANGUAGES if language not in versions]
        if missing:
            raise CatalogueError(f"{slug}: no text in {', '.join(missing)}")
        shapes = {_shape(module) for module in versions.values()}
        if len(shapes) != 1:
            raise CatalogueError(f"{slug}: the languages differ in questions or answers")
    return tuple(modules)


def _shape(module: ModuleText) -> tuple[object, ...]:
    return (
        module.pass_mark,
        module.images,
        tuple(
            (q.id, q.topic, q.multiple, q.weight, tuple(c.id for c in q.choices), q.correct)
            for q in module.questions
        ),
    )


def catalogue_image(name: str, directory: Path = CATALOGUE_DIR) -> bytes | None:
    """The bytes of a shipped image, or None for any other name (no path is ever joined from
    outside input without the strict name pattern)."""
    if not IMAGE_NAME.match(name):
        return None
    path = directory / "images" / name
    return path.read_bytes() if path.is_file() else None
