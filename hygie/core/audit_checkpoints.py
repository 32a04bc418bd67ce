"""Signed checkpoints of the audit chain, written outside the database.

A checkpoint says "on <time> the chain reached entry #N whose hash was H", signed with the chain's
HMAC key and chained to the previous checkpoint. Kept in an append-only file (default
``HYGIE_HOME/audit/checkpoints.log``, one JSON line each, opened ``O_APPEND``, locked, fsynced),
they let ``hygie audit verify`` detect what a hash chain alone cannot: a deleted tail (with the
head row moved back), a wiped table, a chain rebuilt from scratch.

Checkpoints are written by the ``core.audit_checkpoint`` job (hourly), by ``hygie audit
checkpoint`` and after a key rotation, never per entry: appending an entry stays a database write.

Each checkpoint is also recorded *inside* the keyed chain: checkpoint #N is the entry "Audit
checkpoint #N signed at entry #S", appended first, and the file line anchors that very entry. The
database thus says, under the HMAC key, how many checkpoints the file must hold: deleting or
emptying the file, or cutting its last lines while the record remains, no longer reads as "no
checkpoint yet" (see ``audit_verify``).
Each new checkpoint is also logged on the ``hygie.audit`` logger, sent to the syslog collector
``HYGIE_AUDIT_SYSLOG`` when set, and announced through the ``checkpoint_written`` signal, so that
a copy lives off-host, where an attacker of this machine cannot rewrite it.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from hygie.core import audit_keys
from hygie.core.models.audit import GENESIS_HASH, AuditChainHead
from hygie.lib.errors import HygieError

logger = logging.getLogger("hygie.audit")

CHECKPOINT_MAC_CONTEXT = b"hygie-audit-checkpoint-v1\n"
FORMAT_VERSION = 1
# Beyond this a line is not ours: refuse it rather than parse an arbitrarily large value.
MAX_LINE_BYTES = 4096
SYSLOG_PRIORITY = 13 * 8 + 6  # facility log audit (13), severity informational (6)
SYSLOG_TIMEOUT_SECONDS = 5.0
# How often the core.audit_checkpoint job anchors the chain; verification expects a checkpoint
# once keyed entries are older than twice this.
CHECKPOINT_INTERVAL = timedelta(hours=1)
# The object type of the chain entry that records each checkpoint (``object_id`` = its number).
RECORD_OBJECT_TYPE = "core.auditcheckpoint"

# Sent after a checkpoint is written (kwargs: checkpoint=Checkpoint, line=str); receivers may
# forward the signed line off-host. Core never imports the modules that listen.
checkpoint_written = Signal()


class AuditCheckpointError(HygieError):
    """A checkpoint could not be written (damaged checkpoint file, broken chain, I/O error)."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    entry_hash: str
    at: str
    key_id: str
    previous: str
    mac: str = ""

    def signed_content(self) -> bytes:
        fields = {key: value for key, value in asdict(self).items() if key != "mac"}
        fields["v"] = FORMAT_VERSION
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def compute_mac(self, secret: bytes) -> str:
        mac = hmac.new(secret, CHECKPOINT_MAC_CONTEXT, hashlib.sha256)
        mac.update(self.signed_content())
        return mac.hexdigest()

    def to_line(self) -> str:
        fields = {**asdict(self), "v": FORMAT_VERSION}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class CheckpointLog:
    """The checkpoints that verify, in file order, and the first problem of the file if any."""

    checkpoints: tuple[Checkpoint, ...]
    problem: str = ""

    @property
    def last(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def checkpoint_file() -> Path:
    configured = getattr(settings, "HYGIE_AUDIT_CHECKPOINT_FILE", None)
    return (
        Path(configured) if configured else Path(settings.HYGIE_HOME) / "audit" / "checkpoints.log"
    )


def _parse_line(raw: bytes, number: int) -> Checkpoint:
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"line {number} is too long")
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
        raise ValueError(f"line {number} is not a version {FORMAT_VERSION} checkpoint")
    checkpoint = Checkpoint(
        sequence=data["sequence"],
        entry_hash=data["entry_hash"],
        at=data["at"],
        key_id=data["key_id"],
        previous=data["previous"],
        mac=data["mac"],
    )
    if not (
        isinstance(checkpoint.sequence, int)
        and checkpoint.sequence >= 1
        and all(
            isinstance(value, str)
            for value in (
                checkpoint.entry_hash,
                checkpoint.at,
                checkpoint.key_id,
                checkpoint.previous,
                checkpoint.mac,
            )
        )
    ):
        raise ValueError(f"line {number} has fields of the wrong type")
    return checkpoint


def _lines(raw: bytes) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def parse_log(raw: bytes) -> CheckpointLog:
    """Check every line's signature and link to the previous one; stop at the first problem."""
    checkpoints: list[Checkpoint] = []
    previous_mac = GENESIS_HASH
    if raw and not raw.endswith(b"\n"):
        # Each checkpoint is one write ending with a newline: a cut line was cut on purpose or
        # by a crash mid-write; either way it anchors nothing.
        cut = raw.rsplit(b"\n", 1)
        raw = cut[0] + b"\n" if len(cut) == 2 else b""
        trailing_problem = "the last line is incomplete (the file was cut or a write failed)"
    else:
        trailing_problem = ""
    for number, line in _lines(raw):
        try:
            checkpoint = _parse_line(line, number)
        except (ValueError, KeyError, TypeError) as exc:
            detail = (
                str(exc)
                if isinstance(exc, ValueError) and "line" in str(exc)
                else f"line {number} is not a checkpoint ({type(exc).__name__})"
            )
            return CheckpointLog(tuple(checkpoints), detail)
        try:
            key = audit_keys.load(checkpoint.key_id)
        except audit_keys.AuditKeyError as exc:
            return CheckpointLog(tuple(checkpoints), f"line {number}: {exc}")
        if not hmac.compare_digest(checkpoint.compute_mac(key.secret), checkpoint.mac):
            return CheckpointLog(
                tuple(checkpoints),
                f"line {number} (entry #{checkpoint.sequence}): its signature "
                f"does not verify with key {checkpoint.key_id}: forged or edited",
            )
        if checkpoint.previous != previous_mac:
            return CheckpointLog(
                tuple(checkpoints),
                f"line {number} (entry #{checkpoint.sequence}) does not follow "
                "the previous checkpoint: lines were removed, reordered or "
                "copied from another file",
            )
        if checkpoints and checkpoint.sequence < checkpoints[-1].sequence:
            return CheckpointLog(
                tuple(checkpoints),
                f"line {number} anchors #{checkpoint.sequence}, before the "
                f"previous checkpoint's #{checkpoints[-1].sequence}",
            )
        checkpoints.append(checkpoint)
        previous_mac = checkpoint.mac
    return CheckpointLog(tuple(checkpoints), trailing_problem)


def read_log(path: Path | None = None) -> CheckpointLog:
    path = path or checkpoint_file()
    try:
        return parse_log(path.read_bytes())
    except FileNotFoundError:
        return CheckpointLog(())
    except OSError as exc:
        return CheckpointLog((), f"{path} is unreadable ({exc.strerror})")


def _open_for_append(path: Path) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.stat().st_mode & 0o077:
        path.parent.chmod(0o700)
    return os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)


def _read_all(descriptor: int) -> bytes:
    chunks = []
    offset = 0
    while chunk := os.pread(descriptor, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def write_checkpoint() -> tuple[Checkpoint | None, bool]:
    """Anchor the chain's current head: returns (the latest checkpoint, whether it is new).

    The entries since the previous checkpoint are verified first: a checkpoint must never vouch
    for a chain that was already tampered with. Nothing is written when the head has not moved.
    """
    from hygie.core.audit_verify import verify_segment  # verification reads checkpoints too

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.sequence == 0:
        return read_log().last, False
    path = checkpoint_file()
    try:
        descriptor = _open_for_append(path)
    except OSError as exc:
        raise AuditCheckpointError(f"cannot open {path} ({exc.strerror})") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # one writer at a time (job, CLI, rotation)
        log = parse_log(_read_all(descriptor))
        if log.problem:
            raise AuditCheckpointError(f"{path} is damaged, no checkpoint added: {log.problem}")
        last = log.last
        if last is not None and (last.sequence, last.entry_hash) == (
            head.sequence,
            head.entry_hash,
        ):
            return last, False
        problem = verify_segment(last, head)  # the long part, without blocking writers
        if problem is not None:
            raise _refusal(problem)
        checkpoint = _record_and_sign(descriptor, len(log.checkpoints) + 1, last, head)
        line = checkpoint.to_line()
    except OSError as exc:
        raise AuditCheckpointError(f"cannot write {path} ({exc.strerror})") from None
    finally:
        os.close(descriptor)  # also releases the lock
    _announce(checkpoint, line)
    return checkpoint, True


def _refusal(problem: Any) -> AuditCheckpointError:
    return AuditCheckpointError(
        f"no checkpoint written: entry #{problem.sequence} was {problem.kind} "
        f"({problem.detail}); run `hygie audit verify`"
    )


def _record_and_sign(
    descriptor: int, number: int, last: Checkpoint | None, verified: AuditChainHead
) -> Checkpoint:
    """Append the entry recording checkpoint ``number``, then the file line anchoring it.

    One transaction holding the head: the record is the entry the line anchors, and it is rolled
    back when the line cannot be written (the database never records a checkpoint the file lacks).
    """
    from hygie.core.audit import record  # record() verifies with this module's verification
    from hygie.core.audit_verify import verify_segment

    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        if (head.sequence, head.entry_hash) != (verified.sequence, verified.entry_hash):
            # Entries appended since the verification above: verify them too, head locked.
            since = Checkpoint(verified.sequence, verified.entry_hash, "", "", "")
            problem = verify_segment(since, head)
            if problem is not None:
                raise _refusal(problem)
        sequence = head.sequence + 1
        entry = record(
            "system",
            object_type=RECORD_OBJECT_TYPE,
            object_id=str(number),
            object_repr=f"audit checkpoint #{number}",
            changes={"checkpoint": number},
            message=f"Audit checkpoint #{number} signed at entry #{sequence}",
        )
        key = audit_keys.load(entry.key_id)
        unsigned = Checkpoint(
            sequence=entry.sequence,
            entry_hash=entry.entry_hash,
            at=timezone.now().isoformat(timespec="seconds"),
            key_id=key.key_id,
            previous=last.mac if last else GENESIS_HASH,
        )
        checkpoint = Checkpoint(**{**asdict(unsigned), "mac": unsigned.compute_mac(key.secret)})
        os.write(descriptor, checkpoint.to_line().encode("utf-8"))
        os.fsync(descriptor)
    return checkpoint


def _announce(checkpoint: Checkpoint, line: str) -> None:
    # The signed line itself: forwarded off-host by the log shipping, it is a copy the attacker
    # of this host cannot reach.
    logger.info("audit checkpoint %s", line.strip())
    destination = getattr(settings, "HYGIE_AUDIT_SYSLOG", "")
    if destination:
        try:
            send_syslog(destination, line.strip())
        except OSError as exc:
            # The checkpoint is on disk; the copy is retried with the next one (it carries the
            # chain of all previous ones through its ``previous`` link).
            logger.warning(
                "audit checkpoint #%s not sent to %s: %s",
                checkpoint.sequence,
                destination,
                exc.strerror or type(exc).__name__,
            )
    results: list[tuple[Any, Any]] = checkpoint_written.send_robust(
        sender=Checkpoint, checkpoint=checkpoint, line=line
    )
    for receiver, outcome in results:
        if isinstance(outcome, Exception):
            logger.warning(
                "forwarding audit checkpoint #%s failed in %s: %s",
                checkpoint.sequence,
                getattr(receiver, "__qualname__", receiver),
                type(outcome).__name__,
            )


def syslog_message(text: str) -> bytes:
    """An RFC 5424 message: ``<PRI>1 TIMESTAMP HOST hygie - audit-checkpoint - TEXT``."""
    timestamp = timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    host = (socket.gethostname() or "-")[:255].replace(" ", "-")
    return f"<{SYSLOG_PRIORITY}>1 {timestamp} {host} hygie - audit-checkpoint - {text}".encode()


def send_syslog(destination: str, text: str) -> None:
    """Send one message to ``udp://host:port`` or ``tcp://host:port`` (RFC 6587 octet counting)."""
    scheme, _, address = destination.partition("://")
    host, _, port = address.rpartition(":")
    message = syslog_message(text)
    kind = socket.SOCK_DGRAM if scheme == "udp" else socket.SOCK_STREAM
    family, _, _, _, target = socket.getaddrinfo(host.strip("[]"), int(port), type=kind)[0]
    with socket.socket(family, kind) as sock:
        sock.settimeout(SYSLOG_TIMEOUT_SECONDS)
        if scheme == "udp":
            sock.sendto(message, target)
        else:
            sock.connect(target)
            sock.sendall(f"{len(message)} ".encode() + message)
