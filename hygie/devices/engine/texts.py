"""Explanations that can be read in any interface language (decision 0041).

The engine cannot import Django, so it cannot translate: it says *what* to write. A
:class:`Text` is an English msgid with ``%(name)s`` placeholders, marked for the catalogue with
:func:`gettext_noop`, and its values; a value is data as found (a version, a CPE name, an
advisory id: never translated), a number, another :class:`Text` (a reason inside a sentence) or a
tuple of them (clauses, joined with :data:`CLAUSES`). ``str(text)`` is the English sentence (the
``why`` of the CLI's JSON); ``text.render(gettext)`` the sentence in the active language;
``as_json`` / ``from_json`` what the platform stores to render it later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_DEPTH = 32


def gettext_noop(message: str) -> str:
    """Marks ``message`` as a msgid for ``makemessages`` (which reads the name); returns it."""
    return message


# Two clauses of an explanation, one after the other ("…; …"): French puts a narrow no-break
# space before the semicolon, hence a msgid of its own.
CLAUSES = gettext_noop("%(clause)s; %(next)s")


def _same(message: str) -> str:
    return message


@dataclass(frozen=True, slots=True)
class Text:
    """A msgid and its values (kept as a tuple of pairs: hashable and immutable)."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self, translate: Callable[[str], str] = _same) -> str:
        """The sentence, each msgid passed through ``translate`` (identity: English)."""
        return _render(self, translate, 0)

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> dict[str, Any]:
        """``{"m": msgid, "p": {name: value}}``, values as JSON (texts nested the same way, a
        list for clauses)."""
        return {"m": self.msgid, "p": {name: _json(value) for name, value in self.params}}

    @classmethod
    def from_json(cls, data: Any, depth: int = 0) -> Text | None:
        """The text stored by :meth:`as_json`; ``None`` for anything else (an older row)."""
        if depth > MAX_DEPTH or not isinstance(data, Mapping):
            return None
        msgid, params = data.get("m"), data.get("p")
        if not isinstance(msgid, str) or not isinstance(params, Mapping):
            return None
        values: list[tuple[str, Any]] = []
        for name, value in params.items():
            read = _from_json(value, depth + 1)
            if read is _INVALID:
                return None
            values.append((str(name), read))
        return cls(msgid, tuple(values))


def text(msgid: str, **params: Any) -> Text:
    """``text(gettext_noop("version %(version)r is %(fixed)s"), version=…, fixed=…)``."""
    return Text(msgid, tuple(params.items()))


def clauses(*parts: Text | str | None) -> Text | str:
    """The parts joined as clauses ("a; b; c"), empty parts left out."""
    kept = tuple(part for part in parts if part)
    if len(kept) == 1:
        return kept[0]
    return Text("", (("", kept),))


def listing(parts: Iterable[Text | str]) -> Text:
    """The parts as a list ("a, b, c", the same in every language)."""
    return Text("", ((", ", tuple(parts)),))


_INVALID = object()


def _json(value: Any) -> Any:
    if isinstance(value, Text):
        return value.as_json()
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    return value


def _from_json(value: Any, depth: int) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        items = tuple(_from_json(item, depth + 1) for item in value[:1000])
        return _INVALID if any(item is _INVALID for item in items) else items
    read = Text.from_json(value, depth)
    return _INVALID if read is None else read


def _value(value: Any, translate: Callable[[str], str], depth: int) -> Any:
    if type(value) is str:  # the most common value: data as found
        return value
    if isinstance(value, Text):
        return _render(value, translate, depth + 1)
    if isinstance(value, tuple):
        return _join(value, translate, depth + 1)
    return value


def _join(parts: tuple[Any, ...], translate: Callable[[str], str], depth: int) -> str:
    rendered = [
        done
        for done in (
            _render(part, translate, depth + 1)
            if type(part) is Text
            else str(_value(part, translate, depth))
            for part in parts
        )
        if done
    ]
    if len(rendered) < 2:
        return rendered[0] if rendered else ""
    separator = _separator(translate(CLAUSES))
    if separator is not None:
        return separator.join(rendered)
    # A translation that is not "<clause><separator><next>": folded pair by pair.
    template = translate(CLAUSES)
    joined = rendered[-1]
    for part in reversed(rendered[:-1]):
        joined = _fill(template, {"clause": part, "next": joined}) or f"{part}; {joined}"
    return joined


@lru_cache(maxsize=64)
def _separator(template: str) -> str | None:
    """What stands between two clauses in ``template`` (None when it adds more around them)."""
    filled = _fill(template, {"clause": "\x00", "next": "\x01"})
    if filled.startswith("\x00") and filled.endswith("\x01") and filled.count("\x00") == 1:
        return filled[1:-1]
    return None


def _fill(template: str, values: Mapping[str, Any]) -> str:
    if not values:
        return template
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return ""


def _render(message: Text, translate: Callable[[str], str], depth: int) -> str:
    if depth > MAX_DEPTH:
        return ""
    if not message.msgid:  # clauses (no name) or a list (named by its separator)
        if message.params and message.params[0][0]:
            separator, parts = message.params[0]
            rendered = (str(_value(part, translate, depth)) for part in parts)
            return separator.join(part for part in rendered if part)
        return _join(tuple(v for _name, v in message.params), translate, depth)
    values = {
        name: value if type(value) is str else _value(value, translate, depth)
        for name, value in message.params
    }
    english = _fill(message.msgid, values) or message.msgid
    if translate is _same:
        return english
    return _fill(translate(message.msgid), values) or english
