"""The framework library as plain values: frameworks and their requirement trees, Hygie's control
catalogue, and the mappings between them. Built by :mod:`.loader` and :mod:`.ciso`; pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from hygie.lib.errors import HygieError, Location

# A text in several languages: {"fr": ..., "en": ...}.
Localized = Mapping[str, str]
# A requirement attribute value: a scalar or a list of scalars.
AttributeValue = str | int | float | bool | tuple[str | int | float | bool, ...]

RELATIONS = ("equal", "subset", "superset", "intersect")
# The relation read from the other side: A ⊂ B is B ⊃ A.
INVERSE_RELATION = {
    "equal": "equal",
    "subset": "superset",
    "superset": "subset",
    "intersect": "intersect",
}
VERIFICATION_STATUSES = ("verified", "unverified")
# The ``target`` of a mapping onto Hygie's control catalogue.
CONTROLS_TARGET = "controls"
REQUIREMENT_URN_PREFIX = "urn:hygie:req:"
FRAMEWORK_URN_PREFIX = "urn:hygie:framework:"


def requirement_urn(framework_id: str, ref: str) -> str:
    """``urn:hygie:req:<framework id>:<ref>``."""
    return f"{REQUIREMENT_URN_PREFIX}{framework_id}:{ref}"


def framework_of(urn: str) -> str | None:
    """The framework id a requirement URN names, or None when it is not a requirement URN."""
    if not urn.startswith(REQUIREMENT_URN_PREFIX):
        return None
    framework_id, sep, _ = urn[len(REQUIREMENT_URN_PREFIX) :].partition(":")
    return framework_id if sep and framework_id else None


def localized(text: Localized, language: str, fallback: str = "en") -> str:
    """``text`` in ``language``, else in ``fallback``, else in any language it has ("" if none)."""
    for code in (language, fallback):
        value = text.get(code)
        if value:
            return value
    return next((value for value in text.values() if value), "")


@dataclass(frozen=True)
class Requirement:
    """One node of a framework's tree: a chapter (``assessable=False``) or a requirement."""

    urn: str
    ref_id: str
    parent: str | None
    assessable: bool
    title: Localized
    description: Localized
    verification_status: str
    attributes: Mapping[str, AttributeValue]
    order: int
    line: int | None = None
    # Hygie controls named in the framework file itself (a user's framework may map inline).
    controls: tuple[str, ...] = ()

    @property
    def is_verified(self) -> bool:
        return self.verification_status == "verified"


@dataclass(frozen=True)
class Framework:
    """A framework: metadata and its requirements in document (display) order."""

    id: str
    urn: str
    name: Localized
    description: Localized
    version: str
    publication_date: str | None
    provider: str
    source_url: str
    licence_note: str
    locales: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    source_name: str
    # Where an imported framework came from (``{"source_format": "ciso-assistant", ...}``).
    attributes: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _by_urn(self) -> dict[str, Requirement]:
        return {requirement.urn: requirement for requirement in self.requirements}

    @cached_property
    def _children(self) -> dict[str | None, tuple[Requirement, ...]]:
        children: dict[str | None, list[Requirement]] = {}
        for requirement in self.requirements:
            children.setdefault(requirement.parent, []).append(requirement)
        return {parent: tuple(items) for parent, items in children.items()}

    def requirement(self, urn: str) -> Requirement | None:
        """The requirement with this URN, or None."""
        return self._by_urn.get(urn)

    def children(self, urn: str | None = None) -> tuple[Requirement, ...]:
        """The direct children of ``urn`` in document order; the roots when ``urn`` is None."""
        return self._children.get(urn, ())

    def assessable(self) -> tuple[Requirement, ...]:
        """The requirements an assessment answers, in document order."""
        return tuple(requirement for requirement in self.requirements if requirement.assessable)

    def ancestors(self, urn: str) -> tuple[Requirement, ...]:
        """The chain of parents of ``urn``, nearest first (chapters for breadcrumbs, scores)."""
        chain: list[Requirement] = []
        seen = {urn}
        current = self._by_urn.get(urn)
        while current is not None and current.parent is not None and current.parent not in seen:
            seen.add(current.parent)
            parent = self._by_urn.get(current.parent)
            if parent is None:
                break
            chain.append(parent)
            current = parent
        return tuple(chain)

    def depth(self, urn: str) -> int:
        """0 for a root, 1 for its children…"""
        return len(self.ancestors(urn))

    def unverified(self) -> tuple[Requirement, ...]:
        """The requirements not checked against the official text."""
        return tuple(r for r in self.requirements if not r.is_verified)


@dataclass(frozen=True)
class Control:
    """One of Hygie's control objectives (``hygie.<area>.<name>``)."""

    id: str
    title: Localized
    description: Localized


@dataclass(frozen=True)
class MappingEntry:
    """``source`` (a requirement URN) relates to ``target`` (a control id or a requirement URN)."""

    source: str
    target: str
    relation: str
    rationale: Localized


@dataclass(frozen=True)
class MappingSet:
    """A mapping file: from framework ``source`` onto ``target`` (a framework id or "controls")."""

    id: str
    source: str
    target: str
    entries: tuple[MappingEntry, ...]

    @property
    def onto_controls(self) -> bool:
        return self.target == CONTROLS_TARGET


@dataclass(frozen=True)
class Library:
    """Every framework, the control catalogue and the mappings, checked together."""

    frameworks: Mapping[str, Framework]
    controls: Mapping[str, Control]
    mappings: tuple[MappingSet, ...]

    @cached_property
    def _controls_by_requirement(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for framework in self.frameworks.values():
            for requirement in framework.requirements:
                if requirement.controls:
                    found.setdefault(requirement.urn, set()).update(requirement.controls)
        for mapping in self.mappings:
            if mapping.onto_controls:
                for entry in mapping.entries:
                    found.setdefault(entry.source, set()).add(entry.target)
        return found

    @cached_property
    def _mapped(self) -> dict[str, list[tuple[str, str, Localized]]]:
        found: dict[str, list[tuple[str, str, Localized]]] = {}
        seen: set[tuple[str, str]] = set()
        for mapping in self.mappings:
            if mapping.onto_controls:
                continue
            for entry in mapping.entries:
                forward = (entry.source, entry.target)
                if forward not in seen:
                    seen.add(forward)
                    found.setdefault(entry.source, []).append(
                        (entry.target, entry.relation, entry.rationale)
                    )
        for mapping in self.mappings:
            if mapping.onto_controls:
                continue
            for entry in mapping.entries:
                backward = (entry.target, entry.source)
                if backward not in seen:
                    seen.add(backward)
                    found.setdefault(entry.target, []).append(
                        (entry.source, INVERSE_RELATION[entry.relation], entry.rationale)
                    )
        return found

    def framework_of(self, requirement_urn: str) -> Framework | None:
        """The framework holding this requirement URN, or None."""
        framework_id = framework_of(requirement_urn)
        framework = self.frameworks.get(framework_id) if framework_id else None
        if framework is None or framework.requirement(requirement_urn) is None:
            return None
        return framework

    def requirement(self, urn: str) -> Requirement | None:
        framework = self.framework_of(urn)
        return framework.requirement(urn) if framework else None

    def controls_of(self, requirement_urn: str) -> set[str]:
        """The control ids a requirement maps onto (control mappings and inline ``controls``)."""
        return set(self._controls_by_requirement.get(requirement_urn, ()))

    def requirements_for_control(self, control_id: str) -> list[tuple[str, str]]:
        """Every (framework id, requirement URN) mapped onto ``control_id``, in framework then
        document order."""
        found: list[tuple[str, str]] = []
        for framework_id, framework in self.frameworks.items():
            for requirement in framework.requirements:
                if control_id in self._controls_by_requirement.get(requirement.urn, ()):
                    found.append((framework_id, requirement.urn))
        return found

    def mapped(self, requirement_urn: str) -> list[tuple[str, str, Localized]]:
        """The requirements of other frameworks this one maps to, as (target URN, relation,
        rationale), the relation read from ``requirement_urn``'s side. Framework-to-framework
        mappings are read both ways: "A subset B" in A's file gives B "superset A"."""
        return list(self._mapped.get(requirement_urn, ()))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a library file, where it is (line when known)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class LibraryError(HygieError):
    """A library, framework or mapping that cannot be used; ``problems`` lists every problem
    found (at least one), in file then line order."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            problems = [Problem("<input>", None, "invalid library")]
        self.problems = problems
        first = problems[0]
        message = first.message
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s))"
        super().__init__(message, Location(first.file, first.line))
