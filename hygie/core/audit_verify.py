"""Verifying the audit chain: every entry, its key, its link, and the checkpoints outside.

Checks, each named in the report so an operator knows what failed:
- ``sequence``: entries numbered 1, 2, 3… with no gap (deleted) or extra (inserted) entry;
- ``links``: each entry names the previous entry's hash (reordering, insertion);
- ``hmac``: a keyed entry's HMAC verifies with its key (an edit, even re-hashed, is found: the
  key is not in the database);
- ``sha256``: a legacy entry (written before keys existed) matches its plain SHA-256;
- ``legacy``: no plain SHA-256 entry where the keyed chain had begun (a downgrade to re-hash);
- ``keys``: every key an entry names is on disk and signs from before that entry;
- ``head``: the head row agrees with the last entry;
- ``checkpoints``: the checkpoint file verifies, and every checkpoint's entry is still there
  with the same hash (a deleted tail is "truncated", an emptied table "wiped");
- ``checkpoint file``: the file holds at least the checkpoints the keyed chain records having
  signed (deleted, emptied or cut is "truncated"), and a keyed chain older than twice the
  checkpoint interval has a checkpoint at all ("unanchored": cannot tell);
- ``keys`` again: an empty table while a key file exists is "wiped" (keys are created to sign).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit_keys
from hygie.core.audit_checkpoints import (
    CHECKPOINT_INTERVAL,
    RECORD_OBJECT_TYPE,
    Checkpoint,
    CheckpointLog,
    checkpoint_file,
    read_log,
)
from hygie.core.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry

# Problems about entries that are gone or about the checkpoint file: naming them shows no
# establishment's entry, so every reader of the audit trail may see the detail.
ENTRYLESS_PROBLEMS = frozenset({"truncated", "wiped", "forged", "unanchored"})

# The names stay stable identifiers (API, CLI, tests); pages show these labels.
CHECK_LABELS = {
    "sequence": gettext_lazy("sequence"),
    "links": gettext_lazy("links"),
    "hmac": gettext_lazy("HMAC"),
    "sha256": gettext_lazy("SHA-256"),
    "legacy": gettext_lazy("legacy entries"),
    "keys": gettext_lazy("keys"),
    "head": gettext_lazy("head"),
    "checkpoints": gettext_lazy("checkpoints"),
    "entries": gettext_lazy("entries"),
    "checkpoint file": gettext_lazy("checkpoint file"),
}
PROBLEM_LABELS = {
    "modified": gettext_lazy("modified"),
    "inserted": gettext_lazy("inserted"),
    "deleted": gettext_lazy("deleted"),
    "reordered": gettext_lazy("reordered"),
    "truncated": gettext_lazy("truncated"),
    "wiped": gettext_lazy("wiped"),
    "downgraded": gettext_lazy("downgraded"),
    "unverifiable": gettext_lazy("unverifiable"),
    "forged": gettext_lazy("forged"),
    "unanchored": gettext_lazy("unanchored"),
}


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the stored chain differs from what was written."""

    sequence: int
    # "modified", "inserted", "deleted", "reordered", "truncated", "wiped", "downgraded",
    # "unverifiable" (a key is missing), "forged" (the checkpoint file), "unanchored" (no
    # checkpoint where one is due: cannot tell)
    kind: str
    detail: str
    check: str = "links"

    @property
    def kind_label(self) -> str:
        return str(PROBLEM_LABELS.get(self.kind, self.kind))

    @property
    def check_label(self) -> str:
        return str(CHECK_LABELS.get(self.check, self.check))


@dataclass(frozen=True)
class ChainCheck:
    name: str
    ok: bool
    detail: str

    @property
    def label(self) -> str:
        return str(CHECK_LABELS.get(self.name, self.name))


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None
    checks: tuple[ChainCheck, ...] = ()
    legacy: int = 0
    keyed: int = 0
    key_ids: tuple[str, ...] = ()
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None
    # Entries after the last checkpoint: protected against edits, not yet against truncation.
    unanchored: int = 0

    @property
    def is_intact(self) -> bool:
        return self.problem is None


@dataclass
class _Walker:
    """Verifies entries fed in sequence order from a known starting point."""

    keys: dict[str, audit_keys.AuditKey]
    key_problems: dict[str, str] = field(default_factory=dict)
    anchors: list[Checkpoint] = field(default_factory=list)
    expected_sequence: int = 1
    expected_previous: str = GENESIS_HASH
    legacy: int = 0
    keyed: int = 0
    used_keys: set[str] = field(default_factory=set)
    # What the verified keyed entries say about the checkpoint file.
    recorded_checkpoints: int = 0
    recorded_at_sequence: int = 0
    oldest_keyed_at: datetime | None = None
    _next_anchor: int = 0

    @property
    def keyed_from(self) -> int:
        """The first sequence that must be keyed: where the oldest key starts signing."""
        firsts = [key.first_sequence for key in self.keys.values()]
        return min(firsts) if firsts else 0

    def feed(self, entry: AuditEntry) -> ChainProblem | None:
        problem = (
            self._check_sequence(entry)
            or self._check_key(entry)
            or self._check_link_and_hash(entry)
            or self._check_anchor(entry)
        )
        if problem is None:
            self.expected_previous = entry.entry_hash
            self.expected_sequence += 1
            if entry.key_id:
                self._note_keyed(entry)
        return problem

    def _note_keyed(self, entry: AuditEntry) -> None:
        # Only verified keyed entries count: without the key nobody can add or edit a record.
        if self.oldest_keyed_at is None:
            self.oldest_keyed_at = entry.at
        number = _recorded_number(entry)
        if number > self.recorded_checkpoints:
            self.recorded_checkpoints, self.recorded_at_sequence = number, entry.sequence

    def _check_sequence(self, entry: AuditEntry) -> ChainProblem | None:
        if entry.sequence == self.expected_sequence:
            return None
        kind = "deleted" if entry.sequence > self.expected_sequence else "inserted"
        return ChainProblem(
            self.expected_sequence,
            kind,
            f"expected entry #{self.expected_sequence}, found #{entry.sequence}",
            "sequence",
        )

    def _check_key(self, entry: AuditEntry) -> ChainProblem | None:
        if not entry.key_id:
            if self.keyed or (self.keyed_from and entry.sequence >= self.keyed_from):
                return ChainProblem(
                    entry.sequence,
                    "downgraded",
                    "a plain SHA-256 entry where the keyed chain had begun "
                    f"(keys sign from #{self.keyed_from}): it was rewritten "
                    "without the key",
                    "legacy",
                )
            self.legacy += 1
            return None
        key = self.keys.get(entry.key_id)
        if key is None:
            reason = self.key_problems.get(entry.key_id) or (
                f"key {entry.key_id!r} is not in {audit_keys.key_dir()}: restore the key file "
                "from its backup"
            )
            return ChainProblem(entry.sequence, "unverifiable", f"signed with {reason}", "keys")
        if entry.sequence < key.first_sequence:
            return ChainProblem(
                entry.sequence,
                "modified",
                f"signed with key {entry.key_id}, which only signs from #{key.first_sequence}",
                "keys",
            )
        self.keyed += 1
        self.used_keys.add(entry.key_id)
        return None

    def _check_link_and_hash(self, entry: AuditEntry) -> ChainProblem | None:
        key = self.keys.get(entry.key_id)
        computed = entry.compute_hash(key.secret if key else None)
        hash_ok = hmac.compare_digest(computed, entry.entry_hash)
        if entry.previous_hash != self.expected_previous:
            kind = "inserted" if hash_ok else "modified"
            return ChainProblem(
                entry.sequence,
                kind,
                "link to the previous entry is broken (entries removed, inserted or reordered)",
                "links",
            )
        if not hash_ok:
            if entry.key_id:
                return ChainProblem(
                    entry.sequence,
                    "modified",
                    f"content does not match its HMAC (key {entry.key_id}): "
                    "edited, or re-hashed by someone without the key",
                    "hmac",
                )
            return ChainProblem(
                entry.sequence, "modified", "content does not match its SHA-256 hash", "sha256"
            )
        return None

    def _check_anchor(self, entry: AuditEntry) -> ChainProblem | None:
        while (
            self._next_anchor < len(self.anchors)
            and self.anchors[self._next_anchor].sequence <= entry.sequence
        ):
            anchor = self.anchors[self._next_anchor]
            if anchor.sequence == entry.sequence and anchor.entry_hash != entry.entry_hash:
                return ChainProblem(
                    entry.sequence,
                    "modified",
                    f"the checkpoint signed {anchor.at} holds another hash for "
                    "this entry: the chain was rebuilt",
                    "checkpoints",
                )
            self._next_anchor += 1
        return None


def _recorded_number(entry: AuditEntry) -> int:
    """The checkpoint number an entry records (0 if it records none)."""
    if entry.object_type != RECORD_OBJECT_TYPE or not isinstance(entry.changes, dict):
        return 0
    number = entry.changes.get("checkpoint")
    return number if isinstance(number, int) and not isinstance(number, bool) else 0


def file_anchoring_problem(
    log: CheckpointLog,
    recorded: int,
    recorded_at_sequence: int,
    oldest_keyed_at: datetime | None,
) -> ChainProblem | None:
    """Does the checkpoint file hold what the keyed chain says was signed (shared with
    ``hygie check``)? ``recorded``: the highest checkpoint number a verified entry records."""
    if log.problem:
        return None  # already reported as forged
    held = len(log.checkpoints)
    path = checkpoint_file()
    if recorded > held:
        state = (
            _("is missing")
            if not path.exists()
            else _("is empty")
            if held == 0
            else _("holds %(count)d") % {"count": held}
        )
        return ChainProblem(
            log.last.sequence + 1 if log.last else 1,
            "truncated",
            _(
                "the chain records %(count)d signed checkpoint(s), the last at entry "
                "#%(sequence)d, but the checkpoint file %(state)s: it was deleted, emptied or "
                "cut (restore it from a backup or from the syslog copies)"
            )
            % {"count": recorded, "sequence": recorded_at_sequence, "state": state},
            "checkpoint file",
        )
    due = timezone.now() - 2 * CHECKPOINT_INTERVAL
    if held == 0 and oldest_keyed_at is not None and oldest_keyed_at < due:
        return ChainProblem(
            1,
            "unanchored",
            _(
                "cannot tell: checkpoint file missing or empty (%(path)s) while keyed entries "
                "date from %(at)s: a deleted tail or a deleted file would look the same; "
                "restore the file, or run `hygie audit checkpoint` once you trust the chain"
            )
            % {"path": path, "at": oldest_keyed_at.isoformat(timespec="seconds")},
            "checkpoint file",
        )
    return None


def recorded_checkpoints() -> tuple[int, int, datetime | None]:
    """(number, entry) of the latest checkpoint record whose HMAC verifies, and the oldest keyed
    entry's time, read without walking the chain (``hygie check``; verify walks it)."""
    oldest = AuditEntry.objects.exclude(key_id="").order_by("sequence").first()
    records = AuditEntry.objects.filter(object_type=RECORD_OBJECT_TYPE).exclude(key_id="")
    for entry in records.order_by("-sequence")[:20]:
        try:
            key = audit_keys.load(entry.key_id)
        except audit_keys.AuditKeyError:
            continue
        if hmac.compare_digest(entry.compute_hash(key.secret), entry.entry_hash):
            number = _recorded_number(entry)
            if number:
                return number, entry.sequence, oldest.at if oldest else None
    return 0, 0, oldest.at if oldest else None


def _iterate_in_order(
    batch_size: int, after: int = 0, until: int | None = None
) -> Iterator[AuditEntry]:
    last = after
    while True:
        query = AuditEntry.objects.filter(sequence__gt=last)
        if until is not None:
            query = query.filter(sequence__lte=until)
        batch = list(query.order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def verify_segment(
    since: Checkpoint | None, head: AuditChainHead, batch_size: int = 2000
) -> ChainProblem | None:
    """Verify the entries after checkpoint ``since`` up to ``head`` (before a new checkpoint)."""
    keys, key_problems = audit_keys.all_keys()
    walker = _Walker(keys=keys, key_problems=key_problems)
    if since is not None:
        walker.expected_sequence = since.sequence + 1
        walker.expected_previous = since.entry_hash
    for entry in _iterate_in_order(
        batch_size, after=since.sequence if since else 0, until=head.sequence
    ):
        problem = walker.feed(entry)
        if problem is not None:
            return problem
    if (walker.expected_sequence - 1, walker.expected_previous) != (head.sequence, head.entry_hash):
        return ChainProblem(
            walker.expected_sequence,
            "deleted",
            f"the chain ends at #{walker.expected_sequence - 1} but the head says #{head.sequence}",
            "head",
        )
    return None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain and the checkpoint file; report every check and the first problem."""
    log = read_log()
    checks: list[ChainCheck] = []
    problem: ChainProblem | None = None
    try:
        keys, key_problems = audit_keys.all_keys()
    except audit_keys.AuditKeyError as exc:  # the key folder itself is unreadable
        keys, key_problems = {}, {}
        checks.append(ChainCheck("keys", False, str(exc)))
    walker = _Walker(keys=keys, key_problems=key_problems, anchors=list(log.checkpoints))
    if log.problem:
        problem = ChainProblem(
            log.last.sequence + 1 if log.last else 1,
            "forged",
            f"checkpoint file: {log.problem}",
            "checkpoints",
        )
        checks.append(ChainCheck("checkpoint file", False, log.problem))
    entry_problem = None
    for entry in _iterate_in_order(batch_size):
        entry_problem = walker.feed(entry)
        if entry_problem is not None:
            break
    checked = walker.expected_sequence - 1
    if entry_problem is not None:
        checks.append(
            ChainCheck(
                entry_problem.check,
                False,
                f"#{entry_problem.sequence} {entry_problem.kind}: {entry_problem.detail}",
            )
        )
    else:
        checks.append(ChainCheck("entries", True, _describe_entries(walker)))
        entry_problem = _check_head(checked, walker.expected_previous) or _check_anchors_reached(
            checked, walker, log.checkpoints
        )
        if entry_problem is not None:
            checks.append(ChainCheck(entry_problem.check, False, entry_problem.detail))
    file_problem = file_anchoring_problem(
        log, walker.recorded_checkpoints, walker.recorded_at_sequence, walker.oldest_keyed_at
    )
    if file_problem is not None:
        checks.append(ChainCheck(file_problem.check, False, file_problem.detail))
    problem = problem or entry_problem or file_problem
    last = log.last
    if file_problem is not None:
        pass  # the failed "checkpoint file" check says it all
    elif last is not None and not log.problem:
        checks.append(
            ChainCheck(
                "checkpoint file",
                True,
                _("%(count)d signed checkpoint(s), the last of %(at)s at #%(sequence)d")
                % {"count": len(log.checkpoints), "at": last.at, "sequence": last.sequence},
            )
        )
    elif last is None and not log.problem:
        checks.append(
            ChainCheck(
                "checkpoint file",
                True,
                _(
                    "no checkpoint yet: a deleted tail or an emptied table cannot "
                    "be detected until `hygie audit checkpoint` (or the hourly job) "
                    "runs"
                ),
            )
        )
    return ChainReport(
        checked=checked,
        problem=problem,
        checks=tuple(checks),
        legacy=walker.legacy,
        keyed=walker.keyed,
        key_ids=tuple(sorted(walker.used_keys)),
        checkpoints=len(log.checkpoints),
        last_checkpoint=last,
        unanchored=max(0, checked - (last.sequence if last else 0)),
    )


def _describe_entries(walker: _Walker) -> str:
    parts = [_("%(count)d entries verified") % {"count": walker.legacy + walker.keyed}]
    if walker.keyed:
        keys = ", ".join(sorted(walker.used_keys))
        parts.append(
            _("%(count)d with HMAC-SHA256 (keys: %(keys)s)") % {"count": walker.keyed, "keys": keys}
        )
    if walker.legacy:
        parts.append(
            _("%(count)d legacy plain SHA-256 before the first key") % {"count": walker.legacy}
        )
    return "; ".join(parts)


def _check_head(checked: int, last_hash: str) -> ChainProblem | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != checked or head.entry_hash != last_hash):
        return ChainProblem(
            checked + 1,
            "deleted",
            f"the chain ends at #{checked} but {head.sequence} entries were written (head row)",
            "head",
        )
    return None


def _check_anchors_reached(
    checked: int, walker: _Walker, checkpoints: tuple[Checkpoint, ...]
) -> ChainProblem | None:
    beyond = [checkpoint for checkpoint in checkpoints if checkpoint.sequence > checked]
    if beyond:
        furthest = beyond[-1]
        if checked == 0:
            return ChainProblem(
                1,
                "wiped",
                f"the audit table is empty but {len(checkpoints)} signed "
                f"checkpoint(s) exist, the last of {furthest.at} at "
                f"#{furthest.sequence}",
                "checkpoints",
            )
        return ChainProblem(
            checked + 1,
            "truncated",
            f"the chain ends at #{checked} but the checkpoint of {furthest.at} "
            f"anchored #{furthest.sequence}: the tail was deleted",
            "checkpoints",
        )
    started = max((key.first_sequence for key in walker.keys.values()), default=0)
    if started - 1 > checked:
        return ChainProblem(
            checked + 1,
            "truncated",
            f"the chain ends at #{checked} but a key was created when it had "
            f"reached #{started - 1}: the tail was deleted",
            "keys",
        )
    if checked == 0:
        return empty_table_problem(walker.keys, walker.key_problems)
    return None


def empty_table_problem(
    keys: dict[str, audit_keys.AuditKey], key_problems: dict[str, str]
) -> ChainProblem | None:
    """An empty audit table while a key file exists: keys are only created to sign an entry
    (the first append, a rotation), so entries were written and then deleted."""
    if not keys and not key_problems:
        return None  # a fresh installation
    if keys:
        first = min(keys.values(), key=lambda key: (key.first_sequence, key.key_id))
        which = _("audit key %(key)s (created %(at)s) signs from entry #%(sequence)d") % {
            "key": first.key_id,
            "at": first.created_at or "?",
            "sequence": first.first_sequence,
        }
    else:
        which = _("audit key %(key)s exists") % {"key": min(key_problems)}
    return ChainProblem(
        1,
        "wiped",
        _("the audit table is empty but %(which)s: entries were written and deleted")
        % {"which": which},
        "keys",
    )
