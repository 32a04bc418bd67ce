"""Starter lures (``hygie/awareness/library/*.yaml``): strict validation and rendering.

A lure is one simulated phishing mail in French and English: subject, sender display, HTML and
text bodies, a landing page and the "teachable moment" clues (the red flags of that very mail,
explained). Every problem is reported at once, located at the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hygie.lib.documents import Document, DocumentError, Limits, load_yaml
from hygie.lib.errors import Location

from .errors import AwarenessError
from .templates import LandingPage, MailTemplate, placeholders

LANGUAGES = ("fr", "en")
_LIMITS = Limits(max_bytes=256 * 1024, max_depth=10, max_nodes=5_000)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")
_TOP = {"id", "topic", "difficulty", "languages"}
_LANGUAGE_KEYS = {"subject", "sender_name", "html", "text", "landing", "clues"}
_LANDING_KEYS = {"title", "html"}
_CLUE_KEYS = {"title", "explanation"}


@dataclass(frozen=True)
class Clue:
    title: str
    explanation: str


@dataclass(frozen=True)
class LureVersion:
    template: MailTemplate
    landing: LandingPage
    landing_title: str
    clues: tuple[Clue, ...]


@dataclass(frozen=True)
class Lure:
    id: str
    topic: str
    difficulty: int
    versions: Mapping[str, LureVersion]


class LureError(AwarenessError):
    """A lure file with problems; ``problems`` lists them all (message, location)."""

    def __init__(self, problems: list[tuple[str, Location]]) -> None:
        super().__init__(problems[0][0], problems[0][1])
        self.problems = tuple(problems)


def _keys(
    value: Any, allowed: set[str], path: tuple[str | int, ...], doc: Document,
    problems: list[tuple[str, Location]],
) -> bool:  # fmt: skip
    if not isinstance(value, dict):
        problems.append(("expected a mapping", doc.location(path)))
        return False
    for key in sorted(set(value) - allowed, key=str):
        problems.append((f"unknown key '{key}'", doc.location((*path, key))))
    for key in sorted(allowed - set(value)):
        problems.append((f"missing key '{key}'", doc.location(path)))
    return True


def _string(
    value: Any, path: tuple[str | int, ...], doc: Document, problems: list[tuple[str, Location]]
) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(("expected non-empty text", doc.location(path)))
        return ""
    try:
        placeholders(value)
    except AwarenessError as error:
        problems.append((error.message, doc.location(path)))
    return value


def parse_lure(text: str | bytes, source: str = "lure.yaml") -> Lure:
    """Read one lure file; raises ``LureError`` listing every problem."""
    try:
        doc = load_yaml(text, source, _LIMITS)
    except DocumentError as error:
        raise LureError([(p.message, p.location) for p in error.problems]) from None
    problems: list[tuple[str, Location]] = []
    data = doc.data
    if not _keys(data, _TOP, (), doc, problems):
        raise LureError(problems)
    lure_id = data.get("id")
    if not isinstance(lure_id, str) or not _ID.match(lure_id):
        problems.append(
            ("'id' must be lower-case letters, digits and dashes", doc.location(("id",)))
        )
    topic = _string(data.get("topic"), ("topic",), doc, problems)
    difficulty = data.get("difficulty")
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 5:
        problems.append(("'difficulty' must be 1 to 5", doc.location(("difficulty",))))
    versions: dict[str, LureVersion] = {}
    languages = data.get("languages")
    if _keys(languages, set(LANGUAGES), ("languages",), doc, problems):
        for language in LANGUAGES:
            path: tuple[str | int, ...] = ("languages", language)
            entry = languages.get(language)
            if entry is None or not _keys(entry, _LANGUAGE_KEYS, path, doc, problems):
                continue
            values = {k: _string(entry.get(k), (*path, k), doc, problems) for k in
                      ("subject", "sender_name", "html", "text")}  # fmt: skip
            for body in ("html", "text"):
                if values[body] and "tracking_link" not in _safe_names(values[body]):
                    problems.append(
                        ("the body has no {{ tracking_link }}", doc.location((*path, body)))
                    )
            landing = entry.get("landing")
            title = html = ""
            if _keys(landing, _LANDING_KEYS, (*path, "landing"), doc, problems):
                title = _string(landing.get("title"), (*path, "landing", "title"), doc, problems)
                html = _string(landing.get("html"), (*path, "landing", "html"), doc, problems)
            clues: list[Clue] = []
            found = entry.get("clues")
            if not isinstance(found, list) or len(found) < 2:
                problems.append(("at least two clues are needed", doc.location((*path, "clues"))))
                found = found if isinstance(found, list) else []
            for index, clue in enumerate(found):
                where = (*path, "clues", index)
                if _keys(clue, _CLUE_KEYS, where, doc, problems):
                    clues.append(
                        Clue(
                            _string(clue.get("title"), (*where, "title"), doc, problems),
                            _string(
                                clue.get("explanation"), (*where, "explanation"), doc, problems
                            ),
                        )
                    )
            versions[language] = LureVersion(
                MailTemplate(
                    str(lure_id),
                    values["subject"],
                    values["html"],
                    values["text"],
                    sender_name=values["sender_name"],
                ),
                LandingPage(str(lure_id), html),
                title,
                tuple(clues),
            )
    if problems:
        raise LureError(problems)
    return Lure(str(lure_id), topic, int(difficulty), versions)


def _safe_names(text: str) -> frozenset[str]:
    try:
        return placeholders(text)
    except AwarenessError:
        return frozenset()
