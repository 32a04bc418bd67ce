"""IOC matching: Hygie's compiled ``IndicatorMatcher`` vs a naive per-indicator scan.

Synthetic indicators (IPv4, CIDR networks of several prefix lengths, domains, URLs, SHA-256
hashes, a few file names) and synthetic events shaped like proxy/firewall logs (source and
destination addresses, host, URL, hash, a free-text message). About one event in fifty hits.

The naive side tests every indicator against every field (``naive_match``, the reference the
matcher's tests compare with); it runs on a sample of the events and both results are compared
on that sample (they must be identical). Figures are printed, never asserted.

    .venv/bin/python bench/intel/bench_matcher.py                      # 100,000 indicators
    .venv/bin/python bench/intel/bench_matcher.py --indicators 1000000 --events 50000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hygie.intel.engine.matcher import IndicatorMatcher, naive_match  # noqa: E402
from hygie.intel.engine.model import Indicator, make_indicator  # noqa: E402


def _address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"


def indicators(count: int, rng: random.Random) -> list[Indicator]:
    found: list[Indicator] = []
    for index in range(count):
        kind = index % 10
        if kind < 3:
            found.append(make_indicator("ipv4", _address(rng)))
        elif kind == 3:
            prefix = rng.choice([16, 20, 24, 24, 28, 32])
            value = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.0/{prefix}"
            found.append(make_indicator("cidr", value))
        elif kind < 6:
            found.append(make_indicator("domain", f"m{index}.bad{index % 997}.example"))
        elif kind == 6:
            found.append(make_indicator("url", f"https://u{index}.example/p/{index}"))
        elif kind < 9:
            found.append(make_indicator("sha256", f"{rng.getrandbits(256):064x}"))
        else:
            found.append(make_indicator("file-name", f"payload{index}.exe"))
    return found


def events(count: int, known: list[Indicator], rng: random.Random) -> list[dict[str, str]]:
    produced = []
    for index in range(count):
        event = {
            "src": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
            "dst": _address(rng),
            "host": f"www.site{rng.randrange(10**6)}.example",
            "url": f"https://cdn{rng.randrange(10**6)}.example/a/{index}",
            "sha256": f"{rng.getrandbits(256):064x}",
            "message": f"GET accepted for user{rng.randrange(1000)} from proxy {index}",
        }
        if index % 50 == 0:  # a hit: plant a known value in its field
            planted = rng.choice(known)
            field = {
                "ipv4": "dst",
                "cidr": "dst",
                "domain": "host",
                "url": "url",
                "sha256": "sha256",
                "file-name": "message",
            }[planted.type.value]
            value = planted.value
            if planted.type.value == "cidr":
                value = value.split("/")[0]
            elif planted.type.value == "domain":
                value = f"www.{value}"
            elif planted.type.value == "file-name":
                field = "file"  # a file name field, matched exactly
            event[field] = value
        produced.append(event)
    return produced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=200, help="events given to the naive scan")
    arguments = parser.parse_args()
    rng = random.Random(14)

    started = time.perf_counter()
    loaded = indicators(arguments.indicators, rng)
    stream = events(arguments.events, loaded, rng)
    print(
        f"generated {len(loaded):,} indicators, {len(stream):,} events "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    matcher = IndicatorMatcher(loaded)
    compile_seconds = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    hits = sum(len(matcher.match_event(event)) for event in stream)
    fast_seconds = time.perf_counter() - started
    fast_cpu = time.process_time() - cpu
    fast_rate = len(stream) / fast_seconds

    sample = stream[: arguments.sample]
    started, cpu = time.perf_counter(), time.process_time()
    slow_hits = [naive_match(loaded, event) for event in sample]
    slow_seconds = time.perf_counter() - started
    slow_cpu = time.process_time() - cpu
    slow_rate = len(sample) / slow_seconds

    for event, slow in zip(sample, slow_hits, strict=True):
        fast = {(h.field, h.indicator.key) for h in matcher.match_event(event)}
        if fast != {(h.field, h.indicator.key) for h in slow}:
            print("MISMATCH between the matcher and the naive scan on", event)
            sys.exit(1)

    print(f"backend: {matcher.backend}; compile {compile_seconds:.2f} s")
    print(f"hygie matcher : {fast_rate:12,.0f} events/s ({hits:,} hits in {len(stream):,} events)")
    print(f"naive scan    : {slow_rate:12,.1f} events/s (sample of {len(sample):,} events)")
    print(f"ratio         : {fast_rate / slow_rate:12,.0f}x (results identical on the sample)")
    # The machine may be shared: CPU time is the steadier comparison.
    fast_cpu_rate = len(stream) / max(fast_cpu, 1e-9)
    slow_cpu_rate = len(sample) / max(slow_cpu, 1e-9)
    print(
        f"per CPU second: hygie {fast_cpu_rate:,.0f} events, naive {slow_cpu_rate:,.1f} events, "
        f"ratio {fast_cpu_rate / slow_cpu_rate:,.0f}x"
    )


if __name__ == "__main__":
    main()
