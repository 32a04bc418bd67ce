"""Device vulnerability matching: Hygie's indexed ``match`` vs a naive per-device scan.

A full-size NVD set is generated (≥ 250,000 CVE API 2.0 records shaped like the real ones in
../shared/data/nvd: configurations of CPE match criteria with exact versions and start/end ranges,
AND nodes of a vulnerable firmware running on a hardware platform, descriptions and CVSS metrics;
vendors and products drawn from a Zipf law as in the real feed, a few vendors holding thousands
of records), in pages of 2,000 records as the API serves them, and an inventory of 10,000
devices (vendor/model/version, a fifth also by CPE) drawn from the same products and from the
product trees of every ../shared/data/csaf/icsma advisory, which are matched too.

Each side runs in its own process, so its peak memory (ru_maxrss) is its own:

- hygie: import (parse every NVD page and every CSAF advisory, validated as the platform does,
  then build the ``MatchIndex`` once, as the platform does per feed version: decision 0041),
  then ``match`` for the 10,000 devices against that index (nothing is indexed again).
- naive: the same parsed records; for each device, every record's configurations and every
  advisory's products are evaluated with the engine's own rules (no index). A full naive run
  would take hours: it runs on a sample of devices and the figure for 10,000 is extrapolated
  (printed as such). The sample's verdicts are compared with the indexed run's for the same
  devices: both must be identical.

Timings are printed, never asserted. Targets on this machine: import ≤ 2 min, match ≤ 5 s.

    .venv/bin/python bench/bench_devices.py                         # 250,000 records
    .venv/bin/python bench/bench_devices.py --records 20000 --devices 1000 --sample 10
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared" / "data"
ICSMA = SHARED / "csaf" / "icsma"
NVD_SAMPLES = SHARED / "nvd" / "records"
PAGE = 2000

# The most frequent (vendor, product, part) of the real feed head the Zipf law.
HEAD = [
    ("microsoft", "windows_10", "o"),
    ("linux", "linux_kernel", "o"),
    ("google", "android", "o"),
    ("apple", "macos", "o"),
    ("oracle", "mysql", "a"),
    ("microsoft", "windows_server_2016", "o"),
    ("cisco", "ios", "o"),
    ("debian", "debian_linux", "o"),
    ("adobe", "acrobat_reader", "a"),
    ("mozilla", "firefox", "a"),
    ("microsoft", "windows_7", "o"),
    ("siemens", "simatic_s7-1500_firmware", "o"),
    ("wordpress", "wordpress", "a"),
    ("php", "php", "a"),
    ("openssl", "openssl", "a"),
]
WORDS = (
    "infusion pump monitor gateway viewer imaging station analyzer console server agent "
    "portal suite manager controller firmware scanner bridge router switch camera module "
    "workstation recorder telemetry ventilator dialysis insulin pacemaker ultrasound"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="devices of the naive scan")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hygie-bench-devices"))
    parser.add_argument("--child", choices=["hygie", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.workdir / f"nvd-{args.records}"
    inventory = args.workdir / f"inventory-{args.records}-{args.devices}.csv"
    if args.child:
        report = CHILDREN[args.child](folder, inventory, args.sample)
        report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(report))
        return
    if not ICSMA.is_dir():
        print(f"note: {ICSMA} not found, matching against NVD records only")
    if not (folder / "done").exists():
        started = time.perf_counter()
        products = write_nvd(folder, args.records)
        write_inventory(inventory, args.devices, products)
        (folder / "done").write_text("ok\n")
        print(
            f"generated {args.records:,} NVD records ({args.records // PAGE + 1} pages) and "
            f"{args.devices:,} devices in {time.perf_counter() - started:.1f} s: {args.workdir}"
        )
    reports = {}
    for side in ("hygie", "naive"):
        command = [sys.executable, __file__, "--child", side, "--records", str(args.records)]
        command += ["--devices", str(args.devices), "--sample", str(args.sample)]
        command += ["--workdir", str(args.workdir)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode:
            sys.stderr.write(completed.stderr)
            raise SystemExit(f"the {side} run failed")
        reports[side] = json.loads(completed.stdout.strip().splitlines()[-1])
    print_table(args.records, args.devices, reports)


# --------------------------------------------------------------------------- data


def _version(randomiser: random.Random) -> str:
    shape = randomiser.random()
    if shape < 0.75:
        parts = [randomiser.randint(0, 12), randomiser.randint(0, 20), randomiser.randint(0, 30)]
        return ".".join(str(p) for p in parts[: randomiser.choice((2, 3, 3, 3))])
    if shape < 0.85:
        numbers = (randomiser.randint(1, 9), randomiser.randint(0, 40), randomiser.randint(0, 999))
        return f"{numbers[0]}.{numbers[1]}.{numbers[2] % 10}.{numbers[2]}"
    if shape < 0.93:
        letters = randomiser.choice("ABC"), randomiser.choice("ABCD")
        return f"V{letters[0]}{randomiser.randint(10, 40)}{letters[1]}"
    release = ".".join(str(randomiser.randint(0, 9)) for _ in range(2))
    return f"R{randomiser.randint(1, 5)}.{release} SP{randomiser.randint(1, 4)}"


def _products(randomiser: random.Random) -> list[tuple[str, str, str]]:
    """(vendor, product, part): the real head, the medical vendors of the shared NVD records,
    then synthetic vendors with one to a dozen products each."""
    products = list(HEAD)
    for path in sorted(NVD_SAMPLES.glob("*.json")) if NVD_SAMPLES.is_dir() else []:
        record = json.loads(path.read_text(encoding="utf-8"))
        for configuration in record.get("configurations") or []:
            for node in configuration.get("nodes") or []:
                for match in node.get("cpeMatch") or []:
                    fields = match["criteria"].split(":")
                    triple = (fields[3], fields[4], fields[2])
                    if triple not in products:
                        products.append(triple)
    vendor = 0
    while len(products) < 60_000:
        vendor += 1
        name = f"{randomiser.choice(WORDS)}{vendor}_medical"
        for n in range(randomiser.randint(1, 12)):
            part = randomiser.choice("aaaoh")
            products.append((name, f"{randomiser.choice(WORDS)}_{n}", part))
    return products


def _criterion(vendor: str, product: str, part: str, version: str = "*") -> str:
    return f"cpe:2.3:{part}:{vendor}:{product}:{version}:*:*:*:*:*:*:*"


def _match(randomiser: random.Random, vendor: str, product: str, part: str) -> dict[str, Any]:
    shape = randomiser.random()
    match: dict[str, Any] = {
        "vulnerable": True,
        "matchCriteriaId": f"{randomiser.getrandbits(64):016X}",
    }
    if shape < 0.7:
        match["criteria"] = _criterion(
            vendor, product, part, _version(randomiser).replace(" ", "_")
        )
    else:
        match["criteria"] = _criterion(vendor, product, part)
        if shape < 0.82:
            match["versionEndExcluding"] = _version(randomiser)
        elif shape < 0.93:
            match["versionEndIncluding"] = _version(randomiser)
        else:
            match["versionStartIncluding"] = "1.0"
            match["versionEndIncluding"] = _version(randomiser)
    return match


def _record(
    randomiser: random.Random, number: int, products: list[Any], weights: list[float]
) -> dict[str, Any]:
    vendor, product, part = randomiser.choices(products, cum_weights=weights)[0]
    configurations = []
    for _ in range(randomiser.choice((1, 1, 1, 2, 3))):
        matches = [
            _match(randomiser, vendor, product, part)
            for _ in range(randomiser.choice((1, 1, 2, 3, 6)))
        ]
        if randomiser.random() < 0.6 and part == "o":
            hardware = product.replace("_firmware", "")
            configurations.append(
                {
                    "operator": "AND",
                    "nodes": [
                        {"operator": "OR", "negate": False, "cpeMatch": matches},
                        {
                            "operator": "OR",
                            "negate": False,
                            "cpeMatch": [
                                {
                                    "vulnerable": False,
                                    "criteria": _criterion(vendor, hardware, "h", "-"),
                                    "matchCriteriaId": f"{randomiser.getrandbits(64):016X}",
                                }
                            ],
                        },
                    ],
                }
            )
        else:
            configurations.append(
                {"nodes": [{"operator": "OR", "negate": False, "cpeMatch": matches}]}
            )
    score = round(randomiser.uniform(2.0, 10.0), 1)
    return {
        "cve": {
            "id": f"CVE-{2000 + number % 26}-{100000 + number}",
            "sourceIdentifier": "cve@mitre.org",
            "published": "2024-01-01T00:00:00.000",
            "lastModified": "2026-01-01T00:00:00.000",
            "vulnStatus": "Analyzed",
            "descriptions": [
                {
                    "lang": "en",
                    "value": f"A flaw in {vendor} {product} allows a remote attacker to "
                    f"execute code through a crafted request (synthetic record {number}).",
                }
            ],
            "metrics": {
                "cvssMetricV31": [
                    {
                        "source": "nvd@nist.gov",
                        "type": "Primary",
                        "cvssData": {
                            "version": "3.1",
                            "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                            "baseScore": score,
                            "baseSeverity": "HIGH",
                        },
                        "exploitabilityScore": 3.9,
                        "impactScore": 5.9,
                    }
                ]
            },
            "weaknesses": [
                {"source": "nvd@nist.gov", "type": "Primary",
                 "description": [{"lang": "en", "value": "CWE-787"}]}
            ],
            "configurations": configurations,
            "references": [{"url": f"https://example.test/advisory/{number}",
                            "source": "cve@mitre.org"}],
        }
    }  # fmt: skip


def write_nvd(folder: Path, count: int) -> list[tuple[str, str, str, str]]:
    """The pages, and (vendor, product, part, a version seen) for the inventory."""
    randomiser = random.Random(42)  # noqa: S311 - reproducible test data, not security
    products = _products(randomiser)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(products))))
    folder.mkdir(parents=True, exist_ok=True)
    seen: dict[tuple[str, str, str], str] = {}
    for start in range(0, count, PAGE):
        page = []
        for number in range(start, min(count, start + PAGE)):
            record = _record(randomiser, number, products, weights)
            criteria = record["cve"]["configurations"][0]["nodes"][0]["cpeMatch"][0]["criteria"]
            fields = criteria.split(":")
            seen.setdefault((fields[3], fields[4], fields[2]), fields[5])
            page.append(record)
        document = {
            "resultsPerPage": len(page),
            "startIndex": start,
            "totalResults": count,
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": "2026-01-01T00:00:00.000",
            "vulnerabilities": page,
        }
        (folder / f"page-{start // PAGE:04d}.json").write_text(
            json.dumps(document), encoding="utf-8"
        )
    return [(v, p, part, version) for (v, p, part), version in seen.items()]


def _icsma_products() -> list[tuple[str, str, str]]:
    from hygie.devices.engine import parse_csaf

    found = []
    for path in sorted(ICSMA.glob("*.json")) if ICSMA.is_dir() else []:
        advisory = parse_csaf(path.read_bytes(), path.name, validate=False)
        for product in advisory.products.values():
            if product.vendor and product.product_name:
                found.append((product.vendor, product.product_name, product.version_text))
    return found


def write_inventory(path: Path, count: int, products: list[tuple[str, str, str, str]]) -> None:
    from hygie.lib.spreadsheet import csv_writer

    randomiser = random.Random(7)  # noqa: S311 - reproducible test data, not security
    icsma = _icsma_products()
    rows = []
    for n in range(count):
        if icsma and n % 10 == 0:
            vendor, model, version = randomiser.choice(icsma)
            version = version if randomiser.random() < 0.5 else _version(randomiser)
            rows.append([f"D{n:05d}", vendor, model, version, ""])
            continue
        vendor, product, part, seen = randomiser.choice(products)
        version = (
            seen if randomiser.random() < 0.3 and seen not in ("*", "-") else _version(randomiser)
        )
        version = version.replace("_", " ")
        cpe = _criterion(vendor, product, part, version.replace(" ", "_")) if n % 5 == 1 else ""
        rows.append([f"D{n:05d}", vendor.replace("_", " ").title(), product, version, cpe])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(["id", "manufacturer", "model", "version", "cpe"])
        writer.writerows(rows)


# --------------------------------------------------------------------------- sides


def _import(folder: Path) -> tuple[list[Any], list[Any], dict[str, float]]:
    from hygie.devices.engine import parse_csaf, parse_nvd

    started, cpu = time.perf_counter(), time.process_time()
    records = []
    for page in sorted(folder.glob("page-*.json")):
        records.extend(parse_nvd(page.read_bytes(), page.name))
    parsed_nvd = time.perf_counter()
    advisories = (
        [parse_csaf(p.read_bytes(), p.name) for p in sorted(ICSMA.glob("*.json"))]
        if ICSMA.is_dir()
        else []
    )
    parsed_csaf, cpu_csaf = time.perf_counter(), time.process_time()
    return records, advisories, {
        "nvd_parse_s": parsed_nvd - started,
        "csaf_parse_s": parsed_csaf - parsed_nvd,
        "import_cpu_s": cpu_csaf - cpu,
    }  # fmt: skip


def _inventory(path: Path) -> list[Any]:
    from hygie.devices.engine import parse_inventory

    return parse_inventory(path.read_text(encoding="utf-8"))


def _digest(verdicts: list[Any], devices: set[str] | None = None) -> tuple[str, int]:
    # The explanation too: the index's fast evaluation must say why exactly as the rules do.
    lines = sorted(
        f"{v.device}\t{v.advisory}\t{v.cve}\t{v.product_id}\t{v.status}\t{v.why}"
        for v in verdicts
        if devices is None or v.device in devices
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16], len(lines)


def _sample(items: list[Any], size: int) -> list[Any]:
    step = max(1, len(items) // max(1, size))
    return items[::step][:size]


def run_hygie(folder: Path, inventory: Path, sample: int) -> dict[str, Any]:
    from hygie.devices.engine import MatchIndex, match

    records, advisories, report = _import(folder)
    items = _inventory(inventory)
    started, cpu = time.perf_counter(), time.process_time()
    index = MatchIndex(advisories, records)
    report["index_s"] = time.perf_counter() - started
    report["import_cpu_s"] += time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    verdicts = match(items, index=index)
    report["match_s"] = time.perf_counter() - started
    report["match_cpu_s"] = time.process_time() - cpu
    # Each verdict carries its explanation as msgids and values; the English sentence (the
    # CLI's and the API's "why") is rendered when read: measured apart, for every verdict.
    started, cpu = time.perf_counter(), time.process_time()
    rendered = sum(len(v.why) for v in verdicts)
    report["render_s"], report["render_cpu_s"] = (
        time.perf_counter() - started,
        time.process_time() - cpu,
    )
    report["why_chars"] = rendered
    chosen = {item.id for item in _sample(items, sample)}
    report["sample_digest"], report["sample_verdicts"] = _digest(verdicts, chosen)
    report.update(
        records=len(records),
        advisories=len(advisories),
        devices=len(items),
        verdicts=len(verdicts),
        affected=sum(v.status == "known_affected" for v in verdicts),
        review=sum(v.status == "needs_review" for v in verdicts),
        devices_with_verdicts=len({v.device for v in verdicts}),
    )
    return report


def run_naive(folder: Path, inventory: Path, sample: int) -> dict[str, Any]:
    """Every record and every advisory product evaluated for each device (the engine's own
    evaluation rules; what a tool without an index does)."""
    from hygie.devices.engine.match import (
        _csaf_verdicts,
        _CsafIndex,
        _device,
        _Evaluator,
        _nvd_verdict,
    )
    from hygie.devices.engine.names import Aliases

    records, advisories, report = _import(folder)
    items = _inventory(inventory)
    chosen = _sample(items, sample)
    table = Aliases(None)
    started, cpu = time.perf_counter(), time.process_time()
    verdicts: list[Any] = []
    # Each advisory on its own (its products' names read once), scanned for every device.
    per_advisory = [_CsafIndex([advisory], table) for advisory in advisories]
    for item in chosen:
        for index in per_advisory:
            for entry in index.lookup(item, table):
                verdicts.extend(_csaf_verdicts(item, entry))
        seen: set[str] = set()
        for device in _device(item, table):
            # The same evaluation as the indexed run (reasons built only for a record kept).
            evaluator = _Evaluator(device, table, {})
            for record in records:
                if record.cve in seen:
                    continue
                found = _nvd_verdict(item, evaluator, record)
                if found:
                    seen.add(record.cve)
                    verdicts.extend(found)
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    report["sample_digest"], report["sample_verdicts"] = _digest(verdicts)
    report.update(
        sample=len(chosen),
        sample_s=elapsed,
        match_s=elapsed / max(1, len(chosen)) * len(items),
        match_cpu_s=elapsed_cpu / max(1, len(chosen)) * len(items),
        devices=len(items),
    )
    return report


CHILDREN = {"hygie": run_hygie, "naive": run_naive}


# --------------------------------------------------------------------------- output


def print_table(records: int, devices: int, reports: dict[str, dict[str, Any]]) -> None:
    hygie, naive = reports["hygie"], reports["naive"]
    imported = hygie["nvd_parse_s"] + hygie["csaf_parse_s"] + hygie["index_s"]
    ratio = naive["match_s"] / hygie["match_s"] if hygie["match_s"] else float("inf")
    print()
    print(
        f"{hygie['records']:,} NVD records (generated, target ≥ {records:,}), "
        f"{hygie['advisories']} ICSMA advisories, {hygie['devices']:,} devices"
    )
    print(f"{'':34}{'hygie (indexed)':>18}{'naive scan':>18}")
    for label, key in (
        ("import: NVD parse", "nvd_parse_s"),
        ("import: CSAF parse + validation", "csaf_parse_s"),
    ):
        print(f"{label:34}{hygie[key]:>16.1f} s{naive[key]:>16.1f} s")
    print(f"{'import: index build':34}{hygie['index_s']:>16.1f} s{'—':>18}")
    print(f"{'import total (target ≤ 120 s)':34}{imported:>16.1f} s")
    print(f"{'  of which CPU time':34}{hygie['import_cpu_s']:>16.1f} s")
    print(
        f"{f'match, {devices:,} devices (≤ 5 s)':34}{hygie['match_s']:>16.2f} s"
        f"{naive['match_s']:>16.0f} s*"
    )
    print(
        f"{'  of which CPU time':34}{hygie['match_cpu_s']:>16.2f} s{naive['match_cpu_s']:>16.0f} s"
    )
    print(
        f"{'  + every why rendered (English)':34}{hygie['render_s']:>16.2f} s"
        f" (CPU {hygie['render_cpu_s']:.2f} s)"
    )
    print(f"{'peak RSS':34}{hygie['peak_rss_mb']:>15.0f} MB{naive['peak_rss_mb']:>15.0f} MB")
    cpu_ratio = naive["match_cpu_s"] / hygie["match_cpu_s"] if hygie["match_cpu_s"] else 0.0
    print(f"{'ratio naive / hygie (match)':34}{ratio:>17,.0f}x (CPU time: {cpu_ratio:,.0f}x)")
    print(
        f"verdicts: {hygie['verdicts']:,} ({hygie['affected']:,} known_affected, "
        f"{hygie['review']:,} needs_review) for {hygie['devices_with_verdicts']:,} devices"
    )
    same = hygie["sample_digest"] == naive["sample_digest"]
    print(
        f"* naive: {naive['sample']} devices scanned in {naive['sample_s']:.1f} s, extrapolated "
        f"to {devices:,}; their {naive['sample_verdicts']} verdicts "
        f"{'are identical to' if same else 'DIFFER from'} the indexed run's "
        f"({hygie['sample_verdicts']})"
    )


if __name__ == "__main__":
    main()
