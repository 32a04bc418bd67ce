"""Audit trail: cost of appending an entry, verifying the chain and signing a checkpoint.

Appends go through ``hygie.core.audit.record`` (head row locked, entry hashed and saved), each in
its own transaction as a request's would be, in a fresh SQLite data folder. ``--source`` runs
the same measure on another checkout (e.g. the code before the keyed chain) for comparison:

    .venv/bin/python bench/bench_audit_append.py --entries 5000
    git archive 64a27ab | tar -x -C /tmp/hygie-old
    .venv/bin/python bench/bench_audit_append.py --entries 5000 --source /tmp/hygie-old
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument(
        "--source",
        type=Path,
        default=REPO,
        help="the Hygie source tree to measure (default: this one)",
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hygie-bench-audit-"))
    os.environ.update(HYGIE_HOME=str(home), DJANGO_SETTINGS_MODULE="hygie.settings.production")
    sys.path.insert(0, str(args.source.resolve()))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hygie.core import audit

    audit.record("system", message="warm-up")  # first entry creates the key (one-off)
    started = time.perf_counter()
    for number in range(args.entries):
        audit.record(
            "system",
            object_type="bench.item",
            object_id=str(number),
            message="benchmark entry",
            changes={"field": {"after": number}},
        )
    appended = time.perf_counter() - started
    print(f"source: {args.source}")
    print(
        f"append: {args.entries} entries in {appended:.2f} s, "
        f"{appended / args.entries * 1e6:.0f} µs per entry"
    )
    started = time.perf_counter()
    report = audit.verify_chain()
    verified = time.perf_counter() - started
    print(
        f"verify: {report.checked} entries in {verified:.2f} s "
        f"({'intact' if report.is_intact else 'BROKEN'})"
    )
    try:
        from hygie.core.audit_checkpoints import write_checkpoint
    except ImportError:
        return  # a tree before checkpoints existed
    started = time.perf_counter()
    write_checkpoint()
    print(
        f"first checkpoint (verifies the whole chain first): {time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
