"""The observable fields detection hands to event observers: the one-call path for events whose
observable values are all non-empty strings of a bounded total agrees with the field-by-field
reading on any event (None, empty, numbers, long values, the raw line alone), and the mapping it
builds without a dict behaves as the dict would, across processes too."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.detection.prepare import (
    MAX_OBSERVABLE_CHARS,
    ORIGINAL_FIELD,
    ObservableFields,
    PreparedBatch,
    is_observable,
    observable_fields,
)


def _reference(event: dict[str, Any]) -> dict[str, str]:
    """Field by field, as detection read them before the one-call path."""
    found = {}
    for name, value in event.items():
        if is_observable(name) and value and isinstance(value, str):
            found[name] = value[:MAX_OBSERVABLE_CHARS]
    if not found and isinstance(event.get(ORIGINAL_FIELD), str):
        found[ORIGINAL_FIELD] = event[ORIGINAL_FIELD][:MAX_OBSERVABLE_CHARS]
    return found


_NAMES = ["source.ip", "c-ip", "url.original", "message", "host.name", "user.name", "EventID",
          "process.command_line", "file.hash.sha256", ORIGINAL_FIELD, "status"]  # fmt: skip
_VALUES = st.one_of(
    st.text(max_size=20),
    st.just(""),
    st.none(),
    st.integers(),
    st.just("x" * (MAX_OBSERVABLE_CHARS - 3)),
    st.just("y" * (MAX_OBSERVABLE_CHARS + 5)),
)


@settings(max_examples=400, deadline=None)
@given(event=st.dictionaries(st.sampled_from(_NAMES), _VALUES, max_size=len(_NAMES)))
def test_observable_fields_agree_with_the_field_by_field_reading(event: dict[str, Any]) -> None:
    first = observable_fields(event)
    reference = _reference(event)
    assert first == reference
    assert list(first) == list(reference)  # in the event's order
    assert list(first.items()) == list(reference.items())
    assert list(first.values()) == list(reference.values())
    assert observable_fields(event) == first  # the cached plan gives the same


def test_a_web_event_gives_its_observable_strings_in_one_call() -> None:
    event = {"source.ip": "10.2.2.3", "http.response.status_code": 200, "c-ip": "10.2.2.3",
             "url.original": "/a?b=1", "message": "GET /a?b=1 HTTP/1.1", "bytes": 12}  # fmt: skip
    assert observable_fields(event) == {
        "source.ip": "10.2.2.3",
        "c-ip": "10.2.2.3",
        "url.original": "/a?b=1",
        "message": "GET /a?b=1 HTTP/1.1",
    }


def test_the_mapping_without_a_dict_reads_as_the_dict() -> None:
    names, values = ("source.ip", "url.original", "message"), ("10.0.0.1", "/a", "GET /a")
    fields = ObservableFields(names, values)
    same = dict(zip(names, values, strict=True))
    assert fields == same and same == fields and dict(fields) == same
    assert fields["url.original"] == "/a" and fields.get("nope") is None and "message" in fields
    assert len(fields) == 3 and list(fields) == list(names) and list(fields.keys()) == list(names)
    assert tuple(fields.values()) == values and list(fields.items()) == list(same.items())
    with pytest.raises(KeyError, match="nope"):
        fields["nope"]
    assert not hasattr(fields, "__dict__")  # slots: a few words per event
    # Batches prepared in worker processes reach the storing process pickled.
    copied = pickle.loads(pickle.dumps([fields, ObservableFields(names, values)]))
    assert copied == [same, same]
    assert all(type(one) is ObservableFields for one in copied)
    # rebuilt by one call from its tuples: no state dict written and read back per event
    assert fields.__reduce__() == (ObservableFields, (names, values))
    assert "10.0.0.1" in repr(fields)


def test_a_batch_hands_observers_mappings_whatever_form_was_picked() -> None:
    batch = PreparedBatch(
        observables=[
            (0, (("source.ip", "message"), ("10.0.0.1", "GET /a"))),  # the usual, two tuples
            (2, {"message": "only text"}),  # the other form, a dict
        ]
    )
    expected = [(7, {"source.ip": "10.0.0.1", "message": "GET /a"}), (9, {"message": "only text"})]
    assert batch.observed([7, 8, 9]) == expected
    # as it reaches the storing process from a preparing one
    assert pickle.loads(pickle.dumps(batch)).observed([7, 8, 9]) == expected
    assert isinstance(batch.observed([7, 8, 9])[0][1], ObservableFields)
