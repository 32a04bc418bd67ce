"""Incident response playbooks: the YAML format, its validation and the parsed playbook.

A playbook is a hand-readable YAML document (format reference: docs/response-playbooks.md). This
module turns its text into frozen dataclasses or reports **every** problem at once, each with the
path of the field (``phases.containment.steps[2].due_after``), its line and a clear message.

The document is treated as hostile: it goes through the platform's hardened loader
(``hygie.lib.documents``: size, nesting depth and node count bounded while parsing, aliases and
duplicate keys refused, so no "billion laughs"), then is validated straight from the node
tree: every value keeps the line it came from, and nothing is ever constructed from a tag
(``!!python/object`` is just a wrong type here).

Pure: text in, dataclasses out. No Django, no file access.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml

from hygie.lib import documents
from hygie.lib.errors import Location
from hygie.response.engine.choices import IncidentCategory, ObligationId, choices_of
from hygie.response.engine.errors import DocumentError, DocumentProblem
from hygie.response.engine.text import LANGUAGES, LocalizedText

SCHEMA_VERSION = 1
# The longest shipped playbook is about 20 KiB; the cap bounds what a hostile upload can claim.
MAX_PLAYBOOK_BYTES = 256 * 1024
MAX_DEPTH = 12  # the format needs 7 levels (phases → phase → steps → step → decision → options)
MAX_NODES = 20_000
PLAYBOOK_LIMITS = documents.Limits(
    max_bytes=MAX_PLAYBOOK_BYTES, max_depth=MAX_DEPTH, max_nodes=MAX_NODES
)
MAX_STEPS = 200
MAX_TITLE = 300  # Task.title and Playbook.title hold 300 characters
MAX_TEXT = 4000
MAX_DUE_AFTER = timedelta(days=366)
TO_COMPLETE = "to_complete"

# The NIST SP 800-61 lifecycle statuses an incident moves through, in order (the incident's own
# "new" and "closed" have no steps of their own).
PHASES = ("triage", "containment", "eradication", "recovery", "post_incident")
DUE_FROM = ("discovery", "application")
VERIFICATION = ("verified", "unverified")

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
_SEMVER = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")
_DATE_VERSION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\.([1-9]\d{0,3}))?$")
# ISO 8601 durations in weeks, days, hours and minutes. Years and months are refused: their length
# varies, and "P1M" (one month) is too easily misread as one minute under stress.
_DURATION = re.compile(r"^P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?)?$")
_URL = re.compile(r"^https?://[^\s<>\"']{1,2000}$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{3,40}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,200}@[^@\s<>\"']{1,200}$")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

TOP_KEYS = (
    "schema_version",
    "key",
    "version",
    "title",
    "summary",
    "categories",
    "licence",
    "obligations",
    "references",
    "contacts",
    "phases",
)
REFERENCE_KEYS = ("id", "title", "publisher", "url", "verification", "note")
CONTACT_KEYS = ("role", "who", "when", "name", "phone", "email", "url")
PHASE_KEYS = ("steps",)
STEP_KEYS = (
    "id",
    "title",
    "description",
    "owner_role",
    "due_after",
    "due_from",
    "decision",
    "references",
    "obligations",
)
DECISION_KEYS = ("question", "options")


class PlaybookError(DocumentError):
    """A playbook document cannot be used."""

    header = "invalid playbook {source}"


PlaybookProblem = DocumentProblem


@dataclass(frozen=True)
class Reference:
    """A document the playbook cites (a CERT-FR fiche réflexe, an ANSSI guide, a rule)."""

    id: str
    title: str
    publisher: str = ""
    url: str = ""
    verification: str = "unverified"
    note: str = ""

    @property
    def is_verified(self) -> bool:
        return self.verification == "verified"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "verification": self.verification,
            "note": self.note,
        }


@dataclass(frozen=True)
class Contact:
    """Someone to call: a role, who it is, when to call; details may be left ``to_complete``."""

    role: str
    who: LocalizedText
    when: LocalizedText
    name: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""

    @property
    def to_complete(self) -> tuple[str, ...]:
        """The details the organisation still has to fill in."""
        return tuple(
            name for name in ("name", "phone", "email", "url") if getattr(self, name) == TO_COMPLETE
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "who": self.who.to_dict(),
            "when": self.when.to_dict(),
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "url": self.url,
            "to_complete": list(self.to_complete),
        }


@dataclass(frozen=True)
class Decision:
    """A decision point: the question the crisis cell must answer, and its options."""

    question: LocalizedText
    options: tuple[LocalizedText, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question.to_dict(),
            "options": [option.to_dict() for option in self.options],
        }


@dataclass(frozen=True)
class Step:
    """One step of a phase; becomes one task of the incident when the playbook is applied."""

    id: str
    title: LocalizedText
    description: LocalizedText | None = None
    owner_role: str = ""
    due_after: timedelta | None = None
    due_after_text: str = ""
    due_from: str = "discovery"
    decision: Decision | None = None
    references: tuple[str, ...] = ()
    obligations: tuple[str, ...] = ()

    @property
    def is_decision(self) -> bool:
        return self.decision is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title.to_dict(),
            "description": self.description.to_dict() if self.description else None,
            "owner_role": self.owner_role,
            "due_after": self.due_after_text or None,
            "due_from": self.due_from,
            "decision": self.decision.to_dict() if self.decision else None,
            "references": list(self.references),
            "obligations": list(self.obligations),
        }


@dataclass(frozen=True)
class Phase:
    key: str
    steps: tuple[Step, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "steps": [step.to_dict() for step in self.steps]}


@dataclass(frozen=True)
class Playbook:
    """A validated playbook. Phases come in lifecycle order, whatever the order in the file."""

    schema_version: int
    key: str
    version: str
    title: LocalizedText
    categories: tuple[str, ...]
    phases: tuple[Phase, ...]
    summary: LocalizedText | None = None
    licence: str = ""
    obligations: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    contacts: tuple[Contact, ...] = ()

    def steps(self) -> Iterator[tuple[Phase, Step]]:
        for phase in self.phases:
            for step in phase.steps:
                yield phase, step

    @property
    def step_count(self) -> int:
        return sum(len(phase.steps) for phase in self.phases)

    def reference(self, reference_id: str) -> Reference | None:
        return next((ref for ref in self.references if ref.id == reference_id), None)

    @property
    def contacts_to_complete(self) -> tuple[Contact, ...]:
        return tuple(contact for contact in self.contacts if contact.to_complete)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "key": self.key,
            "version": self.version,
            "title": self.title.to_dict(),
            "summary": self.summary.to_dict() if self.summary else None,
            "categories": list(self.categories),
            "licence": self.licence,
            "obligations": list(self.obligations),
            "references": [ref.to_dict() for ref in self.references],
            "contacts": [contact.to_dict() for contact in self.contacts],
            "phases": [phase.to_dict() for phase in self.phases],
        }


# --------------------------------------------------------------------------------------------
# Durations and versions


def parse_duration(text: str) -> timedelta:
    """``PT1H``, ``P2D``, ``P1DT12H``, ``P1W``… → timedelta; ValueError when not of that form."""
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(text)
    weeks, days, hours, minutes = (int(group) if group else 0 for group in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def is_valid_version(text: str) -> bool:
    if _SEMVER.match(text):
        return True
    match = _DATE_VERSION.match(text)
    if not match:
        return False
    try:
        date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def bump_version(version: str, today: date) -> str:
    """The next version after an edit: semver gets a patch bump, a date version becomes today's
    date (``.2``, ``.3``… for further edits on the same day)."""
    semver = _SEMVER.match(version)
    if semver:
        major, minor, patch = (int(part) for part in semver.groups())
        return f"{major}.{minor}.{patch + 1}"
    match = _DATE_VERSION.match(version)
    stamp = today.isoformat()
    if match and version.split(".")[0] == stamp:
        return f"{stamp}.{int(match.group(4) or 1) + 1}"
    return stamp


def replace_version(text: str, new_version: str) -> str:
    """The same document with its top-level ``version`` value replaced, everything else (comments,
    layout) untouched. The text must be a valid playbook."""
    if not is_valid_version(new_version):
        raise ValueError(new_version)
    return _replace_top_level(text, "version", new_version)


def replace_key(text: str, new_key: str) -> str:
    """The same document with its top-level ``key`` replaced (for a copy under a new key)."""
    if not _KEY.match(new_key):
        raise ValueError(new_key)
    return _replace_top_level(text, "key", new_key)


def _replace_top_level(text: str, name: str, value: str) -> str:
    # Only called on documents that already validated: no alias, bounded size and depth.
    node, _ = _compose(text, None)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == name:
                start, end = value_node.start_mark.index, value_node.end_mark.index
                return f'{text[:start]}"{value}"{text[end:]}'
    raise ValueError(f"no top-level {name}")


# --------------------------------------------------------------------------------------------
# Validation


class _Checker:
    """Walks the composed node tree, collecting problems instead of stopping at the first."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[PlaybookProblem] = []

    def problem(self, path: str, message: str, node: yaml.Node | None) -> None:
        location = Location(self.source)
        if node is not None:
            location = Location(self.source, node.start_mark.line + 1, node.start_mark.column + 1)
        self.problems.append(PlaybookProblem(path, message, location))

    # Shapes ---------------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, f"expected a mapping with keys: {', '.join(allowed)}", node)
            return None
        found: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                self.problem(path, "keys must be plain words", key_node)
                continue
            key = key_node.value
            child = f"{path}.{key}" if path else key
            if key in lines:
                self.problem(child, f"key given twice (first on line {lines[key]})", key_node)
                continue
            lines[key] = key_node.start_mark.line + 1
            if key not in allowed:
                self.problem(child, f"unknown key; valid keys: {', '.join(allowed)}", key_node)
                continue
            found[key] = value_node
        for key in required:
            if key not in found and key not in lines:
                self.problem(path or "(document)", f"missing required key '{key}'", node)
        return found

    def sequence(
        self, node: yaml.Node, path: str, *, min_items: int = 0, max_items: int = 1000
    ) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(path, "expected a list", node)
            return []
        if len(node.value) < min_items:
            self.problem(path, f"expected at least {min_items} item(s)", node)
        if len(node.value) > max_items:
            self.problem(path, f"at most {max_items} items allowed", node)
            return list(node.value[:max_items])
        return list(node.value)

    def text(
        self, node: yaml.Node, path: str, *, max_length: int = MAX_TITLE, allow_empty: bool = False
    ) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            hint = " (quote it)" if isinstance(node, yaml.ScalarNode) else ""
            self.problem(path, f"expected text{hint}", node)
            return None
        value: str = node.value.strip()
        if not value and not allow_empty:
            self.problem(path, "must not be empty", node)
            return None
        if len(value) > max_length:
            self.problem(path, f"longer than {max_length} characters", node)
            return None
        if any(ord(char) < 32 and char not in "\n\t" for char in value):
            self.problem(path, "contains control characters", node)
            return None
        return value

    def pattern(self, node: yaml.Node, path: str, regex: re.Pattern[str], what: str) -> str | None:
        value = self.text(node, path, max_length=2000)
        if value is not None and not regex.match(value):
            self.problem(path, f"not a valid {what}", node)
            return None
        return value

    def choice(
        self, node: yaml.Node, path: str, choices: tuple[str, ...] | list[str]
    ) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.value not in choices:
            self.problem(path, f"expected one of: {', '.join(choices)}", node)
            return None
        return str(node.value)

    def localized(
        self, node: yaml.Node, path: str, *, max_length: int = MAX_TITLE
    ) -> LocalizedText | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, path, max_length=max_length)
            return LocalizedText(value, value) if value is not None else None
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, "expected text, or a mapping with 'fr' and 'en'", node)
            return None
        found = self.mapping(node, path, LANGUAGES, LANGUAGES)
        if found is None:
            return None
        values = {
            lang: self.text(found[lang], f"{path}.{lang}", max_length=max_length)
            for lang in LANGUAGES
            if lang in found
        }
        if values.get("fr") is None or values.get("en") is None:
            return None
        return LocalizedText(values["fr"] or "", values["en"] or "")

    def id_list(
        self, node: yaml.Node, path: str, valid: tuple[str, ...] | list[str], what: str
    ) -> tuple[str, ...]:
        result: list[str] = []
        for index, item in enumerate(self.sequence(node, path, max_items=50)):
            item_path = f"{path}[{index}]"
            if not isinstance(item, yaml.ScalarNode) or item.value not in valid:
                listed = ", ".join(valid) if valid else "none declared"
                self.problem(item_path, f"unknown {what}; valid: {listed}", item)
            elif item.value in result:
                self.problem(item_path, f"{what} listed twice", item)
            else:
                result.append(item.value)
        return tuple(result)

    # Document parts -------------------------------------------------------------------------

    def reference(self, node: yaml.Node, path: str) -> Reference | None:
        found = self.mapping(node, path, REFERENCE_KEYS, ("id", "title"))
        if found is None:
            return None
        ref_id = (
            self.pattern(found["id"], f"{path}.id", _REFERENCE_ID, "reference id")
            if "id" in found
            else None
        )
        title = self.text(found["title"], f"{path}.title") if "title" in found else None
        publisher = (
            self.text(found["publisher"], f"{path}.publisher") if "publisher" in found else ""
        )
        url = (
            self.pattern(found["url"], f"{path}.url", _URL, "http(s) URL") if "url" in found else ""
        )
        verification = (
            self.choice(found["verification"], f"{path}.verification", VERIFICATION)
            if "verification" in found
            else "unverified"
        )
        note = (
            self.text(found["note"], f"{path}.note", max_length=MAX_TEXT) if "note" in found else ""
        )
        if None in (ref_id, title, publisher, url, verification, note):
            return None
        return Reference(
            str(ref_id), str(title), str(publisher), str(url), str(verification), str(note)
        )

    def contact(self, node: yaml.Node, path: str) -> Contact | None:
        found = self.mapping(node, path, CONTACT_KEYS, ("role", "who", "when"))
        if found is None:
            return None
        role = (
            self.pattern(found["role"], f"{path}.role", _KEY, "role (lower-case slug)")
            if "role" in found
            else None
        )
        who = self.localized(found["who"], f"{path}.who") if "who" in found else None
        when = (
            self.localized(found["when"], f"{path}.when", max_length=MAX_TEXT)
            if "when" in found
            else None
        )
        details: dict[str, str | None] = {}
        checks = {
            "name": None,
            "phone": (_PHONE, "phone number"),
            "email": (_EMAIL, "e-mail"),
            "url": (_URL, "http(s) URL"),
        }
        for name, check in checks.items():
            if name not in found:
                details[name] = ""
                continue
            value = self.text(found[name], f"{path}.{name}")
            if (
                value is not None
                and value != TO_COMPLETE
                and check is not None
                and not check[0].match(value)
            ):
                self.problem(
                    f"{path}.{name}", f"not a valid {check[1]} (or '{TO_COMPLETE}')", found[name]
                )
                value = None
            details[name] = value
        if role is None or who is None or when is None or None in details.values():
            return None
        return Contact(role, who, when, **{k: str(v) for k, v in details.items()})

    def decision(self, node: yaml.Node, path: str) -> Decision | None:
        found = self.mapping(node, path, DECISION_KEYS, DECISION_KEYS)
        if found is None:
            return None
        question = (
            self.localized(found["question"], f"{path}.question", max_length=MAX_TEXT)
            if "question" in found
            else None
        )
        options: list[LocalizedText | None] = []
        if "options" in found:
            items = self.sequence(found["options"], f"{path}.options", min_items=2, max_items=10)
            options = [
                self.localized(item, f"{path}.options[{index}]") for index, item in enumerate(items)
            ]
        if question is None or "options" not in found or len(options) < 2 or None in options:
            return None
        return Decision(question, tuple(option for option in options if option is not None))

    def step(
        self, node: yaml.Node, path: str, seen_ids: dict[str, str], reference_ids: list[str]
    ) -> Step | None:
        found = self.mapping(node, path, STEP_KEYS, ("id", "title"))
        if found is None:
            return None
        ok = True
        step_id = None
        if "id" in found:
            step_id = self.pattern(
                found["id"],
                f"{path}.id",
                _STEP_ID,
                "step id (lower-case letters, digits, '-' and '_')",
            )
            if step_id is not None and step_id in seen_ids:
                self.problem(
                    f"{path}.id",
                    f"step id '{step_id}' already used at {seen_ids[step_id]}",
                    found["id"],
                )
                ok = False
            elif step_id is not None:
                seen_ids[step_id] = path
        title = self.localized(found["title"], f"{path}.title") if "title" in found else None
        description = None
        if "description" in found:
            description = self.localized(
                found["description"], f"{path}.description", max_length=MAX_TEXT
            )
            ok = ok and description is not None
        owner_role = ""
        if "owner_role" in found:
            owner_role = (
                self.pattern(
                    found["owner_role"], f"{path}.owner_role", _KEY, "role (lower-case slug)"
                )
                or ""
            )
            ok = ok and bool(owner_role)
        due_after, due_text = None, ""
        if "due_after" in found:
            due_after, due_text = self.duration(found["due_after"], f"{path}.due_after")
            ok = ok and due_after is not None
        due_from = "discovery"
        if "due_from" in found:
            due_from = self.choice(found["due_from"], f"{path}.due_from", DUE_FROM) or ""
            ok = ok and bool(due_from)
            if "due_after" not in found:
                self.problem(
                    f"{path}.due_from", "only meaningful with due_after", found["due_from"]
                )
                ok = False
        decision = None
        if "decision" in found:
            decision = self.decision(found["decision"], f"{path}.decision")
            ok = ok and decision is not None
        references: tuple[str, ...] = ()
        if "references" in found:
            references = self.id_list(
                found["references"],
                f"{path}.references",
                reference_ids,
                "reference (declare it in 'references')",
            )
        obligations: tuple[str, ...] = ()
        if "obligations" in found:
            obligations = self.id_list(
                found["obligations"],
                f"{path}.obligations",
                choices_of(ObligationId),
                "obligation id",
            )
        if not ok or step_id is None or title is None:
            return None
        return Step(
            step_id,
            title,
            description,
            owner_role,
            due_after,
            due_text,
            due_from,
            decision,
            references,
            obligations,
        )

    def duration(self, node: yaml.Node, path: str) -> tuple[timedelta | None, str]:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.problem(path, "expected an ISO 8601 duration such as PT1H, PT30M, P2D, P1W", node)
            return None, ""
        try:
            value = parse_duration(node.value)
        except ValueError:
            self.problem(
                path,
                "not an ISO 8601 duration in weeks, days, hours or minutes "
                "(e.g. PT1H, PT30M, P2D, P1DT12H, P1W; years and months are "
                "not accepted)",
                node,
            )
            return None, ""
        if value > MAX_DUE_AFTER:
            self.problem(path, "longer than 366 days", node)
            return None, ""
        return value, node.value

    def document(self, root: yaml.Node) -> Playbook | None:
        found = self.mapping(
            root,
            "",
            TOP_KEYS,
            ("schema_version", "key", "version", "title", "categories", "phases"),
        )
        if found is None:
            return None
        schema_version = None
        if "schema_version" in found:
            node = found["schema_version"]
            if (
                not isinstance(node, yaml.ScalarNode)
                or node.tag != _INT
                or node.value != str(SCHEMA_VERSION)
            ):
                self.problem(
                    "schema_version",
                    f"unsupported schema version; this Hygie reads schema_version {SCHEMA_VERSION}",
                    node,
                )
            else:
                schema_version = SCHEMA_VERSION
        key = (
            self.pattern(
                found["key"],
                "key",
                _KEY,
                "key (lower-case letters, digits, '-' and '_', at most 100)",
            )
            if "key" in found
            else None
        )
        version = None
        if "version" in found:
            node = found["version"]
            if (
                isinstance(node, yaml.ScalarNode)
                and node.tag in (_STR, _TIMESTAMP)
                and is_valid_version(node.value)
            ):
                version = node.value
            else:
                self.problem(
                    "version",
                    "expected a semantic version (1.4.0) or a date "
                    "(2026-03-01, or 2026-03-01.2 for a second revision "
                    "that day)",
                    node,
                )
        title = self.localized(found["title"], "title") if "title" in found else None
        summary = (
            self.localized(found["summary"], "summary", max_length=MAX_TEXT)
            if "summary" in found
            else None
        )
        licence = (
            self.text(found["licence"], "licence", max_length=MAX_TEXT)
            if "licence" in found
            else ""
        )
        categories: tuple[str, ...] = ()
        if "categories" in found:
            categories = self.id_list(
                found["categories"], "categories", choices_of(IncidentCategory), "incident category"
            )
            if isinstance(found["categories"], yaml.SequenceNode) and not found["categories"].value:
                self.problem(
                    "categories", "list at least one incident category", found["categories"]
                )
        obligations: tuple[str, ...] = ()
        if "obligations" in found:
            obligations = self.id_list(
                found["obligations"], "obligations", choices_of(ObligationId), "obligation id"
            )
        references: list[Reference] = []
        if "references" in found:
            for index, item in enumerate(
                self.sequence(found["references"], "references", max_items=100)
            ):
                reference = self.reference(item, f"references[{index}]")
                if reference is None:
                    continue
                if any(ref.id == reference.id for ref in references):
                    self.problem(
                        f"references[{index}].id",
                        f"reference id '{reference.id}' declared twice",
                        item,
                    )
                    continue
                references.append(reference)
        contacts: list[Contact] = []
        if "contacts" in found:
            for index, item in enumerate(
                self.sequence(found["contacts"], "contacts", max_items=100)
            ):
                contact = self.contact(item, f"contacts[{index}]")
                if contact is not None:
                    contacts.append(contact)
        phases = (
            self.phases(found["phases"], [ref.id for ref in references])
            if "phases" in found
            else None
        )
        if (
            None in (schema_version, key, version, title, licence, phases)
            or (summary is None and "summary" in found)
            or self.problems
        ):
            return None
        assert key is not None and version is not None and title is not None
        assert phases is not None and licence is not None
        return Playbook(
            SCHEMA_VERSION,
            key,
            version,
            title,
            categories,
            phases,
            summary,
            licence,
            obligations,
            tuple(references),
            tuple(contacts),
        )

    def phases(self, node: yaml.Node, reference_ids: list[str]) -> tuple[Phase, ...] | None:
        found = self.mapping(node, "phases", PHASES, ())
        if found is None:
            return None
        seen_ids: dict[str, str] = {}
        result: list[Phase] = []
        total = 0
        for phase_key in PHASES:  # lifecycle order, whatever the order in the file
            if phase_key not in found:
                continue
            path = f"phases.{phase_key}"
            phase = self.mapping(found[phase_key], path, PHASE_KEYS, PHASE_KEYS)
            if phase is None or "steps" not in phase:
                continue
            items = self.sequence(phase["steps"], f"{path}.steps", min_items=1, max_items=MAX_STEPS)
            total += len(items)
            steps = [
                self.step(item, f"{path}.steps[{index}]", seen_ids, reference_ids)
                for index, item in enumerate(items)
            ]
            result.append(Phase(phase_key, tuple(step for step in steps if step is not None)))
        if total == 0 and found:
            return tuple(result)
        if not found:
            self.problem(
                "phases", f"at least one phase with steps is required ({', '.join(PHASES)})", node
            )
            return None
        if total > MAX_STEPS:
            self.problem("phases", f"more than {MAX_STEPS} steps in all", node)
            return None
        return tuple(result)


def _compose(text: str, source: str | None) -> tuple[yaml.Node | None, list[PlaybookProblem]]:
    """The node tree, from the platform's hardened loader (size, depth and node count bounded
    before any tree is built, aliases refused: no "billion laughs"), and the keys given twice,
    reported with the checker's own problems."""
    try:
        return documents.compose_yaml(text, source, PLAYBOOK_LIMITS), []
    except documents.DocumentError as error:
        problems = [
            PlaybookProblem(
                documents.dotted_path(problem.path) or "(document)",
                problem.message,
                problem.location,
            )
            for problem in error.problems
        ]
        if not error.documents:
            raise PlaybookError(problems, source) from None
        return error.documents[0].data, problems  # only duplicate keys


def parse_playbook(text: str, source: str | None = None) -> Playbook:
    """Validate a playbook document; raise :class:`PlaybookError` listing every problem."""
    root, duplicates = _compose(text, source)
    if root is None:
        raise PlaybookError(
            [PlaybookProblem("(document)", "the document is empty", Location(source))], source
        )
    checker = _Checker(source)
    checker.problems.extend(duplicates)
    playbook = checker.document(root)
    if checker.problems or playbook is None:
        problems = checker.problems or [
            PlaybookProblem("(document)", "not a valid playbook", Location(source))
        ]
        raise PlaybookError(sorted(problems, key=_problem_order), source)
    return playbook


def validate_playbook(text: str, source: str | None = None) -> list[PlaybookProblem]:
    """Every problem of a playbook document (an empty list when it is valid): the dry run."""
    try:
        parse_playbook(text, source)
    except PlaybookError as error:
        return list(error.problems)
    return []


def _problem_order(problem: PlaybookProblem) -> tuple[int, int]:
    location = problem.location
    if location is None or location.line is None:
        return (0, 0)
    return (location.line, location.column or 0)


@dataclass(frozen=True)
class PhaseProgress:
    """How many of a phase's tasks are done; the caller leaves cancelled tasks out."""

    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
        }


def phase_progress(tasks: list[tuple[str, bool]]) -> tuple[PhaseProgress, ...]:
    """(phase, is_done) for each task → per-phase progress, in lifecycle order."""
    counts: dict[str, list[int]] = {}
    for phase, settled in tasks:
        done_total = counts.setdefault(phase, [0, 0])
        done_total[1] += 1
        if settled:
            done_total[0] += 1
    ordered = [p for p in PHASES if p in counts] + sorted(p for p in counts if p not in PHASES)
    return tuple(PhaseProgress(p, counts[p][0], counts[p][1]) for p in ordered)
