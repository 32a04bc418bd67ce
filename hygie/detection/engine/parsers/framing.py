"""Syslog over TCP (RFC 6587): split a byte stream into messages, with bounded buffering.

Two framings share one port in practice: octet counting (``<length> <message>``, RFC 5425
and RFC 6587 §3.4.1), recognised by a leading digit, and non-transparent framing (one message
per line, §3.4.2). The splitter is pure: the listener keeps the returned remainder and state
and hands them back with the next bytes it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_FRAME_BYTES = 64 * 1024
_MAX_LENGTH_DIGITS = 10  # a length field longer than this is junk, not a frame


@dataclass(frozen=True)
class FrameState:
    """Bytes still to skip from an oversized frame: a count, or up to the next newline."""

    skip_bytes: int = 0
    skip_to_newline: bool = False


@dataclass(frozen=True)
class Frames:
    """Complete messages, the unfinished tail to prepend to the next read, and the state.

    ``truncated`` counts frames longer than the limit: their first ``max_frame_bytes`` bytes
    are returned as a message (kept, not lost) and the rest is skipped.
    """

    frames: list[bytes]
    remainder: bytes
    state: FrameState = field(default_factory=FrameState)
    truncated: int = 0


def split_frames(
    buffer: bytes, state: FrameState | None = None, max_frame_bytes: int = MAX_FRAME_BYTES
) -> Frames:
    """Every complete frame in ``buffer``; the remainder never exceeds ``max_frame_bytes``
    (plus a length field), so a peer that never ends its frame cannot grow the buffer.
    """
    state = state or FrameState()
    skip_bytes, skip_line = state.skip_bytes, state.skip_to_newline
    frames: list[bytes] = []
    truncated = 0
    position, length = 0, len(buffer)
    while True:
        if skip_bytes:
            step = min(skip_bytes, length - position)
            position, skip_bytes = position + step, skip_bytes - step
            if skip_bytes:
                return Frames(frames, b"", FrameState(skip_bytes=skip_bytes), truncated)
        if skip_line:
            newline = buffer.find(b"\n", position)
            if newline < 0:
                return Frames(frames, b"", FrameState(skip_to_newline=True), truncated)
            position, skip_line = newline + 1, False
        while position < length and buffer[position] in b"\r\n\x00 ":
            position += 1  # stray separators between frames
        if position >= length:
            break
        if 0x31 <= buffer[position] <= 0x39:  # a leading 1-9 announces octet counting
            end = position
            while (
                end < length
                and end - position <= _MAX_LENGTH_DIGITS
                and 0x30 <= buffer[end] <= 0x39
            ):
                end += 1
            if end == length and end - position <= _MAX_LENGTH_DIGITS:
                break  # the length field itself is not complete yet
            if end - position <= _MAX_LENGTH_DIGITS and buffer[end] == 0x20:
                size, start = int(buffer[position:end]), end + 1
                if size <= max_frame_bytes:
                    if length - start < size:
                        break
                    frames.append(buffer[start : start + size])
                    position = start + size
                    continue
                if length - start < max_frame_bytes:
                    break  # wait for the part that is kept
                frames.append(buffer[start : start + max_frame_bytes])
                truncated += 1
                position, skip_bytes = start + max_frame_bytes, size - max_frame_bytes
                continue
            # A digit-led line that is no length field: read it as a line.
        newline = buffer.find(b"\n", position, position + max_frame_bytes + 1)
        if newline >= 0:
            frames.append(buffer[position:newline].rstrip(b"\r"))
            position = newline + 1
            continue
        if length - position > max_frame_bytes:
            frames.append(buffer[position : position + max_frame_bytes])
            truncated += 1
            position, skip_line = position + max_frame_bytes, True
            continue
        break
    return Frames(frames, buffer[position:], FrameState(), truncated)
