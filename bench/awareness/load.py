"""Load for the tracking endpoints, from a process of its own: ``python load.py BASE TOKENS
SECONDS CONCURRENCY``. Each thread keeps one HTTP/1.1 connection and alternates the open pixel
and the tracked link (the landing page) of random recipients, as a desktop browser would
request them. Prints JSON: per endpoint, requests, requests/s, p50/p95/p99 latency, errors."""

from __future__ import annotations

import http.client
import json
import random
import sys
import threading
import time
from urllib.parse import urlsplit

UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ENDPOINTS = {"open pixel": "/awareness/t/o/", "click/landing": "/awareness/t/c/"}


def worker(base, tokens, until, seed, samples, errors, lock):
    parts = urlsplit(base)
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    local = {name: [] for name in ENDPOINTS}
    failed = {name: 0 for name in ENDPOINTS}
    names = list(ENDPOINTS)
    i = 0
    while time.perf_counter() < until:
        name = names[i % 2]
        i += 1
        path = ENDPOINTS[name] + rng.choice(tokens)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"User-Agent": UA})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failed[name] += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        except (OSError, http.client.HTTPException):
            failed[name] += 1
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        local[name].append(time.perf_counter() - started)
    with lock:
        for name in ENDPOINTS:
            samples[name].extend(local[name])
            errors[name] += failed[name]


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    base, tokens_path, seconds, concurrency = (
        sys.argv[1],
        sys.argv[2],
        float(sys.argv[3]),
        int(sys.argv[4]),
    )
    with open(tokens_path) as handle:
        tokens = json.load(handle)
    samples = {name: [] for name in ENDPOINTS}
    errors = {name: 0 for name in ENDPOINTS}
    lock = threading.Lock()
    started = time.perf_counter()
    until = started + seconds
    threads = [
        threading.Thread(target=worker, args=(base, tokens, until, n, samples, errors, lock))
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result = {}
    every = []
    for name, values in samples.items():
        every += values
        result[name] = {
            "requests": len(values),
            "rps": len(values) / elapsed,
            "p50_ms": 1000 * percentile(values, 0.50),
            "p95_ms": 1000 * percentile(values, 0.95),
            "p99_ms": 1000 * percentile(values, 0.99),
            "errors": errors[name],
        }
    result["all"] = {
        "requests": len(every),
        "rps": len(every) / elapsed,
        "p50_ms": 1000 * percentile(every, 0.50),
        "p95_ms": 1000 * percentile(every, 0.95),
        "p99_ms": 1000 * percentile(every, 0.99),
        "errors": sum(errors.values()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
