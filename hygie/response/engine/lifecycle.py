"""The incident lifecycle (NIST SP 800-61): which moves are allowed, and which need a note.

Pure: statuses are the stored strings of ``IncidentStatus``. The service turns a refusal's
``code`` into a translated message; the English text here is for logs and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from hygie.response.engine.choices import IncidentStatus
from hygie.response.engine.errors import ResponseEngineError

# The statuses in lifecycle order, as the vocabulary declares them (one definition).
LIFECYCLE: tuple[str, ...] = tuple(status.value for status in IncidentStatus)
CLOSED = IncidentStatus.CLOSED.value
POST_INCIDENT = IncidentStatus.POST_INCIDENT.value

# Status → the incident field recording when it was first entered (the KPIs read them).
MILESTONE_FIELDS: dict[str, str] = {
    "triage": "triaged_at",
    "containment": "contained_at",
    "eradication": "eradicated_at",
    "recovery": "recovered_at",
    "post_incident": "post_incident_at",
    "closed": "closed_at",
}


class TransitionError(ResponseEngineError):
    """A move the lifecycle does not allow. ``code`` is stable for callers to translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Move:
    """An allowed move: its direction and whether the person must explain it."""

    from_status: str
    to_status: str
    kind: str  # "forward", "back", "reopen", "close"
    needs_note: bool


def position(status: str) -> int:
    try:
        return LIFECYCLE.index(status)
    except ValueError:
        raise TransitionError("unknown_status", f"unknown status {status!r}") from None


def check_move(from_status: str, to_status: str, note: str = "") -> Move:
    """The move from one status to another, or TransitionError when the rules refuse it.

    * forward by one or more steps (phases may be skipped when they did not apply);
    * closing straight from an earlier phase than post-incident needs a note (false positive,
      duplicate…), closing from post-incident does not;
    * back by exactly one step, with a note saying why (e.g. a new compromised host found
      during recovery sends the incident back to eradication);
    * a closed incident only reopens to post-incident, with a note.
    """
    start, end = position(from_status), position(to_status)
    has_note = bool(note.strip())
    if start == end:
        raise TransitionError("same_status", f"the incident is already in {to_status}")
    if from_status == CLOSED:
        if to_status != POST_INCIDENT:
            raise TransitionError(
                "reopen_target", "a closed incident can only be reopened to post-incident"
            )
        if not has_note:
            raise TransitionError("note_required", "reopening needs a note")
        return Move(from_status, to_status, "reopen", True)
    if end > start:
        if to_status == CLOSED:
            needs_note = from_status != POST_INCIDENT
            if needs_note and not has_note:
                raise TransitionError(
                    "note_required", "closing before the post-incident phase needs a note"
                )
            return Move(from_status, to_status, "close", needs_note)
        return Move(from_status, to_status, "forward", False)
    if start - end > 1:
        raise TransitionError("back_too_far", "an incident goes back one phase at a time")
    if not has_note:
        raise TransitionError("note_required", "going back a phase needs a note")
    return Move(from_status, to_status, "back", True)


def allowed_targets(from_status: str) -> list[Move]:
    """Every status reachable from ``from_status``, with whether a note is required."""
    moves = []
    for target in LIFECYCLE:
        try:
            moves.append(check_move(from_status, target, note="x"))
        except TransitionError:
            continue
    return [
        Move(
            move.from_status,
            move.to_status,
            move.kind,
            _needs_note(move.from_status, move.to_status),
        )
        for move in moves
    ]


def _needs_note(from_status: str, to_status: str) -> bool:
    try:
        check_move(from_status, to_status, note="")
    except TransitionError:
        return True
    return False


def milestones_to_set(to_status: str, already_set: dict[str, bool]) -> list[str]:
    """Milestone fields to stamp on entering ``to_status`` (only on first entry, except closing,
    which is stamped on every close since a reopened incident is no longer closed)."""
    field = MILESTONE_FIELDS.get(to_status)
    if field is None:
        return []
    if to_status == CLOSED or not already_set.get(field, False):
        return [field]
    return []


def is_open(status: str) -> bool:
    return status != CLOSED
