"""Facts from YAML text: the format crisis cells write by hand. Text in, facts out; no file access.

The document is composed once with PyYAML's safe loader (the loader behind ``yaml.safe_load``), so
that the same parse gives both the values and the line of every key for error messages.
"""

from __future__ import annotations

from typing import Any

import yaml

from hygie.lib.errors import Location
from hygie.response.engine.errors import FactProblem, FactsError
from hygie.response.engine.facts import Facts
from hygie.response.engine.parsing import parse_facts

# A facts file is a few hundred bytes; the cap bounds the memory a hostile file can claim.
MAX_FACTS_BYTES = 64 * 1024
# establishment/incident → field → residents_by_state → State: deeper levels are never read.
_MAX_KEY_DEPTH = 3


def _key_lines(node: yaml.Node, prefix: str, depth: int,
               lines: dict[str, int], problems: list[FactProblem], source: str | None) -> None:
    """Record the 1-based line of every mapping key, and flag keys given twice.

    ``yaml.safe_load`` keeps the last of two equal keys silently; in a facts file that hides a
    contradiction (two categories, two discovery times), so it is an error here.
    """
    if not isinstance(node, yaml.MappingNode) or depth > _MAX_KEY_DEPTH:
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        path = f"{prefix}{key_node.value}"
        line = key_node.start_mark.line + 1
        if path in lines:
            problems.append(FactProblem(path, f"key given twice (first on line {lines[path]})",
                                        Location(source, line)))
            continue
        lines[path] = line
        _key_lines(value_node, f"{path}.", depth + 1, lines, problems, source)


def _compose(text: str, source: str | None) -> tuple[Any, dict[str, int], list[FactProblem]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[str, int] = {}
        problems: list[FactProblem] = []
        _key_lines(node, "", 1, lines, problems, source)
        return loader.construct_document(node), lines, problems
    finally:
        loader.dispose()


def facts_from_yaml(text: str, source: str | None = None) -> Facts:
    """Parse a YAML facts document; raise :class:`FactsError` listing every problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FACTS_BYTES:
        raise FactsError([FactProblem("(document)", f"larger than {MAX_FACTS_BYTES} bytes",
                                      Location(source))], source)
    try:
        data, lines, duplicates = _compose(text, source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        location = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise FactsError([FactProblem("(document)", f"not valid YAML: {error.problem}",
                                      location)], source) from None
    except yaml.YAMLError:
        raise FactsError([FactProblem("(document)", "not valid YAML", Location(source))],
                         source) from None
    except RecursionError:
        raise FactsError([FactProblem("(document)", "nested too deeply", Location(source))],
                         source) from None
    try:
        facts = parse_facts(data, lines=lines, source=source)
    except FactsError as error:
        raise FactsError([*duplicates, *error.problems], source) from None
    if duplicates:
        raise FactsError(duplicates, source)
    return facts
