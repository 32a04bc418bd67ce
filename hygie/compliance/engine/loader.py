"""Library files (framework, control catalogue, mapping) read into :mod:`.library` values.

Every problem is collected, never only the first: the document loader's (YAML syntax, limits,
duplicate keys), the JSON Schema's, then what a schema cannot say — URNs that do not belong to
their framework, duplicate URNs and ids (in one file and across files), parents that do not
exist or form a cycle, texts missing a declared language, mappings naming an unknown framework,
requirement or control. Each problem carries its file and, when known, its line.

Pure: takes texts (``{relative path: text}``), reads no file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from hygie.lib.documents import Document, DocumentError, Limits, load_yaml

from .library import (
    CONTROLS_TARGET,
    FRAMEWORK_URN_PREFIX,
    AttributeValue,
    Control,
    Framework,
    Library,
    LibraryError,
    Localized,
    MappingEntry,
    MappingSet,
    Problem,
    Requirement,
    framework_of,
)
from .schema import CONTROLS_FORMAT, FRAMEWORK_FORMAT, MAPPING_FORMAT, schema_errors

# A framework file of a few thousand requirements in two languages stays well under this.
LIMITS = Limits(max_bytes=4 * 1024 * 1024, max_depth=32, max_nodes=400_000)
# The languages every file shipped in (or checked as) a library must carry.
LIBRARY_LOCALES = ("fr", "en")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
Path = tuple[str | int, ...]


# ---------------------------------------------------------------------------------------------
# Entry points


def parse_framework(
    name: str, text: str, controls: Mapping[str, Control] | None = None
) -> Framework:
    """One framework file (a user's import). Its texts must carry every language it declares in
    ``framework.locales``; requirements' inline ``controls`` are checked against ``controls``
    when given. Raises :class:`LibraryError` with every problem found."""
    problems: list[Problem] = []
    document = _load(name, text, problems)
    scan: _FrameworkScan | None = None
    if document is not None:
        kind = _format(document)
        if kind != FRAMEWORK_FORMAT:
            problems.append(_wrong_format(name, document, kind, (FRAMEWORK_FORMAT,)))
        else:
            scan = _scan_framework(name, document, problems, controls, require_locales=())
    if problems or scan is None or scan.framework is None:
        raise LibraryError(_sorted(problems))
    return scan.framework


def check_library(files: Mapping[str, str]) -> list[Problem]:
    """Every problem of a set of library files (``{relative path: text}``); [] when it is fine."""
    problems, _ = _library(files)
    return problems


def parse_library(files: Mapping[str, str]) -> Library:
    """The library made of ``files`` (``{relative path: text}``: ``controls.yaml``,
    ``frameworks/<id>.yaml``, ``mappings/<source>-to-<target>.yaml``; each file's kind is read
    from its ``format``). Raises :class:`LibraryError` with every problem found."""
    problems, library = _library(files)
    if problems or library is None:
        raise LibraryError(problems)
    return library


# ---------------------------------------------------------------------------------------------
# One library


@dataclass
class _FrameworkScan:
    """What a framework file gave, even when it has problems (for checking mappings)."""

    file: str
    id: str | None
    id_line: int | None
    urns: dict[str, int | None] = field(default_factory=dict)
    framework: Framework | None = None


@dataclass
class _ControlsScan:
    file: str
    ids: set[str] = field(default_factory=set)
    controls: dict[str, Control] | None = None


def _library(files: Mapping[str, str]) -> tuple[list[Problem], Library | None]:
    problems: list[Problem] = []
    documents: dict[str, list[tuple[str, Document]]] = {
        CONTROLS_FORMAT: [],
        FRAMEWORK_FORMAT: [],
        MAPPING_FORMAT: [],
    }
    for name in sorted(files):
        document = _load(name, files[name], problems)
        if document is None:
            continue
        kind = _format(document)
        if kind not in documents:
            problems.append(
                _wrong_format(
                    name, document, kind, (FRAMEWORK_FORMAT, CONTROLS_FORMAT, MAPPING_FORMAT)
                )
            )
            continue
        documents[kind].append((name, document))

    controls_scan: _ControlsScan | None = None
    for name, document in documents[CONTROLS_FORMAT]:
        if controls_scan is not None:
            problems.append(
                Problem(
                    name,
                    _line(document, ("format",)),
                    f"a second control catalogue (the first is {controls_scan.file})",
                )
            )
            continue
        controls_scan = _scan_controls(name, document, problems)
    known_controls: Mapping[str, Control] | None = None
    if controls_scan is not None:
        known_controls = {
            control_id: Control(control_id, {}, {}) for control_id in controls_scan.ids
        }

    scans: dict[str, _FrameworkScan] = {}
    urn_files: dict[str, tuple[str, int | None]] = {}
    for name, document in documents[FRAMEWORK_FORMAT]:
        scan = _scan_framework(
            name, document, problems, known_controls, require_locales=LIBRARY_LOCALES
        )
        if scan.id is None:
            continue
        stem = PurePosixPath(name).stem
        if stem != scan.id:
            problems.append(
                Problem(
                    name,
                    scan.id_line,
                    f"framework id {scan.id} does not match the file name"
                    f" (expected {scan.id}.yaml)",
                )
            )
        first = scans.get(scan.id)
        if first is not None:
            problems.append(
                Problem(
                    name,
                    scan.id_line,
                    f"framework id {scan.id} is already defined in {first.file}:{first.id_line}",
                )
            )
            continue
        scans[scan.id] = scan
        for urn, line in scan.urns.items():
            other = urn_files.get(urn)
            if other is not None and other[0] != name:
                problems.append(
                    Problem(name, line, f"duplicate URN {urn} (also in {other[0]}:{other[1]})")
                )
            else:
                urn_files[urn] = (name, line)

    mappings: list[MappingSet] = []
    mapping_ids: dict[str, tuple[str, int | None]] = {}
    for name, document in documents[MAPPING_FORMAT]:
        mapping = _scan_mapping(name, document, problems, scans, controls_scan, mapping_ids)
        if mapping is not None:
            mappings.append(mapping)

    if controls_scan is None and any(
        isinstance(doc.data, dict)
        and isinstance(doc.data.get("mapping"), dict)
        and doc.data["mapping"].get("target") == CONTROLS_TARGET
        for _, doc in documents[MAPPING_FORMAT]
    ):
        problems.append(
            Problem(
                "controls.yaml",
                None,
                "no control catalogue (format hygie-controls/1) among the files",
            )
        )

    problems = _sorted(problems)
    if problems:
        return problems, None
    frameworks = {fid: scan.framework for fid, scan in scans.items() if scan.framework is not None}
    controls = controls_scan.controls if controls_scan and controls_scan.controls else {}
    return [], Library(frameworks, controls, tuple(mappings))


# ---------------------------------------------------------------------------------------------
# Documents


def _load(name: str, text: str, problems: list[Problem]) -> Document | None:
    """The document, or None when it cannot be read; duplicate keys are reported but the
    document is still checked (keeping each key's first value)."""
    try:
        document = load_yaml(text, source=name, limits=LIMITS, json_types=True)
    except DocumentError as error:
        for problem in error.problems:
            problems.append(Problem(name, problem.location.line, problem.message))
        return error.documents[0] if error.documents else None
    if document.data is None:
        problems.append(Problem(name, None, "empty file"))
        return None
    return document


def _format(document: Document) -> str | None:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("format"), str):
        return str(data["format"])
    return None


def _wrong_format(
    name: str, document: Document, kind: str | None, expected: Iterable[str]
) -> Problem:
    wanted = " or ".join(expected)
    data = document.data
    if kind is None and isinstance(data, dict) and "objects" in data and "urn" in data:
        return Problem(
            name,
            _line(document, ()),
            "this looks like a CISO Assistant library: import it as such, or convert it "
            f"(expected format: {wanted})",
        )
    if kind is None:
        return Problem(
            name, _line(document, ("format",)), f"no format given (expected format: {wanted})"
        )
    return Problem(
        name, _line(document, ("format",)), f"unknown format {kind[:60]!r} (expected {wanted})"
    )


def _line(document: Document, path: Path) -> int | None:
    return document.location(path).line


def _schema(name: str, document: Document, kind: str, problems: list[Problem]) -> bool:
    """Add the schema errors; True when there was none."""
    before = len(problems)
    for line, message in schema_errors(kind, document):
        problems.append(Problem(name, line, message))
    return len(problems) == before


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0))


def _texts(value: Any) -> dict[str, str]:
    """A localized text's well-formed entries (the schema reports the others)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v}


class _Texts:
    """Checks that localized texts carry the required languages and no undeclared one."""

    def __init__(
        self,
        name: str,
        document: Document,
        problems: list[Problem],
        required: Iterable[str],
        declared: Iterable[str] | None,
    ) -> None:
        self.name = name
        self.document = document
        self.problems = problems
        self.required = tuple(required)
        self.declared = None if declared is None else set(declared)

    def check(self, path: Path, what: str) -> Localized:
        value = _get(self.document.data, path)
        if value is None:
            return {}
        texts = _texts(value)
        if not isinstance(value, dict):
            return texts
        line = _line(self.document, path)
        for language in self.required:
            if not texts.get(language):
                self.problems.append(Problem(self.name, line, f"{what}: no {language} text"))
        if self.declared is not None:
            for language in value:
                if isinstance(language, str) and language not in self.declared:
                    self.problems.append(
                        Problem(
                            self.name,
                            line,
                            f"{what}: language {language[:20]!r}"
                            " is not declared in framework.locales",
                        )
                    )
        return texts


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------------------------
# Control catalogue


def _scan_controls(name: str, document: Document, problems: list[Problem]) -> _ControlsScan:
    scan = _ControlsScan(name)
    valid = _schema(name, document, CONTROLS_FORMAT, problems)
    data = document.data
    items = data.get("controls") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return scan
    first: dict[str, int | None] = {}
    controls: dict[str, Control] = {}
    before = len(problems)
    for index, item in enumerate(items):
        control_id = _str(item.get("id")) if isinstance(item, dict) else None
        if control_id is None:
            continue
        line = _line(document, ("controls", index, "id"))
        if control_id in first:
            problems.append(
                Problem(
                    name,
                    line,
                    f"duplicate control id {control_id} (first on line {first[control_id]})",
                )
            )
            continue
        first[control_id] = line
        scan.ids.add(control_id)
        controls[control_id] = Control(
            control_id, _texts(item.get("title")), _texts(item.get("description"))
        )
    if valid and len(problems) == before:
        scan.controls = controls
    return scan


# ---------------------------------------------------------------------------------------------
# Framework


def _scan_framework(
    name: str,
    document: Document,
    problems: list[Problem],
    controls: Mapping[str, Control] | None,
    require_locales: tuple[str, ...],
) -> _FrameworkScan:
    before = len(problems)
    _schema(name, document, FRAMEWORK_FORMAT, problems)
    data = document.data if isinstance(document.data, dict) else {}
    header = _mapping(data.get("framework"))
    framework_id = _str(header.get("id"))
    if framework_id is not None and not _ID.fullmatch(framework_id):
        framework_id = None  # the schema said why
    scan = _FrameworkScan(name, framework_id, _line(document, ("framework", "id")))

    urn = _str(header.get("urn"))
    if framework_id and urn is not None and urn != FRAMEWORK_URN_PREFIX + framework_id:
        problems.append(
            Problem(
                name,
                _line(document, ("framework", "urn")),
                f"framework URN {urn[:120]} does not match its id"
                f" (expected {FRAMEWORK_URN_PREFIX}{framework_id})",
            )
        )
    raw_locales = header.get("locales")
    locales = (
        tuple(v for v in raw_locales if isinstance(v, str)) if isinstance(raw_locales, list) else ()
    )
    missing = [language for language in require_locales if language not in locales]
    if missing and isinstance(raw_locales, list):
        problems.append(
            Problem(
                name,
                _line(document, ("framework", "locales")),
                f"framework.locales must include {' and '.join(require_locales)}"
                f" (missing: {', '.join(missing)})",
            )
        )
    required = tuple(dict.fromkeys((*locales, *require_locales)))
    texts = _Texts(name, document, problems, required, set(locales) if locales else None)
    name_text = texts.check(("framework", "name"), "framework name")
    description_text = texts.check(("framework", "description"), "framework description")

    items = data.get("requirements")
    rows: list[tuple[int, dict[str, Any]]] = []
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                rows.append((index, item))

    parents: dict[str, str] = {}
    lines: dict[str, int | None] = {}
    for index, item in rows:
        req_urn = _str(item.get("urn"))
        if req_urn is None:
            continue
        line = _line(document, ("requirements", index, "urn"))
        if framework_id and framework_of(req_urn) != framework_id:
            problems.append(
                Problem(
                    name,
                    line,
                    f"{req_urn[:120]}: URN does not belong to framework {framework_id}"
                    f" (expected urn:hygie:req:{framework_id}:<ref>)",
                )
            )
        if req_urn in lines:
            problems.append(
                Problem(
                    name, line, f"duplicate URN {req_urn[:120]} (first on line {lines[req_urn]})"
                )
            )
            continue
        lines[req_urn] = line
        parent = _str(item.get("parent"))
        if parent is not None:
            parents[req_urn] = parent
        texts.check(("requirements", index, "title"), f"{req_urn[:120]} title")
        texts.check(("requirements", index, "description"), f"{req_urn[:120]} description")
        inline = item.get("controls")
        if controls is not None and isinstance(inline, list):
            for position, control_id in enumerate(inline):
                if isinstance(control_id, str) and control_id not in controls:
                    problems.append(
                        Problem(
                            name,
                            _line(document, ("requirements", index, "controls", position)),
                            f"{req_urn[:120]}: unknown control {control_id[:100]}",
                        )
                    )
    scan.urns = lines
    problems.extend(_parent_problems(name, document, rows, parents, lines))

    if len(problems) > before or framework_id is None:
        return scan
    requirements = tuple(
        _requirement(item, order, _line(document, ("requirements", index)))
        for order, (index, item) in enumerate(rows)
    )
    scan.framework = Framework(
        id=framework_id,
        urn=str(header["urn"]),
        name=name_text,
        description=description_text,
        version=str(header.get("version", "")),
        publication_date=_str(header.get("publication_date")),
        provider=str(header.get("provider", "")),
        source_url=str(header.get("source_url", "")),
        licence_note=str(header.get("licence_note", "")),
        locales=locales,
        requirements=requirements,
        source_name=name,
    )
    return scan


def _parent_problems(
    name: str,
    document: Document,
    rows: list[tuple[int, dict[str, Any]]],
    parents: Mapping[str, str],
    lines: Mapping[str, int | None],
) -> list[Problem]:
    """Dangling parents, and each parent cycle once (at its first member in the file)."""
    found: list[Problem] = []
    for index, item in rows:
        urn, parent = _str(item.get("urn")), _str(item.get("parent"))
        if urn is None or parent is None or parents.get(urn) != parent:
            continue
        line = _line(document, ("requirements", index, "parent"))
        if parent == urn:
            found.append(Problem(name, line, f"{urn[:120]} is its own parent"))
        elif parent not in lines:
            found.append(
                Problem(
                    name,
                    line,
                    f"parent {parent[:120]} of {urn[:120]} is not a requirement of this file",
                )
            )
    done: set[str] = set()  # already walked: leads to a root, a dangling parent or a cycle
    reported: set[frozenset[str]] = set()
    for start in lines:
        chain: list[str] = []
        position: dict[str, int] = {}
        current: str | None = start
        while current is not None and current not in done and current in lines:
            if current in position:
                cycle = chain[position[current] :]
                key = frozenset(cycle)
                if len(cycle) > 1 and key not in reported:
                    reported.add(key)
                    first = min(cycle, key=lambda u: lines[u] or 0)
                    at = cycle.index(first)
                    ordered = cycle[at:] + cycle[:at] + [first]
                    shown = " → ".join(u[:80] for u in ordered[:12])
                    if len(ordered) > 12:
                        shown += " → …"
                    found.append(Problem(name, lines[first], f"parent cycle: {shown}"))
                break
            position[current] = len(chain)
            chain.append(current)
            current = parents.get(current)
        done.update(chain)
    return found


def _requirement(item: Mapping[str, Any], order: int, line: int | None) -> Requirement:
    attributes: dict[str, AttributeValue] = {}
    raw = item.get("attributes")
    if isinstance(raw, dict):
        for key, value in raw.items():
            attributes[str(key)] = tuple(value) if isinstance(value, list) else value
    inline = item.get("controls")
    return Requirement(
        urn=str(item["urn"]),
        ref_id=str(item["ref_id"]),
        parent=_str(item.get("parent")),
        assessable=bool(item["assessable"]),
        title=_texts(item.get("title")),
        description=_texts(item.get("description")),
        verification_status=str(item["verification_status"]),
        attributes=attributes,
        order=order,
        line=line,
        controls=tuple(str(c) for c in inline) if isinstance(inline, list) else (),
    )


# ---------------------------------------------------------------------------------------------
# Mapping


def _scan_mapping(
    name: str,
    document: Document,
    problems: list[Problem],
    frameworks: Mapping[str, _FrameworkScan],
    controls: _ControlsScan | None,
    mapping_ids: dict[str, tuple[str, int | None]],
) -> MappingSet | None:
    before = len(problems)
    _schema(name, document, MAPPING_FORMAT, problems)
    data = document.data if isinstance(document.data, dict) else {}
    header = _mapping(data.get("mapping"))
    mapping_id, source, target = (_str(header.get(key)) for key in ("id", "source", "target"))

    if mapping_id is not None:
        line = _line(document, ("mapping", "id"))
        other = mapping_ids.get(mapping_id)
        if other is not None:
            problems.append(
                Problem(
                    name,
                    line,
                    f"mapping id {mapping_id[:64]} is already used in {other[0]}:{other[1]}",
                )
            )
        else:
            mapping_ids[mapping_id] = (name, line)

    source_scan = frameworks.get(source) if source else None
    if source is not None and source_scan is None:
        problems.append(
            Problem(
                name,
                _line(document, ("mapping", "source")),
                f"unknown source framework {source[:64]}",
            )
        )
    onto_controls = target == CONTROLS_TARGET
    target_scan = None if onto_controls or target is None else frameworks.get(target)
    if target is not None and not onto_controls and target_scan is None:
        problems.append(
            Problem(
                name,
                _line(document, ("mapping", "target")),
                f"unknown target framework {target[:64]} (a framework id or {CONTROLS_TARGET})",
            )
        )
    if onto_controls and controls is None:
        controls_ids: set[str] | None = None  # reported once for the library
    else:
        controls_ids = controls.ids if controls is not None else set()

    entries: list[MappingEntry] = []
    seen: dict[tuple[str, str], int | None] = {}
    items = data.get("entries")
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        entry_source, entry_target = _str(item.get("source")), _str(item.get("target"))
        relation = _str(item.get("relation"))
        line = _line(document, ("entries", index))
        if entry_source is not None and source_scan is not None and source is not None:
            if entry_source not in source_scan.urns:
                owner = framework_of(entry_source)
                if owner is not None and owner != source:
                    message = (
                        f"{entry_source[:120]} is not a requirement"
                        f" of the source framework {source}"
                    )
                else:
                    message = f"unknown requirement {entry_source[:120]} in framework {source}"
                problems.append(
                    Problem(name, _line(document, ("entries", index, "source")), message)
                )
        if entry_target is not None:
            target_line = _line(document, ("entries", index, "target"))
            if onto_controls and controls_ids is not None and entry_target not in controls_ids:
                problems.append(Problem(name, target_line, f"unknown control {entry_target[:120]}"))
            elif (
                target_scan is not None
                and target is not None
                and entry_target not in target_scan.urns
            ):
                problems.append(
                    Problem(
                        name,
                        target_line,
                        f"unknown requirement {entry_target[:120]} in framework {target}",
                    )
                )
        rationale = item.get("rationale")
        rationale_line = _line(document, ("entries", index, "rationale"))
        if rationale is None and target is not None and not onto_controls:
            problems.append(
                Problem(name, line, "a mapping between frameworks needs a rationale (fr and en)")
            )
        elif isinstance(rationale, dict):
            for language in LIBRARY_LOCALES:
                if not _texts(rationale).get(language):
                    problems.append(Problem(name, rationale_line, f"rationale: no {language} text"))
        if entry_source is None or entry_target is None or relation is None:
            continue
        pair = (entry_source, entry_target)
        if pair in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    f"entry {entry_source[:120]} → {entry_target[:120]} given twice"
                    f" (first on line {seen[pair]})",
                )
            )
            continue
        seen[pair] = line
        entries.append(MappingEntry(entry_source, entry_target, relation, _texts(rationale)))

    if len(problems) > before or mapping_id is None or source is None or target is None:
        return None
    return MappingSet(mapping_id, source, target, tuple(entries))
