"""Facts from YAML text: the format crisis cells write by hand. Text in, facts out; no file access.

The document goes through the platform's hardened loader (``hygie.lib.documents``): one parse
gives both the values and the line of every key for error messages.
"""

from __future__ import annotations

from hygie.lib import documents
from hygie.response.engine.errors import FactProblem, FactsError
from hygie.response.engine.facts import Facts
from hygie.response.engine.parsing import parse_facts

# A facts file is a few hundred bytes; the cap bounds the memory a hostile file can claim.
MAX_FACTS_BYTES = 64 * 1024
# establishment/incident → field → residents_by_state → State: the format nests three levels.
FACTS_LIMITS = documents.Limits(max_bytes=MAX_FACTS_BYTES, max_depth=8, max_nodes=5_000)


def facts_from_yaml(text: str, source: str | None = None) -> Facts:
    """Parse a YAML facts document; raise :class:`FactsError` listing every problem.

    ``yaml.safe_load`` would keep the last of two equal keys silently; in a facts file that hides
    a contradiction (two categories, two discovery times), so the loader refuses it.
    """
    duplicates: list[FactProblem] = []
    try:
        document = documents.load_yaml(text, source, FACTS_LIMITS)
    except documents.DocumentError as error:
        duplicates = [
            FactProblem(
                documents.dotted_path(problem.path) or "(document)",
                problem.message,
                problem.location,
            )
            for problem in error.problems
        ]
        if not error.documents:
            raise FactsError(duplicates, source) from None
        # Only duplicate keys: report them with every other problem of the document.
        document = error.documents[0]
    try:
        facts = parse_facts(document.data, lines=document.dotted_lines(), source=source)
    except FactsError as error:
        raise FactsError([*duplicates, *error.problems], source) from None
    if duplicates:
        raise FactsError(duplicates, source)
    return facts
