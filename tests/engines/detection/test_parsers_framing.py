"""TCP syslog framing (RFC 6587): octet counting and LF, split at any read boundary, bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hygie.detection.engine.parsers import FrameState, split_frames


def feed(chunks: list[bytes], limit: int = 64) -> tuple[list[bytes], int]:
    """Run chunks through the splitter as a listener would; return frames and truncations."""
    frames: list[bytes] = []
    truncated = 0
    pending, state = b"", FrameState()
    for chunk in chunks:
        result = split_frames(pending + chunk, state, limit)
        frames.extend(result.frames)
        truncated += result.truncated
        pending, state = result.remainder, result.state
        assert len(pending) <= limit + 11  # the limit plus a length field
    return frames, truncated


def test_octet_counting_and_lf_mixed() -> None:
    result = split_frames(b"11 <13>1 - x y15 <13>1 - - - - zz\n<13>line two\r\n<13>tail")
    assert result.frames == [b"<13>1 - x y", b"<13>1 - - - - z", b"z", b"<13>line two"]
    assert result.remainder == b"<13>tail"


def test_incomplete_octet_frame_waits() -> None:
    result = split_frames(b"20 <13>short")
    assert result.frames == [] and result.remainder == b"20 <13>short"


def test_oversized_octet_frame_is_cut_and_the_rest_skipped() -> None:
    body = b"A" * 100
    frames, truncated = feed([b"100 " + body[:70], body[70:] + b"5 hello"], limit=64)
    assert frames == [b"A" * 64, b"hello"] and truncated == 1


def test_overlong_line_is_cut_and_the_rest_skipped() -> None:
    frames, truncated = feed([b"<13>" + b"B" * 100, b"B" * 100, b"\n<13>ok\n"], limit=64)
    assert frames == [b"<13>" + b"B" * 60, b"<13>ok"] and truncated == 1


def test_digit_led_line_that_is_not_a_length() -> None:
    assert split_frames(b"12abc\n").frames == [b"12abc"]
    assert split_frames(b"99999999999999999 x\n").frames == [b"99999999999999999 x"]


MESSAGES = st.lists(
    st.binary(min_size=1, max_size=40).map(lambda b: b"<13>" + b.replace(b"\n", b"")),
    max_size=8,
)


@given(MESSAGES, st.lists(st.integers(min_value=1, max_value=50), max_size=10), st.booleans())
def test_any_read_boundaries_give_the_same_frames(
    messages: list[bytes], cuts: list[int], octet: bool
) -> None:
    if octet:
        stream = b"".join(b"%d %s" % (len(m), m) for m in messages)
    else:
        stream = b"".join(m + b"\n" for m in messages)
    chunks, position = [], 0
    for cut in cuts:
        chunks.append(stream[position : position + cut])
        position += cut
    chunks.append(stream[position:])
    frames, truncated = feed(chunks, limit=64)
    expected = messages if octet else [m.rstrip(b"\r") for m in messages]
    assert frames == expected and truncated == 0


@given(st.binary(max_size=400), st.integers(min_value=1, max_value=80))
def test_hostile_bytes_never_raise_and_stay_bounded(data: bytes, limit: int) -> None:
    frames, _ = feed([data[:150], data[150:]], limit=limit)
    assert all(len(frame) <= limit for frame in frames)
