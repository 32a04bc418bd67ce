"""Bilingual texts as data: the engines are pure (no gettext), so what they write for people
carries its French and English wording side by side and the caller picks the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LANGUAGES = ("fr", "en")


def language_of(language: str | None) -> str:
    """``en`` for any English tag (``en``, ``en-US``), else ``fr``: Hygie is French-first."""
    return "en" if language and language.lower().startswith("en") else "fr"


@dataclass(frozen=True)
class LocalizedText:
    """A text in French and English; an empty language falls back to the other one."""

    fr: str
    en: str

    @classmethod
    def same(cls, text: str) -> LocalizedText:
        """A text that does not change with the language (an id, a number, a name)."""
        return cls(text, text)

    def get(self, language: str | None) -> str:
        if language_of(language) == "en":
            return self.en or self.fr
        return self.fr or self.en

    def to_dict(self) -> dict[str, str]:
        return {"fr": self.fr, "en": self.en}

    def __add__(self, other: LocalizedText) -> LocalizedText:
        return LocalizedText(self.fr + other.fr, self.en + other.en)

    def join(self, parts: Iterable[LocalizedText]) -> LocalizedText:
        """``parts`` joined by this text, in each language (like ``str.join``)."""
        items = list(parts)
        return LocalizedText(self.fr.join(p.fr for p in items), self.en.join(p.en for p in items))


def text(fr: str, en: str) -> LocalizedText:
    """Shorthand for the many literal texts of the rules."""
    return LocalizedText(fr, en)
