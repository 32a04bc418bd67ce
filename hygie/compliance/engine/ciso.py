"""A framework library in CISO Assistant's published YAML library format, as a Hygie framework.

What is read (from the format's public documentation; no content or code of theirs is used):
the library's ``locale``, ``name``, ``description``, ``version``, ``publication_date``,
``provider``, ``copyright`` and ``translations`` (``{locale: {name, description}}``), and the
framework in ``objects.framework`` with its ``requirement_nodes``: ``urn``, ``ref_id``,
``name``, ``description``, ``parent_urn``, ``assessable``, ``depth``, ``annotation``,
``typical_evidence``, ``implementation_groups``, ``importance`` and ``translations``. Threats,
reference controls, scores, answers and questions are not imported.

Requirement URNs become Hygie's (``urn:hygie:req:<framework id>:<ref>``, the ref made from the
node's ``ref_id``, else from the last part of its URN); the original URN is kept in
``attributes["source_urn"]`` and the parents follow. A node without ``parent_urn`` deeper than
its predecessor hangs under the nearest shallower node before it (``depth``). Imported
requirements are ``unverified``: Hygie has not checked them against the official text.

Pure: text in, :class:`Framework` out, or :class:`LibraryError` with every problem and its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hygie.lib.documents import Document, DocumentError, Limits, load_yaml

from .library import (
    FRAMEWORK_URN_PREFIX,
    AttributeValue,
    Framework,
    LibraryError,
    Problem,
    Requirement,
    requirement_urn,
)

# Their libraries can be large (thousands of nodes, several languages).
LIMITS = Limits(max_bytes=16 * 1024 * 1024, max_depth=32, max_nodes=2_000_000)
MAX_NODES = 10_000  # as many requirements as a Hygie framework file may hold
SOURCE_FORMAT = "ciso-assistant"
_LOCALE = re.compile(r"([a-z]{2})(?:[-_][a-z0-9]{1,8})?")
_NOT_REF = re.compile(r"[^a-z0-9._()-]+")
_NOT_ID = re.compile(r"[^a-z0-9]+")
_MAX_TITLE = 300
_MAX_TEXT = 20_000
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
# Node fields kept as attributes (scalars, or lists of scalars).
_ATTRIBUTES = ("annotation", "typical_evidence", "implementation_groups", "importance", "weight")


def parse_ciso_assistant_library(name: str, text: str) -> Framework:
    """The framework of a CISO Assistant YAML library. Raises :class:`LibraryError`."""
    problems: list[Problem] = []
    try:
        document = load_yaml(text, source=name, limits=LIMITS, json_types=True)
    except DocumentError as error:
        problems = [Problem(name, p.location.line, p.message) for p in error.problems]
        raise LibraryError(problems) from None
    framework = _Reader(name, document, problems).framework()
    if problems or framework is None:
        raise LibraryError(sorted(dict.fromkeys(problems), key=lambda p: p.line or 0))
    return framework


def slug(value: str, pattern: re.Pattern[str] = _NOT_ID) -> str:
    """Lower-case ``value`` with runs of other characters as one hyphen, trimmed."""
    return pattern.sub("-", value.strip().lower()).strip("-.")


def _text(value: Any) -> str:
    """A scalar as text (YAML reads ``1.2`` as a number)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()[:_MAX_TEXT]
    return ""


class _Reader:
    def __init__(self, name: str, document: Document, problems: list[Problem]) -> None:
        self.name = name
        self.document = document
        self.problems = problems

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.name, self.document.location(path).line, message))

    def framework(self) -> Framework | None:
        data = self.document.data
        if not isinstance(data, dict):
            self.problem((), "not a CISO Assistant library (a mapping with objects.framework)")
            return None
        objects = data.get("objects")
        framework = objects.get("framework") if isinstance(objects, dict) else None
        if not isinstance(framework, dict):
            where = ("objects",) if isinstance(objects, dict) else ()
            self.problem(where, "no framework in this library (objects.framework)")
            return None
        base = ("objects", "framework")
        given = _text(data.get("locale")) or "en"
        main = _language(given) or "en"
        if _language(given) is None:
            self.problem(("locale",), f"locale {given[:20]!r} is not a language code")
        translations = {
            language: values for language, values in _translations(data).items() if language != main
        }
        framework_translations = {
            language: values
            for language, values in _translations(framework).items()
            if language != main
        }
        locales = tuple(dict.fromkeys((main, *translations, *framework_translations)))

        ref = _text(framework.get("ref_id")) or _text(data.get("ref_id"))
        framework_urn = _text(framework.get("urn"))
        framework_id = slug(ref)[:64].strip("-") or slug(framework_urn.rsplit(":", 1)[-1])[:64]
        framework_id = framework_id.strip("-")
        if not framework_id:
            self.problem(base, "the framework has neither a ref_id nor a URN to name it by")
            return None

        # The framework's own texts first, the library's where the framework has none.
        name_text = {
            **self.localized(data, translations, "name", main),
            **self.localized(framework, framework_translations, "name", main),
        }
        if not name_text:
            name_text = dict.fromkeys(locales, ref or framework_id)
        description = {
            **self.localized(data, translations, "description", main),
            **self.localized(framework, framework_translations, "description", main),
        }

        requirements = self.requirements(framework, framework_id, main, locales, base)
        if requirements is None:
            return None
        # Only the languages every text carries: a partial translation would leave requirements
        # without a title in the language the page is shown in.
        texts = [name_text, *(r.title for r in requirements)]
        texts += [t for t in (description, *(r.description for r in requirements)) if t]
        locales = tuple(language for language in locales if all(language in t for t in texts))
        name_text, description = _only(name_text, locales), _only(description, locales)
        requirements = tuple(
            replace(r, title=_only(r.title, locales), description=_only(r.description, locales))
            for r in requirements
        )
        attributes = {"source_format": SOURCE_FORMAT}
        for key, value in (
            ("source_urn", framework_urn),
            ("source_library_urn", _text(data.get("urn"))),
            ("copyright", _text(data.get("copyright"))),
            ("packager", _text(data.get("packager"))),
        ):
            if value:
                attributes[key] = value[:2000]
        return Framework(
            id=framework_id,
            urn=FRAMEWORK_URN_PREFIX + framework_id,
            name=name_text,
            description=description,
            version=_text(data.get("version"))[:300] or "unknown",
            publication_date=_date(data.get("publication_date")),
            provider=(_text(data.get("provider")) or _text(data.get("packager")))[:300]
            or "unknown",
            source_url="",
            licence_note=_text(data.get("copyright"))[:2000],
            locales=locales,
            requirements=requirements,
            source_name=self.name,
            attributes=attributes,
        )

    def localized(
        self,
        item: Mapping[str, Any],
        translations: Mapping[str, Mapping[str, Any]],
        key: str,
        main: str,
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        value = _text(item.get(key))
        if value:
            found[main] = value
        for language, values in translations.items():
            translated = _text(values.get(key))
            if translated:
                found[language] = translated
        return found

    def requirements(
        self,
        framework: Mapping[str, Any],
        framework_id: str,
        main: str,
        locales: tuple[str, ...],
        base: tuple[str | int, ...],
    ) -> tuple[Requirement, ...] | None:
        nodes = framework.get("requirement_nodes")
        path: tuple[str | int, ...] = (*base, "requirement_nodes")
        if not isinstance(nodes, list) or not nodes:
            self.problem(
                path if nodes is not None else base, "the framework has no requirement_nodes"
            )
            return None
        if len(nodes) > MAX_NODES:
            self.problem(path, f"more than {MAX_NODES} requirement nodes")
            return None
        before = len(self.problems)
        ours: dict[str, str] = {}  # their URN → ours
        used: set[str] = set()
        repeats: dict[str, int] = {}
        lines: dict[str, int | None] = {}
        rows: list[tuple[int, dict[str, Any], str]] = []
        for index, node in enumerate(nodes):
            node_path = (*path, index)
            if not isinstance(node, dict):
                self.problem(node_path, "a requirement node must be a mapping")
                continue
            urn = _text(node.get("urn"))
            if not urn:
                self.problem(node_path, "requirement node without urn")
                continue
            line = self.document.location((*node_path, "urn")).line
            if urn in lines:
                self.problem(
                    (*node_path, "urn"), f"duplicate URN {urn[:120]} (first on line {lines[urn]})"
                )
                continue
            lines[urn] = line
            ref = slug(_text(node.get("ref_id")), _NOT_REF) or slug(
                urn.rsplit(":", 1)[-1], _NOT_REF
            )
            ref = (ref or f"node{index + 1}")[:100].strip("-.") or f"node{index + 1}"
            if not ref[0].isalnum():
                ref = "n" + ref
            # A repeated ref gets -2, -3…; the counter per ref keeps thousands of repeats linear.
            count = repeats.get(ref, 0) + 1
            candidate = ref if count == 1 else f"{ref}-{count}"
            while candidate in used:
                count += 1
                candidate = f"{ref}-{count}"
            repeats[ref] = count
            used.add(candidate)
            ours[urn] = requirement_urn(framework_id, candidate)
            rows.append((index, node, urn))

        parents: dict[str, str | None] = {}
        stack: list[tuple[int, str]] = []  # (depth, their urn) of the open ancestors
        for index, node, urn in rows:
            parent = _text(node.get("parent_urn")) or None
            depth = node.get("depth")
            depth = depth if isinstance(depth, int) and not isinstance(depth, bool) else None
            if parent is None and depth is not None:
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                parent = stack[-1][1] if stack and depth > 1 else None
            if depth is not None:
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                stack.append((depth, urn))
            if parent is not None and parent not in ours:
                self.problem(
                    (*path, index, "parent_urn"),
                    f"parent_urn {parent[:120]} is not a node of this framework",
                )
                parent = None
            elif parent == urn:
                self.problem((*path, index, "parent_urn"), f"{urn[:120]} is its own parent")
                parent = None
            parents[urn] = parent
        self.cycles(parents, lines)
        if len(self.problems) > before:
            return None

        requirements: list[Requirement] = []
        for order, (index, node, urn) in enumerate(rows):
            translations = _translations(node)
            title = {main: value} if (value := _text(node.get("name"))) else {}
            description = {main: value} if (value := _text(node.get("description"))) else {}
            for language, values in translations.items():
                if language == main:
                    continue
                if translated := _text(values.get("name")):
                    title[language] = translated
                if translated := _text(values.get("description")):
                    description[language] = translated
            ref_id = _text(node.get("ref_id"))
            if not title and description and not ref_id:
                title = dict(description)
            elif not title:
                # A reference reads the same in every language.
                title = dict.fromkeys(locales, ref_id or urn.rsplit(":", 1)[-1])
            title = {language: _clip(value) for language, value in title.items()}
            attributes: dict[str, AttributeValue] = {"source_urn": urn}
            for key in _ATTRIBUTES:
                kept = _attribute(node.get(key))
                if kept is not None:
                    attributes[key] = kept
            parent = parents.get(urn)
            assessable = node.get("assessable")
            requirements.append(
                Requirement(
                    urn=ours[urn],
                    ref_id=(ref_id or ours[urn].rsplit(":", 1)[-1])[:300],
                    parent=ours[parent] if parent else None,
                    assessable=assessable is True,
                    title=title,
                    description=description,
                    verification_status="unverified",
                    attributes=attributes,
                    order=order,
                    line=self.document.location((*path, index)).line,
                )
            )
        return tuple(requirements)

    def cycles(self, parents: Mapping[str, str | None], lines: Mapping[str, int | None]) -> None:
        done: set[str] = set()
        for start in parents:
            chain: list[str] = []
            position: dict[str, int] = {}
            current: str | None = start
            while current is not None and current not in done:
                if current in position:
                    cycle = chain[position[current] :]
                    first = min(cycle, key=lambda u: lines.get(u) or 0)
                    shown = " → ".join(u[:80] for u in cycle[:12])
                    self.problems.append(
                        Problem(self.name, lines.get(first), f"parent cycle: {shown}")
                    )
                    break
                position[current] = len(chain)
                chain.append(current)
                current = parents.get(current)
            done.update(chain)


def _only(text: Mapping[str, str], locales: tuple[str, ...]) -> dict[str, str]:
    return {language: value for language, value in text.items() if language in locales}


def _date(value: Any) -> str | None:
    text = _text(value)[:10]
    return text if _DATE.fullmatch(text) else None


def _translations(item: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    raw = item.get("translations")
    if not isinstance(raw, dict):
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for language, values in raw.items():
        code = _language(language) if isinstance(language, str) else None
        if code is not None and isinstance(values, dict):
            found.setdefault(code, values)
    return found


def _language(value: str) -> str | None:
    """The two-letter language of a locale code (``fr``, ``fr-FR``, ``fr_fr``), or None."""
    match = _LOCALE.fullmatch(value.strip().lower())
    return match.group(1) if match else None


def _attribute(value: Any) -> AttributeValue | None:
    if isinstance(value, (str, int, float, bool)) and not (isinstance(value, str) and not value):
        return value[:5000] if isinstance(value, str) else value
    if isinstance(value, list):
        items = tuple(v for v in value if isinstance(v, (str, int, float, bool)))[:100]
        return items or None
    return None


def _clip(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _MAX_TITLE else value[: _MAX_TITLE - 1] + "…"
