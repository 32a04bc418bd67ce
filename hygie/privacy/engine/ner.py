"""Optional NER mode: person names in free text from a spaCy model installed as a package.

``spacy.load(name)`` only loads an installed model package; nothing is downloaded at run time.
The default (fast) mode never imports spaCy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.util import find_spec
from typing import Any

from hygie.privacy.engine.errors import NERUnavailableError

# (text, regions to read) -> person spans; regions keep NER off markup (XML tags, HL7).
NERFunction = Callable[[str, Sequence[tuple[int, int]]], list[tuple[int, int]]]

_PERSON_LABELS = frozenset({"PER", "PERSON"})
_CHUNK = 100_000  # spaCy's default max_length is 1,000,000; small chunks bound memory


def load_ner(model: str) -> NERFunction:
    """Load ``model`` (e.g. ``fr_core_news_sm``) and return a text → person spans function."""
    if find_spec(model) is None:  # answer before importing spaCy, which takes seconds
        raise NERUnavailableError(
            f"spaCy model {model!r} is not installed (install its package, e.g. fr-core-news-sm)"
        )
    try:
        import spacy
    except ImportError as error:
        raise NERUnavailableError("NER mode needs spaCy: pip install spacy and a model") from error
    try:
        nlp: Any = spacy.load(
            model,
            exclude=[
                "parser",
                "lemmatizer",
                "tagger",
                "morphologizer",
                "attribute_ruler",
                "senter",
            ],
        )
    except OSError as error:
        raise NERUnavailableError(
            f"spaCy model {model!r} is not installed (install its package, e.g. fr-core-news-sm)"
        ) from error

    def persons(text: str, regions: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        chunks = [
            (base, min(base + _CHUNK, end))
            for start, end in (regions or [(0, len(text))])
            for base in range(start, end, _CHUNK)
        ]
        spans: list[tuple[int, int]] = []
        for (base, _), doc in zip(chunks, nlp.pipe(text[s:e] for s, e in chunks), strict=True):
            spans.extend(
                (base + ent.start_char, base + ent.end_char)
                for ent in doc.ents
                if ent.label_ in _PERSON_LABELS
            )
        return spans

    return persons
