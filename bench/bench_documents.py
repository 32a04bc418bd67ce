"""YAML loading of SigmaHQ's rules: Hygie's hardened loader vs ``yaml.load_all`` (libyaml), and
the whole ``load_rule_pack`` (YAML + pySigma + condition parsing).

The hardened loader (``hygie.lib.documents``) counts depth and values while libyaml streams its
events and builds the values itself; this checks it costs no more than PyYAML's own loading.

    .venv/bin/python bench/bench_documents.py               # ../shared/data/sigma/rules
    .venv/bin/python bench/bench_documents.py --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hygie.detection.engine import RuleSource, load_rule_pack  # noqa: E402
from hygie.lib.documents import load_yaml_all  # noqa: E402

SIGMA = REPO.parent / "shared" / "data" / "sigma" / "rules"


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Best CPU time of ``repeat`` runs: steadier than wall time on a shared machine."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=SIGMA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(args.rules.rglob("*.yml"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    size = sum(len(text) for text in texts) / 1e6
    print(f"{len(texts)} rule files, {size:.1f} MB, best CPU time of {args.repeat}")

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    pyyaml = best_of(args.repeat, lambda: [list(yaml.load_all(t, Loader=loader)) for t in texts])
    hygie = best_of(args.repeat, lambda: [load_yaml_all(t) for t in texts])
    print(f"  yaml.load_all ({loader.__name__}): {pyyaml:6.2f} s")
    print(f"  hygie.lib.documents.load_yaml_all: {hygie:6.2f} s  ({hygie / pyyaml:.2f}x)")

    sources = [RuleSource(str(path), text) for path, text in zip(paths, texts, strict=True)]
    pack = load_rule_pack(sources)
    whole = best_of(args.repeat, lambda: load_rule_pack(sources))
    print(
        f"  load_rule_pack (YAML + pySigma):   {whole:6.2f} s  "
        f"({pack.valid_count} valid, {len(pack.problems)} problems)"
    )


if __name__ == "__main__":
    main()
