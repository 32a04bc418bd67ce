"""The incident lifecycle rules (pure): every pair of statuses, with and without a note."""

from __future__ import annotations

import pytest

from hygie.response.engine.lifecycle import (
    LIFECYCLE,
    MILESTONE_FIELDS,
    TransitionError,
    allowed_targets,
    check_move,
    milestones_to_set,
)


def expected(start: str, end: str, note: bool) -> str | None:
    """The rule written independently of the engine: the kind of move, or None if refused."""
    i, j = LIFECYCLE.index(start), LIFECYCLE.index(end)
    if i == j:
        return None
    if start == "closed":
        return "reopen" if end == "post_incident" and note else None
    if j > i:
        if end == "closed":
            return "close" if start == "post_incident" or note else None
        return "forward"
    if i - j == 1:
        return "back" if note else None
    return None


@pytest.mark.parametrize("note", [False, True])
@pytest.mark.parametrize("end", LIFECYCLE)
@pytest.mark.parametrize("start", LIFECYCLE)
def test_every_move(start, end, note):
    want = expected(start, end, note)
    if want is None:
        with pytest.raises(TransitionError):
            check_move(start, end, "because" if note else "")
    else:
        assert check_move(start, end, "because" if note else "").kind == want


def test_refusal_codes():
    with pytest.raises(TransitionError) as same:
        check_move("triage", "triage")
    assert same.value.code == "same_status"
    with pytest.raises(TransitionError) as far:
        check_move("recovery", "triage", "note")
    assert far.value.code == "back_too_far"
    with pytest.raises(TransitionError) as note:
        check_move("recovery", "eradication", "   ")
    assert note.value.code == "note_required"
    with pytest.raises(TransitionError) as reopen:
        check_move("closed", "triage", "note")
    assert reopen.value.code == "reopen_target"
    with pytest.raises(TransitionError) as unknown:
        check_move("new", "resolved")
    assert unknown.value.code == "unknown_status"


def test_allowed_targets_say_which_need_a_note():
    moves = {move.to_status: move.needs_note for move in allowed_targets("containment")}
    assert moves == {
        "triage": True,
        "eradication": False,
        "recovery": False,
        "post_incident": False,
        "closed": True,
    }
    assert {m.to_status: m.needs_note for m in allowed_targets("post_incident")} == {
        "recovery": True,
        "closed": False,
    }
    assert [(m.to_status, m.needs_note) for m in allowed_targets("closed")] == [
        ("post_incident", True)
    ]


def test_milestones_only_on_first_entry_except_closing():
    assert milestones_to_set("triage", {}) == ["triaged_at"]
    assert milestones_to_set("triage", {"triaged_at": True}) == []
    assert milestones_to_set("closed", {"closed_at": True}) == ["closed_at"]
    assert milestones_to_set("new", {}) == []
    assert set(MILESTONE_FIELDS) == set(LIFECYCLE) - {"new"}
