"""Plain-Python evaluation of single value tests, for the tests hyperscan cannot take.

Every function here builds a closure once per (field, test); the closures run per event, so they
avoid allocation on the common path (a string field) and never raise on odd values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from ipaddress import ip_address
from typing import Any

from .expressions import (
    BoolTest,
    CIDRTest,
    CompareTest,
    ExistsTest,
    FieldRefTest,
    NullTest,
    NumberTest,
    RegexTest,
    StringTest,
    TimePartTest,
    ValueTest,
    Wildcard,
)

Event = Mapping[str, Any]
EventPredicate = Callable[[Event], bool]
TextPredicate = Callable[[str], bool]


def texts(value: Any) -> Iterator[str]:
    """The texts a field value is matched as: a list matches when any of its items does."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, list | tuple):
        for item in value:
            if not isinstance(item, list | tuple | dict):
                yield from texts(item)


def text_matcher(test: StringTest) -> TextPredicate:
    """A predicate on one text (already lower-cased unless the test is cased)."""
    parts = test.parts
    literal = test.literal
    if literal is not None:
        return literal.__eq__
    inner = parts[1:-1]
    if len(parts) == 2 and isinstance(parts[0], str) and parts[1] is Wildcard.MANY:
        return _startswith(parts[0])
    if len(parts) == 2 and parts[0] is Wildcard.MANY and isinstance(parts[1], str):
        return _endswith(parts[1])
    if (
        len(parts) == 3
        and parts[0] is Wildcard.MANY
        and parts[2] is Wildcard.MANY
        and isinstance(parts[1], str)
    ):
        needle = parts[1]
        return lambda text: needle in text
    if parts == (Wildcard.MANY,) or (not inner and all(p is Wildcard.MANY for p in parts)):
        return lambda text: True
    regex = re.compile(glob_to_regex(test), re.DOTALL)
    return lambda text: regex.fullmatch(text) is not None


def _startswith(prefix: str) -> TextPredicate:
    return lambda text: text.startswith(prefix)


def _endswith(suffix: str) -> TextPredicate:
    return lambda text: text.endswith(suffix)


def glob_to_regex(test: StringTest) -> str:
    """Python regex (for fullmatch, DOTALL) equivalent to a Sigma string with wildcards."""
    out = []
    for part in test.parts:
        if part is Wildcard.MANY:
            out.append(".*")
        elif part is Wildcard.ONE:
            out.append(".")
        else:
            out.append(re.escape(str(part)))
    return "".join(out)


def field_predicate(field: str, test: ValueTest) -> EventPredicate:
    """A predicate on the whole event for a test on ``field``."""
    if isinstance(test, StringTest):
        return _on_texts(field, text_matcher(test), lower=not test.cased)
    if isinstance(test, NumberTest):
        return _on_texts(field, test.text.__eq__, lower=True)
    if isinstance(test, BoolTest):
        return _on_texts(field, ("true" if test.value else "false").__eq__, lower=True)
    if isinstance(test, NullTest):
        return lambda event: event.get(field) is None
    if isinstance(test, ExistsTest):
        expected = test.expected
        return lambda event: (field in event) is expected
    if isinstance(test, RegexTest):
        search = re.compile(test.pattern, test.flags).search
        return _on_texts(field, lambda text: search(text) is not None, lower=False)
    if isinstance(test, CIDRTest):
        return _on_texts(field, _in_network(test), lower=False)
    if isinstance(test, CompareTest):
        return _compare(field, test)
    if isinstance(test, FieldRefTest):
        return _field_reference(field, test)
    return _time_part(field, test)


def keyword_predicate(test: ValueTest) -> EventPredicate:
    """A fieldless test the prefilter does not index (regex, boolean): any value passes it.

    Keyword strings and numbers are substrings and go through the prefilter instead.
    """
    match: TextPredicate
    if isinstance(test, RegexTest):
        search = re.compile(test.pattern, test.flags).search
        lower = False

        def match(text: str) -> bool:
            return search(text) is not None

    elif isinstance(test, BoolTest):
        expected = "true" if test.value else "false"
        lower = True

        def match(text: str) -> bool:
            return text == expected

    else:
        return lambda event: False

    def predicate(event: Event) -> bool:
        for value in event.values():
            for text in texts(value):
                if match(text.lower() if lower else text):
                    return True
        return False

    return predicate


def _on_texts(field: str, match: TextPredicate, *, lower: bool) -> EventPredicate:
    def predicate(event: Event) -> bool:
        value = event.get(field)
        if value is None:
            return False
        if isinstance(value, str):
            return match(value.lower() if lower else value)
        for text in texts(value):
            if match(text.lower() if lower else text):
                return True
        return False

    return predicate


def _in_network(test: CIDRTest) -> TextPredicate:
    network = test.network

    def match(text: str) -> bool:
        try:
            return ip_address(text.strip()) in network
        except ValueError:
            return False

    return match


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and len(value) <= 64:
        try:
            return float(value.strip())
        except ValueError:
            # Hex is common in Windows events (ProcessId in 4688): accept 0x... as well.
            try:
                return float(int(value.strip(), 16)) if value.strip()[:2] in ("0x", "0X") else None
            except ValueError:
                return None
    return None


_COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "neq": lambda a, b: a != b,
}


def _compare(field: str, test: CompareTest) -> EventPredicate:
    compare = _COMPARATORS[test.op]
    bound = test.number

    def predicate(event: Event) -> bool:
        value = event.get(field)
        items = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            number = _number(item)
            if number is not None and compare(number, bound):
                return True
        return False

    return predicate


def _field_reference(field: str, test: FieldRefTest) -> EventPredicate:
    other = test.other
    starts, ends = test.starts_with, test.ends_with

    def predicate(event: Event) -> bool:
        left, right = event.get(field), event.get(other)
        if left is None or right is None:
            return False
        for a in texts(left):
            for b in texts(right):
                a_low, b_low = a.lower(), b.lower()
                if starts and ends:
                    hit = b_low in a_low
                elif starts:
                    hit = a_low.startswith(b_low)
                elif ends:
                    hit = a_low.endswith(b_low)
                else:
                    hit = a_low == b_low
                if hit:
                    return True
        return False

    return predicate


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 or Windows' ``2025-11-27 07:40:10.132``; None when the value is neither."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _time_part(field: str, test: TimePartTest) -> EventPredicate:
    part, number = test.part, test.number

    def predicate(event: Event) -> bool:
        moment = parse_timestamp(event.get(field))
        if moment is None:
            return False
        if part == "week":
            return moment.isocalendar().week == number
        return bool(getattr(moment, part) == number)

    return predicate
