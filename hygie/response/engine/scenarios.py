"""Crisis exercise scenarios: a YAML file of timed injects, parsed, checked and scheduled.

Pure: text in, frozen dataclasses out; no file access, no clock (callers pass the elapsed time).
Parsing follows the facts parser's conventions: the hardened loader of ``hygie.lib.documents``
(size, depth and node limits, no aliases, duplicate keys refused), every problem collected before
raising, each with its dotted path and the line of its key; unknown keys
are refused with the valid ones listed, so a typo never silently drops an inject's content.

Format reference: docs/response-exercises.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hygie.lib import documents
from hygie.lib.errors import Location
from hygie.response.engine.choices import ObligationId, choices_of
from hygie.response.engine.errors import DocumentError, DocumentProblem
from hygie.response.engine.text import LANGUAGES, LocalizedText

SCHEMA_VERSION = 1
# A shipped scenario is ~30 KiB; the cap bounds the memory a hostile file can claim.
MAX_SCENARIO_BYTES = 256 * 1024
MAX_YAML_EVENTS = 50_000
# The format nests five levels (injects → inject → expected_actions → language → items).
SCENARIO_LIMITS = documents.Limits(
    max_bytes=MAX_SCENARIO_BYTES, max_depth=10, max_nodes=MAX_YAML_EVENTS
)
MAX_INJECTS = 200
MAX_DURATION = timedelta(days=7)
MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 20_000
MAX_LIST_ITEMS = 50
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")

# Where an inject comes from, as the players would receive it. Closed, so the console can show a
# translated label and an icon-free badge for each.
CHANNELS = (
    "phone",
    "mail",
    "press",
    "social_media",
    "soc",
    "it_team",
    "ehr_vendor",
    "supplier",
    "ars",
    "cert_sante",
    "cnil",
    "anssi",
    "police",
    "management",
    "clinical_staff",
    "patient",
    "other",
)

TOP_KEYS_REQUIRED = (
    "schema_version",
    "key",
    "version",
    "title",
    "summary",
    "objectives",
    "duration",
    "injects",
)
TOP_KEYS_OPTIONAL = ("audience",)
INJECT_KEYS_REQUIRED = ("id", "at", "channel", "from", "title", "content")
INJECT_KEYS_OPTIONAL = ("expected_actions", "facilitator_notes")
ACTION_KEYS = ("fr", "en", "obligations")

_DURATION = re.compile(
    r"^P(?:(?P<days>\d{1,3})D)?(?:T(?=\d)(?:(?P<hours>\d{1,4})H)?"
    r"(?:(?P<minutes>\d{1,5})M)?(?:(?P<seconds>\d{1,6})S)?)?$"
)


ScenarioProblem = DocumentProblem


class ScenarioError(DocumentError):
    """A scenario cannot be used."""

    header = "invalid scenario {source}"


@dataclass(frozen=True)
class ExpectedAction:
    """What the players should do on an inject, and the regulatory obligations it answers."""

    text: LocalizedText
    obligations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inject:
    """A message delivered to the players at a fixed offset from the start of the exercise."""

    id: str
    at: timedelta
    channel: str
    sender: str  # the ``from`` key: who the message appears to come from
    title: LocalizedText
    content: LocalizedText
    expected_actions: tuple[ExpectedAction, ...] = ()
    facilitator_notes: LocalizedText | None = None

    @property
    def obligations(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for action in self.expected_actions:
            seen.update(dict.fromkeys(action.obligations))
        return tuple(seen)


@dataclass(frozen=True)
class Scenario:
    """A whole exercise script: what it trains, how long it lasts, and its injects in order."""

    key: str
    version: int
    title: LocalizedText
    summary: LocalizedText
    objectives: tuple[LocalizedText, ...]
    duration: timedelta
    injects: tuple[Inject, ...]
    audience: LocalizedText | None = None
    schema_version: int = SCHEMA_VERSION
    _by_id: Mapping[str, Inject] = field(default_factory=dict, repr=False, compare=False)

    def inject(self, inject_id: str) -> Inject | None:
        if self._by_id:
            return self._by_id.get(inject_id)
        return next((item for item in self.injects if item.id == inject_id), None)


# ---------------------------------------------------------------------------------------------
# Scheduling


def due_injects(
    scenario: Scenario, elapsed: timedelta, delivered: Iterable[str] = ()
) -> tuple[Inject, ...]:
    """Injects whose time has come (``at <= elapsed``) and that were not delivered yet, in order.

    An inject is due at its offset exactly: at PT15M it is due when 15 minutes have elapsed.
    """
    done = frozenset(delivered)
    return tuple(item for item in scenario.injects if item.at <= elapsed and item.id not in done)


def next_inject(scenario: Scenario, delivered: Iterable[str] = ()) -> Inject | None:
    """The first inject, in scenario order, not delivered yet (None when all were delivered).

    Delivered injects are skipped whatever their offset, so one the facilitator delivered early
    is not counted down again.
    """
    done = frozenset(delivered)
    return next((item for item in scenario.injects if item.id not in done), None)


def parse_duration(value: str) -> timedelta | None:
    """An ISO 8601 duration made of days, hours, minutes and seconds (``PT15M``, ``P1DT2H``).

    Years, months and weeks are refused: their length depends on the calendar.
    """
    match = _DURATION.match(value)
    if match is None or value in {"P", "PT"}:
        return None
    parts = {name: int(text) for name, text in match.groupdict().items() if text is not None}
    if not parts:
        return None
    return timedelta(**parts)


def format_duration(value: timedelta) -> str:
    """The ISO 8601 form :func:`parse_duration` reads back (``PT2H30M``, ``PT0S``)."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
        if amount
    )
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


# ---------------------------------------------------------------------------------------------
# YAML input


def parse_scenario(text: str, source: str | None = None) -> Scenario:
    """Parse a YAML scenario; raise :class:`ScenarioError` listing every problem."""
    problems: list[ScenarioProblem] = []
    try:
        document = documents.load_yaml(text, source, SCENARIO_LIMITS)
    except documents.DocumentError as error:
        problems = [
            ScenarioProblem(
                documents.dotted_path(problem.path) or "(document)",
                problem.message,
                problem.location,
            )
            for problem in error.problems
        ]
        if not error.documents:
            raise ScenarioError(problems, source) from None
        # Only duplicate keys: report them with every other problem of the document.
        document = error.documents[0]
    return scenario_from_dict(
        document.data, lines=document.dotted_lines(), source=source, problems=problems
    )


# ---------------------------------------------------------------------------------------------
# Validation of the parsed document


class _Checker:
    """Collects problems while converting a mapping; one instance per document."""

    def __init__(
        self, lines: Mapping[str, int], source: str | None, problems: list[ScenarioProblem]
    ) -> None:
        self.lines = lines
        self.source = source
        self.problems = problems

    def location(self, path: str) -> Location:
        probe = path
        while probe:
            if probe in self.lines:
                return Location(self.source, self.lines[probe])
            probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
        return Location(self.source, 1 if self.lines else None)

    def problem(self, path: str, message: str) -> None:
        self.problems.append(ScenarioProblem(path, message, self.location(path)))

    def keys(
        self,
        data: Mapping[Any, Any],
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> None:
        valid = required + optional
        for key in data:
            if key not in valid:
                where = f"{path}.{key}" if path else str(key)
                self.problem(where, f"unknown key; valid keys: {', '.join(valid)}")
        for key in required:
            if key not in data:
                self.problem(path or "(document)", f"missing required key: {key}")

    def text(self, value: object, path: str, limit: int) -> LocalizedText | None:
        """A plain string (same in both languages) or a mapping ``{fr: …, en: …}``."""
        if isinstance(value, str):
            if not self._string(value, path, limit):
                return None
            return LocalizedText(value.strip(), value.strip())
        if isinstance(value, Mapping):
            for key in value:
                if key not in LANGUAGES:
                    self.problem(
                        f"{path}.{key}", f"unknown language; valid keys: {', '.join(LANGUAGES)}"
                    )
            texts: dict[str, str] = {}
            is_valid = True
            for language in LANGUAGES:
                item = value.get(language)
                if item is None:
                    continue
                if not isinstance(item, str):
                    self.problem(f"{path}.{language}", "must be text")
                    is_valid = False
                elif self._string(item, f"{path}.{language}", limit):
                    texts[language] = item.strip()
                else:
                    is_valid = False
            if not is_valid:
                return None
            if not texts:
                self.problem(path, "needs a text in at least one language (fr or en)")
                return None
            return LocalizedText(texts.get("fr", ""), texts.get("en", ""))
        self.problem(path, "must be text, or a mapping with fr and en texts")
        return None

    def _string(self, value: str, path: str, limit: int) -> bool:
        if not value.strip():
            self.problem(path, "must not be empty")
            return False
        if len(value) > limit:
            self.problem(path, f"longer than {limit} characters")
            return False
        return True

    def duration(self, value: object, path: str) -> timedelta | None:
        example = "an ISO 8601 duration such as PT15M, PT2H30M or P1DT2H"
        if not isinstance(value, str):
            self.problem(path, f"must be {example} (as text)")
            return None
        parsed = parse_duration(value.strip())
        if parsed is None:
            self.problem(path, f"must be {example}; years, months and weeks are not accepted")
            return None
        if parsed > MAX_DURATION:
            self.problem(path, f"longer than {MAX_DURATION.days} days")
            return None
        return parsed

    def sequence(self, value: object, path: str, limit: int) -> list[Any] | None:
        if not isinstance(value, list):
            self.problem(path, "must be a list")
            return None
        if len(value) > limit:
            self.problem(path, f"more than {limit} items")
            return None
        return value


def scenario_from_dict(
    data: object,
    *,
    lines: Mapping[str, int] | None = None,
    source: str | None = None,
    problems: list[ScenarioProblem] | None = None,
) -> Scenario:
    """Build a :class:`Scenario` from a parsed document; raise :class:`ScenarioError`."""
    found: list[ScenarioProblem] = list(problems or ())
    check = _Checker(lines or {}, source, found)
    if not isinstance(data, Mapping):
        check.problem(
            "(document)", f"must be a mapping of scenario fields ({', '.join(TOP_KEYS_REQUIRED)})"
        )
        raise ScenarioError(found, source)
    check.keys(data, "", TOP_KEYS_REQUIRED, TOP_KEYS_OPTIONAL)

    schema = data.get("schema_version")
    if "schema_version" in data and (isinstance(schema, bool) or schema != SCHEMA_VERSION):
        check.problem(
            "schema_version",
            f"unsupported; this version of Hygie reads schema_version {SCHEMA_VERSION}",
        )
    key = data.get("key")
    if "key" in data and not (isinstance(key, str) and KEY_PATTERN.match(key)):
        check.problem("key", "must be lower-case letters, digits, - and _ (at most 100)")
    version = data.get("version")
    if "version" in data and (
        isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 1_000_000
    ):
        check.problem("version", "must be a whole number from 1")
    title = check.text(data["title"], "title", MAX_SHORT_TEXT) if "title" in data else None
    summary = check.text(data["summary"], "summary", MAX_LONG_TEXT) if "summary" in data else None
    audience = (
        check.text(data["audience"], "audience", MAX_LONG_TEXT)
        if data.get("audience") is not None
        else None
    )
    objectives: list[LocalizedText] = []
    items = (
        check.sequence(data["objectives"], "objectives", MAX_LIST_ITEMS)
        if "objectives" in data
        else None
    )
    for index, item in enumerate(items or ()):
        text = check.text(item, f"objectives[{index}]", MAX_LONG_TEXT)
        if text is not None:
            objectives.append(text)
    if items is not None and not items:
        check.problem("objectives", "list at least one objective")
    duration = check.duration(data["duration"], "duration") if "duration" in data else None

    injects: list[Inject] = []
    raw_injects = (
        check.sequence(data["injects"], "injects", MAX_INJECTS) if "injects" in data else None
    )
    if raw_injects is not None and not raw_injects:
        check.problem("injects", "list at least one inject")
    first_seen: dict[str, int] = {}
    previous: tuple[int, timedelta] | None = None
    for index, raw in enumerate(raw_injects or ()):
        inject = _inject(check, raw, f"injects[{index}]")
        if inject is None:
            continue
        path = f"injects[{index}]"
        if inject.id in first_seen:
            check.problem(f"{path}.id", f"id already used by injects[{first_seen[inject.id]}]")
        else:
            first_seen[inject.id] = index
        if previous is not None and inject.at <= previous[1]:
            check.problem(
                f"{path}.at",
                f"must come after injects[{previous[0]}] "
                f"({format_duration(previous[1])}): injects are listed "
                "in strictly increasing time order",
            )
        if duration is not None and inject.at > duration:
            check.problem(
                f"{path}.at",
                f"after the end of the exercise (duration {format_duration(duration)})",
            )
        previous = (index, inject.at)
        injects.append(inject)

    if found:
        raise ScenarioError(found, source)
    assert isinstance(key, str) and isinstance(version, int)
    assert title is not None and summary is not None and duration is not None
    return Scenario(
        key=key,
        version=version,
        title=title,
        summary=summary,
        objectives=tuple(objectives),
        duration=duration,
        injects=tuple(injects),
        audience=audience,
        schema_version=SCHEMA_VERSION,
        _by_id={item.id: item for item in injects},
    )


def _inject(check: _Checker, raw: object, path: str) -> Inject | None:
    if not isinstance(raw, Mapping):
        check.problem(path, f"must be a mapping ({', '.join(INJECT_KEYS_REQUIRED)})")
        return None
    before = len(check.problems)
    check.keys(raw, path, INJECT_KEYS_REQUIRED, INJECT_KEYS_OPTIONAL)
    inject_id = raw.get("id")
    if "id" in raw and not (isinstance(inject_id, str) and KEY_PATTERN.match(inject_id)):
        check.problem(f"{path}.id", "must be lower-case letters, digits, - and _ (at most 100)")
    at = check.duration(raw["at"], f"{path}.at") if "at" in raw else None
    channel = raw.get("channel")
    if "channel" in raw and channel not in CHANNELS:
        check.problem(f"{path}.channel", f"unknown channel; valid channels: {', '.join(CHANNELS)}")
    sender = raw.get("from")
    if "from" in raw and not (
        isinstance(sender, str) and sender.strip() and len(sender) <= MAX_SHORT_TEXT
    ):
        check.problem(
            f"{path}.from", f"must be non-empty text of at most {MAX_SHORT_TEXT} characters"
        )
    title = check.text(raw["title"], f"{path}.title", MAX_SHORT_TEXT) if "title" in raw else None
    content = (
        check.text(raw["content"], f"{path}.content", MAX_LONG_TEXT) if "content" in raw else None
    )
    notes = (
        check.text(raw["facilitator_notes"], f"{path}.facilitator_notes", MAX_LONG_TEXT)
        if raw.get("facilitator_notes") is not None
        else None
    )
    actions: list[ExpectedAction] = []
    raw_actions = (
        check.sequence(raw["expected_actions"], f"{path}.expected_actions", MAX_LIST_ITEMS)
        if raw.get("expected_actions") is not None
        else None
    )
    for index, item in enumerate(raw_actions or ()):
        action = _action(check, item, f"{path}.expected_actions[{index}]")
        if action is not None:
            actions.append(action)
    if len(check.problems) > before:
        return None
    assert isinstance(inject_id, str) and at is not None and isinstance(channel, str)
    assert isinstance(sender, str) and title is not None and content is not None
    return Inject(
        id=inject_id,
        at=at,
        channel=channel,
        sender=sender.strip(),
        title=title,
        content=content,
        expected_actions=tuple(actions),
        facilitator_notes=notes,
    )


def _action(check: _Checker, raw: object, path: str) -> ExpectedAction | None:
    """An action is a text, or ``{fr: …, en: …, obligations: [cert_sante, …]}``."""
    if not isinstance(raw, Mapping):
        text = check.text(raw, path, MAX_LONG_TEXT)
        return ExpectedAction(text) if text is not None else None
    before = len(check.problems)
    for key in raw:
        if key not in ACTION_KEYS:
            check.problem(f"{path}.{key}", f"unknown key; valid keys: {', '.join(ACTION_KEYS)}")
    text = check.text({lang: raw[lang] for lang in LANGUAGES if lang in raw}, path, MAX_LONG_TEXT)
    obligations: list[str] = []
    valid = choices_of(ObligationId)
    items = (
        check.sequence(raw["obligations"], f"{path}.obligations", len(valid))
        if raw.get("obligations") is not None
        else None
    )
    for index, item in enumerate(items or ()):
        if item not in valid:
            check.problem(
                f"{path}.obligations[{index}]", f"unknown obligation; valid ids: {', '.join(valid)}"
            )
        elif item not in obligations:
            obligations.append(item)
    if len(check.problems) > before or text is None:
        return None
    return ExpectedAction(text, tuple(obligations))
