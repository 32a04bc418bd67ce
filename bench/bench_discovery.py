"""Passive discovery speed: the pcap reader alone, and the whole analysis (decoding, TCP
reassembly, extractors, candidates, flows), on a generated capture.

    .venv/bin/python bench/bench_discovery.py                  # 200,000 frames, 500 hosts
    .venv/bin/python bench/bench_discovery.py --frames 500000 --hosts 60000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hygie.devices.engine.discovery import discover, read_frames  # noqa: E402
from tests.engines.devices.discovery import builders as b  # noqa: E402

PUMP, GATEWAY = "00:09:02:aa:bb:cc", "02:00:00:00:00:01"


def capture(frames: int, hosts: int) -> bytes:
    """A quarter DICOM-port TCP, a quarter DNS-like UDP, half HTTPS-port TCP to one server,
    from ``hosts`` private addresses; every 50th DICOM segment opens an association."""
    built = []
    rq = b.associate_rq("MOD-AE", "PACS-AE", "1.2.840.113619.6.1", "GE_1", "1.2.840.10008.1.1")
    for i in range(frames):
        n = i % hosts
        host = f"10.{20 + n // 62500}.{(n // 250) % 250}.{n % 250 + 1}"
        if i % 4 == 0:
            payload = rq if i % 200 == 0 else b"x" * 100
            segment = b.tcp(40000 + i % 1000, 104, 1000 + i * 100, payload)
            packet = b.ip_packet(host, "10.30.0.2", 6, segment)
        elif i % 4 == 1:
            packet = b.ip_packet(host, "10.30.0.3", 17, b.udp(5000, 53, b"q" * 40))
        else:
            segment = b.tcp(50000 + i % 5000, 443, i, b"y" * 200)
            packet = b.ip_packet(host, "93.184.216.34", 6, segment)
        built.append(b.ethernet(PUMP, GATEWAY, packet))
    return b.pcap(built)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--hosts", type=int, default=500)
    args = parser.parse_args()
    data = capture(args.frames, args.hosts)
    started = time.perf_counter()
    count = sum(1 for _ in read_frames(data))
    reader = time.perf_counter() - started
    started = time.perf_counter()
    result = discover(data)
    analysis = time.perf_counter() - started
    print(f"capture: {len(data) / 1e6:.1f} MB, {count:,} frames, {args.hosts:,} hosts")
    print(f"reader alone:    {count / reader:12,.0f} frames/s ({reader:.2f} s)")
    print(f"whole analysis:  {count / analysis:12,.0f} frames/s ({analysis:.2f} s)")
    print(f"result: {len(result.candidates):,} candidates, {len(result.flows):,} flows")


if __name__ == "__main__":
    main()
