"""One hardened loader for every YAML or JSON document Hygie accepts from outside.

Sigma rules, playbooks, exercise scenarios, incident facts and framework libraries are written by
people Hygie does not control, so a document is treated as hostile:

- **size**: refused above ``Limits.max_bytes`` before anything is parsed;
- **depth and node count**: counted while the parser streams events (libyaml when installed),
  so a deep or huge document is refused before a tree is built and never hits Python's recursion
  limit;
- **anchors and aliases** (``&name``, ``*name``) are refused: aliases are what makes a 500-byte
  "billion laughs" document expand to gigabytes, and no Hygie format (nor any SigmaHQ rule)
  needs them;
- **duplicate keys** are errors (``yaml.safe_load`` silently keeps the last one);
- **safe types only**: strings, numbers, booleans, null, dates, binary, lists and mappings, built
  as ``yaml.safe_load`` builds them; any other tag (``!!python/...``, ``!!set``, local tags) and
  merge keys (``<<``) are errors; ``json_types=True`` narrows them to JSON's (for a JSON Schema);
- **locations**: every value's line and column are kept in :attr:`Document.positions`, so
  validation errors point at the line of the offending key.

JSON goes through the same limits: a tokenizer measures depth, node count and duplicate keys and
records positions before :func:`json.loads` decodes the values.

Pure: text in, values out. No Django, no file access.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from hygie.lib.errors import HygieError, Location

# A path into a document: mapping keys (as written) and list indexes, from the root.
DocumentPath = tuple[str | int, ...]

# libyaml's parser is about three times faster than PyYAML's pure-Python one; both stream events.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Limits:
    """What a document may cost. Every format picks its own; the defaults suit a Sigma rule."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 100_000  # scalars, lists and mappings, over all documents of a stream
    max_documents: int = 1_000  # for multi-document YAML streams
    # Characters of one number (JSON) or int/float scalar (YAML). Python refuses to convert an
    # int of more than 4,300 digits to or from text (ValueError), and a YAML hex or sexagesimal
    # int is built without that check, then fails wherever it is printed: no real document
    # needs a thousand-digit number.
    max_number_chars: int = 1_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class DocumentProblem:
    """One reason a document was refused; ``path`` is where in the tree, when known."""

    message: str
    location: Location
    path: DocumentPath = ()


class DocumentError(HygieError):
    """A document that cannot be loaded. ``problems`` lists every problem found (at least one);
    the error's own message and location are the first one's.

    When the only problems are duplicate keys, the document could still be read (keeping each
    key's first value): it is in ``documents``, so that a validator can report its own problems
    together with the duplicates instead of one round trip each.
    """

    def __init__(
        self, problems: Sequence[DocumentProblem], documents: tuple[Document, ...] = ()
    ) -> None:
        first = problems[0]
        super().__init__(first.message, first.location)
        self.problems = tuple(problems)
        self.documents = documents


@dataclass(frozen=True)
class Document:
    """A loaded document: its value and the (line, column) where each value starts (1-based).

    The position of a mapping value is the position of its key, which is where people look.
    """

    data: Any
    source: str | None = None
    positions: Mapping[DocumentPath, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: Sequence[str | int] = ()) -> Location:
        """Where ``path`` is, or its nearest ancestor that was found (the file alone at worst)."""
        probe = tuple(path)
        while True:
            position = self.positions.get(probe)
            if position is not None:
                return Location(self.source, position[0], position[1])
            if not probe:
                return Location(self.source)
            probe = probe[:-1]

    def dotted_lines(self) -> dict[str, int]:
        """The line of each value keyed by a dotted path (``phases.triage.steps[2].title``)."""
        return {dotted_path(path): line for path, (line, _) in self.positions.items() if path}


def dotted_path(path: Sequence[str | int]) -> str:
    """``("steps", 2, "title")`` → ``steps[2].title``: the form validation messages use."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_yaml(
    text: str | bytes,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    json_types: bool = False,
) -> Document:
    """Load a single-document YAML text; an empty text gives ``Document(None)``.

    ``json_types`` gives only what JSON has, for validation against a JSON Schema: mapping keys
    are their text, dates stay text (``2026-01-02``, not a ``date``), ``!!binary`` is refused.
    """
    documents = _yaml_stream(text, source, limits, single=True, json_types=json_types)
    return documents[0] if documents else Document(None, source)


def load_yaml_all(
    text: str | bytes,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    json_types: bool = False,
) -> tuple[Document, ...]:
    """Load every document of a ``---``-separated YAML stream (Sigma rule collections)."""
    return _yaml_stream(text, source, limits, single=False, json_types=json_types)


def compose_yaml(
    text: str | bytes, source: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> yaml.Node | None:
    """The checked node tree of a single-document YAML text, for validators that need each
    scalar's tag and marks (playbooks refuse an unquoted ``1.0`` where text is expected)."""
    documents = _yaml_stream(text, source, limits, single=True, as_nodes=True)
    return documents[0].data if documents else None


def load_json(
    text: str | bytes, source: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Document:
    """Load a JSON text under the same limits (depth, nodes, duplicate keys, positions)."""
    decoded = _text(text, source, limits)
    positions = _JSONScanner(decoded, source, limits).scan()
    try:
        data = json.loads(decoded)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [
                DocumentProblem(
                    f"not valid JSON: {error.msg}", Location(source, error.lineno, error.colno)
                )
            ]
        ) from None
    except ValueError:  # a number Python will not convert (the scanner bounds their length)
        raise _problem("not valid JSON: a number that cannot be read", source) from None
    return Document(data, source, positions)


# ---------------------------------------------------------------------------------------------
# Shared checks


def _problem(
    message: str,
    source: str | None,
    line: int | None = None,
    column: int | None = None,
    path: DocumentPath = (),
) -> DocumentError:
    return DocumentError([DocumentProblem(message, Location(source, line, column), path)])


def _text(text: str | bytes, source: str | None, limits: Limits) -> str:
    """The document as a string, refused when larger than the limit (measured in UTF-8 bytes)."""
    too_large = f"larger than {limits.max_bytes} bytes"
    if isinstance(text, bytes):
        if len(text) > limits.max_bytes:
            raise _problem(too_large, source)
        try:
            return text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _problem(f"not UTF-8 (byte {error.start})", source) from None
    # A character is one to four bytes: only encode when the length alone cannot decide.
    if len(text) > limits.max_bytes or (
        len(text) * 4 > limits.max_bytes
        and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes
    ):
        raise _problem(too_large, source)
    return text


# ---------------------------------------------------------------------------------------------
# YAML


def _yaml_error(error: yaml.YAMLError, source: str | None, limits: Limits) -> DocumentError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "not valid YAML"
    if "maximum nesting depth" in problem:
        # libyaml's own bound (1,000 levels) can trip first: its scanner reads ahead.
        problem = f"nested deeper than {limits.max_depth} levels"
        return _problem(
            problem, source, mark.line + 1 if mark else None, mark.column + 1 if mark else None
        )
    if mark is None:
        return _problem(f"not valid YAML: {problem}", source)
    return _problem(f"not valid YAML: {problem}", source, mark.line + 1, mark.column + 1)


def _yaml_stream(
    text: str | bytes,
    source: str | None,
    limits: Limits,
    single: bool,
    as_nodes: bool = False,
    json_types: bool = False,
) -> tuple[Document, ...]:
    decoded = _text(text, source, limits)
    try:
        # The pure-Python reader checks characters up front and may already refuse the text.
        loader = _LOADER(decoded)
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, limits) from None
    try:
        composer = _Composer(loader, source, limits, as_nodes, json_types)
        documents = composer.stream(single)
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, limits) from None
    finally:
        loader.dispose()
    if composer.problems:
        raise DocumentError(composer.problems, documents)
    return documents


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_BINARY = "tag:yaml.org,2002:binary"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Scalars the safe constructor builds into plain values (``!!str`` is taken as is).
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
_NUMBER_TAGS = frozenset(("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))


def _unsupported(tag: str) -> str:
    short = tag.replace("tag:yaml.org,2002:", "!!")
    return f"the YAML tag {short[:100]} is not allowed (plain values, lists and mappings only)"


@dataclass
class _Open:
    """A collection being built: its value (or node), its path and, in a mapping, the pending
    key (its value, its text and its mark) and the line of every key seen."""

    value: Any
    path: DocumentPath
    is_mapping: bool
    key: Any = None
    key_text: str | None = None
    key_mark: Any = None
    seen: dict[Any, int] = field(default_factory=dict)


class _Composer:
    """PyYAML's composer and safe constructor in one iterative, bounded pass over the parser's
    events: counts depth and values as they stream, refuses aliases, unsupported tags and merge
    keys, collects duplicate keys and records every value's position. Builds plain values, or
    PyYAML nodes (``as_nodes``) for validators that inspect tags."""

    def __init__(
        self,
        loader: Any,
        source: str | None,
        limits: Limits,
        as_nodes: bool,
        json_types: bool = False,
    ) -> None:
        self.loader = loader
        self.source = source
        self.limits = limits
        self.as_nodes = as_nodes
        self.json_types = json_types
        self.nodes = 0
        self.problems: list[DocumentProblem] = []

    def fail(self, message: str, mark: Any, path: DocumentPath = ()) -> DocumentError:
        return _problem(message, self.source, mark.line + 1, mark.column + 1, path)

    def stream(self, single: bool) -> tuple[Document, ...]:
        loader = self.loader
        loader.get_event()  # StreamStartEvent
        documents: list[Document] = []
        while not loader.check_event(yaml.StreamEndEvent):
            if len(documents) >= (1 if single else self.limits.max_documents):
                message = (
                    "not valid YAML: a second document (---) where one is expected"
                    if single
                    else f"more than {self.limits.max_documents} documents"
                )
                raise self.fail(message, loader.peek_event().start_mark)
            loader.get_event()  # DocumentStartEvent
            documents.append(self.document())
            loader.get_event()  # DocumentEndEvent
        return tuple(documents)

    def document(self) -> Document:
        loader, limits, as_nodes = self.loader, self.limits, self.as_nodes
        positions: dict[DocumentPath, tuple[int, int]] = {}
        stack: list[_Open] = []
        while True:
            event = loader.get_event()
            kind = type(event)
            mark = event.start_mark
            if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                closed = stack.pop()
                if as_nodes:
                    closed.value.end_mark = event.end_mark
                if not stack:
                    return Document(closed.value, self.source, positions)
                continue
            if kind is yaml.AliasEvent or event.anchor is not None:
                raise self.fail("YAML anchors and aliases (&, *) are not allowed", mark)
            self.nodes += 1
            if self.nodes > limits.max_nodes:
                raise self.fail(f"more than {limits.max_nodes} values", mark)
            tag = event.tag
            opened: _Open | None = None
            value: Any
            if kind is yaml.ScalarEvent:
                if tag is None or tag == "!":
                    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                value = self.scalar(tag, event, stack[-1].path if stack else ())
            else:
                is_mapping = kind is yaml.MappingStartEvent
                if tag is None or tag == "!":
                    tag = _MAP if is_mapping else _SEQ
                if tag != (_MAP if is_mapping else _SEQ):
                    raise self.fail(_unsupported(tag), mark)
                if len(stack) >= limits.max_depth:
                    raise self.fail(f"nested deeper than {limits.max_depth} levels", mark)
                if as_nodes:
                    node_class = yaml.MappingNode if is_mapping else yaml.SequenceNode
                    value = node_class(tag, [], mark, None, flow_style=event.flow_style)
                else:
                    value = {} if is_mapping else []
                opened = _Open(value, (), is_mapping)
            if stack:
                path = self.attach(stack[-1], value, event, positions)
            else:
                path = ()
                positions[()] = (mark.line + 1, mark.column + 1)
            if opened is not None:
                opened.path = path
                stack.append(opened)
            elif not stack:
                return Document(value, self.source, positions)

    def scalar(self, tag: str, event: Any, path: DocumentPath) -> Any:
        if tag in _NUMBER_TAGS and len(event.value) > self.limits.max_number_chars:
            raise self.fail(
                f"number longer than {self.limits.max_number_chars} characters",
                event.start_mark,
                path,
            )
        if self.as_nodes:
            return yaml.ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, style=event.style
            )
        if tag == _STR:
            return event.value
        if tag == _MERGE:
            raise self.fail("YAML merge keys (<<) are not allowed", event.start_mark, path)
        if tag not in _SCALAR_TAGS or (self.json_types and tag == _BINARY):
            raise self.fail(_unsupported(tag), event.start_mark, path)
        if self.json_types and tag == _TIMESTAMP:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            return self.loader.yaml_constructors[tag](self.loader, node)
        except (
            ValueError,
            TypeError,
            OverflowError,
            IndexError,
            KeyError,
            AttributeError,
            yaml.YAMLError,
        ):
            # An explicit tag on text it does not fit (``!!int ''``, ``!!bool x``, a date with
            # month 13): the safe constructors fail with whatever their code trips on.
            name = tag.rsplit(":", 1)[-1]
            raise self.fail(f"invalid {name} value", event.start_mark, path) from None

    def attach(
        self, top: _Open, value: Any, event: Any, positions: dict[DocumentPath, tuple[int, int]]
    ) -> DocumentPath:
        """Add ``value`` to the innermost open collection; return its path."""
        mark = event.start_mark
        if not top.is_mapping:
            items = top.value.value if self.as_nodes else top.value
            path = (*top.path, len(items))
            items.append(value)
            positions[path] = (mark.line + 1, mark.column + 1)
            return path
        if top.key_mark is None:  # this value is a key
            if type(event) is not yaml.ScalarEvent:
                raise self.fail(
                    "a mapping key must be a plain value, not a list or mapping", mark, top.path
                )
            top.key = event.value if self.json_types else value
            top.key_text, top.key_mark = event.value, mark
            return top.path
        key, key_mark = top.key, top.key_mark
        path = (*top.path, str(top.key_text))
        top.key_mark = None
        identity = (key.tag, key.value) if self.as_nodes else key
        line = key_mark.line + 1
        first = top.seen.get(identity)
        if first is not None:
            self.problems.append(
                DocumentProblem(
                    f"key given twice (first on line {first})",
                    Location(self.source, line, key_mark.column + 1),
                    path,
                )
            )
            return path
        top.seen[identity] = line
        positions[path] = (line, key_mark.column + 1)
        if self.as_nodes:
            top.value.value.append((key, value))
        else:
            top.value[key] = value
        return path


# ---------------------------------------------------------------------------------------------
# JSON


_JSON_TOKEN = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\S')


class _JSONScanner:
    """Depth, node count, duplicate keys and positions of a JSON text, without recursion.

    Only checks what ``json.loads`` would not: syntax errors are left to it (it reports them
    with a line and column), and it only runs once the depth is known to be bounded.
    """

    def __init__(self, text: str, source: str | None, limits: Limits) -> None:
        self.text = text
        self.source = source
        self.limits = limits
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def scan(self) -> dict[DocumentPath, tuple[int, int]]:
        positions: dict[DocumentPath, tuple[int, int]] = {}
        # Each open container: [path, is_object, next index or pending key, keys seen].
        stack: list[tuple[DocumentPath, bool, list[Any], dict[str, int]]] = []
        expect_key = False
        nodes = 0
        for token, offset in self.tokens():
            if token in ("}", "]"):
                if stack:
                    stack.pop()
                expect_key = False
                continue
            if token == ",":
                expect_key = bool(stack and stack[-1][1])
                continue
            if token == ":":
                continue
            if expect_key and token.startswith('"'):
                path, _, slot, seen = stack[-1]
                key = _json_string(token)
                line, column = self.position(offset)
                if key in seen:
                    raise _problem(
                        f"key given twice (first on line {seen[key]})",
                        self.source,
                        line,
                        column,
                        (*path, key),
                    )
                seen[key] = line
                slot[0] = key
                positions[(*path, key)] = (line, column)
                expect_key = False
                continue
            nodes += 1
            if nodes > self.limits.max_nodes:
                raise _problem(
                    f"more than {self.limits.max_nodes} values", self.source, *self.position(offset)
                )
            if len(token) > self.limits.max_number_chars and token[0] not in '"{[':
                # Only numbers are long bare tokens (true, false and null are short).
                raise _problem(
                    f"number longer than {self.limits.max_number_chars} characters",
                    self.source,
                    *self.position(offset),
                )
            path = self.child_path(stack, positions, offset)
            if token in ("{", "["):
                if len(stack) >= self.limits.max_depth:
                    raise _problem(
                        f"nested deeper than {self.limits.max_depth} levels",
                        self.source,
                        *self.position(offset),
                    )
                stack.append((path, token == "{", [0], {}))
                expect_key = token == "{"
        return positions

    def child_path(
        self,
        stack: list[tuple[DocumentPath, bool, list[Any], dict[str, int]]],
        positions: dict[DocumentPath, tuple[int, int]],
        offset: int,
    ) -> DocumentPath:
        if not stack:
            positions[()] = self.position(offset)
            return ()
        path, is_object, slot, _ = stack[-1]
        if is_object:
            return (*path, slot[0])
        index = slot[0]
        slot[0] = index + 1
        positions[(*path, index)] = self.position(offset)
        return (*path, index)

    def tokens(self) -> Iterator[tuple[str, int]]:
        for match in _JSON_TOKEN.finditer(self.text):
            yield match.group(), match.start()


def _json_string(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        value = json.loads(token)
    except ValueError:
        return token[1:-1]
    return value if isinstance(value, str) else token[1:-1]
