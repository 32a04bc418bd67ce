"""Network segmentation policy and flow checks (pure: texts in, verdicts out).

A policy names zones (by networks, CIDR) and the flows allowed between them; every observed
flow whose (source zone, destination zone, port, protocol) no rule allows is a violation.
Two zones always exist: ``internet`` (public addresses in no zone) and ``unzoned`` (private,
link-local or loopback addresses in no zone). Observed flows come from passive discovery, from
NetFlow/IPFIX CSV exports (nfdump ``-o csv`` columns, or IPFIX element names) and from Zeek
``conn.log`` (TSV with its ``#fields`` header, or JSON lines).

Policy YAML::

    zones:
      - name: biomed
        networks: [10.20.0.0/16]
        description: Infusion pumps and monitors
      - name: pacs
        networks: [10.30.0.0/24]
    allow:
      - {from: biomed, to: pacs, ports: [104, 11112], protocol: tcp, description: DICOM}
      - {from: "*", to: dns, ports: [53], protocol: udp}
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hygie.lib.documents import DocumentError, Limits, load_yaml
from hygie.lib.errors import HygieError, Location

INTERNET, UNZONED, ANY = "internet", "unzoned", "*"
BUILT_IN = (INTERNET, UNZONED)
PROTOCOLS = ("tcp", "udp", "icmp", "any")
MAX_FLOWS = 5_000_000
_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmp"}
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SegmentationError(HygieError, ValueError):
    """A policy or a flow export refused, with where (file, line, key or column)."""


# The exposure a zone gives its devices for the clinical risk (the inventory's network zones).
ZONE_CATEGORIES = ("isolated", "medical", "clinical", "corporate", "dmz", "internet")


@dataclass(frozen=True)
class Zone:
    name: str
    networks: tuple[str, ...]
    description: str = ""
    category: str = ""  # one of ZONE_CATEGORIES, or "" (not said)


@dataclass(frozen=True)
class Rule:
    source: str  # zone name or "*"
    destination: str
    ports: tuple[int, ...]  # empty: any port
    protocol: str  # tcp | udp | icmp | any
    description: str = ""

    def allows(self, source: str, destination: str, port: int, protocol: str) -> bool:
        return (
            self.source in (ANY, source)
            and self.destination in (ANY, destination)
            and self.protocol in ("any", protocol)
            and (not self.ports or port in self.ports)
        )


@dataclass(frozen=True)
class Policy:
    zones: tuple[Zone, ...]
    rules: tuple[Rule, ...]
    _index: tuple[tuple[Network, str], ...] = field(default=(), compare=False, repr=False)

    def zone_of(self, address: str) -> str:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return UNZONED
        best: tuple[int, str] | None = None
        for network, name in self._index:
            if ip.version == network.version and ip in network:
                if best is None or network.prefixlen > best[0]:
                    best = (network.prefixlen, name)
        if best is not None:
            return best[1]
        if ip.is_private or ip.is_loopback or ip.is_link_local:
            return UNZONED
        return INTERNET

    def allowed(self, source: str, destination: str, port: int, protocol: str) -> Rule | None:
        for rule in self.rules:
            if rule.allows(source, destination, port, protocol):
                return rule
        return None


def build_policy(zones: Iterable[Zone], rules: Iterable[Rule]) -> Policy:
    zones, rules = tuple(zones), tuple(rules)
    index = tuple(
        (ipaddress.ip_network(net, strict=False), zone.name)
        for zone in zones
        for net in zone.networks
    )
    return Policy(zones, rules, index)


@dataclass(frozen=True)
class ObservedFlow:
    src: str
    dst: str
    port: int
    protocol: str
    bytes: int = 0
    packets: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0


@dataclass(frozen=True)
class Violation:
    src: str
    dst: str
    port: int
    protocol: str
    src_zone: str
    dst_zone: str
    bytes: int
    packets: int
    first_seen: float
    last_seen: float
    flows: int  # observed flow records aggregated into this tuple

    @property
    def key(self) -> str:
        """The deduplication key (one alert per flow tuple)."""
        return f"{self.src}|{self.dst}|{self.port}|{self.protocol}"

    @property
    def why(self) -> str:
        return (
            f"{self.src_zone} -> {self.dst_zone} on {self.protocol}/{self.port}: "
            "no rule of the policy allows it"
        )


# --- policy ----------------------------------------------------------------------------------


def parse_policy(text: str | bytes, source: str = "policy.yaml") -> Policy:
    """Load and validate a policy (YAML or JSON, through the hardened loader)."""
    try:
        document = load_yaml(text, source, Limits(max_bytes=2 * 1024 * 1024))
    except DocumentError as error:
        raise SegmentationError(error.message, error.location) from None
    data = document.data

    def fail(message: str, *path: str | int) -> SegmentationError:
        return SegmentationError(message, document.location(path))

    if not isinstance(data, dict):
        raise fail("a policy is a mapping with 'zones' and 'allow'")
    unknown = set(data) - {"zones", "allow", "description"}
    if unknown:
        raise fail(f"unknown key {sorted(map(str, unknown))[0]!r}", sorted(map(str, unknown))[0])
    zones: list[Zone] = []
    names: set[str] = set()
    raw_zones = data.get("zones") or []
    if not isinstance(raw_zones, list):
        raise fail("'zones' must be a list", "zones")
    for n, raw in enumerate(raw_zones):
        if not isinstance(raw, dict):
            raise fail("a zone is a mapping with 'name' and 'networks'", "zones", n)
        name = raw.get("name")
        if not isinstance(name, str) or not name or not set(name) <= _NAME_CHARS or len(name) > 64:
            raise fail("zone name: lower-case letters, digits, '-', '_' or '.'", "zones", n, "name")
        if name in names or name in BUILT_IN or name == ANY:
            raise fail(f"zone {name!r} is defined twice or is reserved", "zones", n, "name")
        networks = raw.get("networks") or []
        if not isinstance(networks, list) or not networks:
            raise fail("'networks' must be a non-empty list of CIDR", "zones", n, "networks")
        for m, net in enumerate(networks):
            try:
                ipaddress.ip_network(str(net), strict=False)
            except ValueError:
                raise fail("not a network (CIDR expected)", "zones", n, "networks", m) from None
        description = raw.get("description") or ""
        if not isinstance(description, str):
            raise fail("'description' must be text", "zones", n, "description")
        category = raw.get("category") or ""
        if category not in ("", *ZONE_CATEGORIES):
            raise fail(
                f"'category' must be one of {', '.join(ZONE_CATEGORIES)}", "zones", n, "category"
            )
        names.add(name)
        zones.append(
            Zone(name, tuple(str(net) for net in networks), description[:500], str(category))
        )
    rules: list[Rule] = []
    raw_rules = data.get("allow") or []
    if not isinstance(raw_rules, list):
        raise fail("'allow' must be a list", "allow")
    known = names | set(BUILT_IN) | {ANY}
    for n, raw in enumerate(raw_rules):
        if not isinstance(raw, dict):
            raise fail("a rule is a mapping with 'from' and 'to'", "allow", n)
        extra = set(raw) - {"from", "to", "ports", "protocol", "description"}
        if extra:
            raise fail(f"unknown key {sorted(map(str, extra))[0]!r}", "allow", n)
        for key in ("from", "to"):
            if raw.get(key) not in known:
                raise fail(f"'{key}' must name a zone of the policy, or '*'", "allow", n, key)
        protocol = str(raw.get("protocol") or "any").lower()
        if protocol not in PROTOCOLS:
            raise fail("'protocol' must be tcp, udp, icmp or any", "allow", n, "protocol")
        ports = raw.get("ports") or []
        if isinstance(ports, int):
            ports = [ports]
        if not isinstance(ports, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 65535 for p in ports
        ):
            raise fail("'ports' must be a list of port numbers (0-65535)", "allow", n, "ports")
        description = raw.get("description") or ""
        if not isinstance(description, str):
            raise fail("'description' must be text", "allow", n, "description")
        rules.append(
            Rule(str(raw["from"]), str(raw["to"]), tuple(ports), protocol, description[:500])
        )
    return build_policy(zones, rules)


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    return {
        "zones": [
            {
                "name": z.name,
                "networks": list(z.networks),
                "description": z.description,
                **({"category": z.category} if z.category else {}),
            }
            for z in policy.zones
        ],
        "allow": [
            {
                "from": r.source,
                "to": r.destination,
                "ports": list(r.ports),
                "protocol": r.protocol,
                "description": r.description,
            }
            for r in policy.rules
        ],
    }


# --- checks ----------------------------------------------------------------------------------


def check(policy: Policy, flows: Iterable[ObservedFlow]) -> list[Violation]:
    """Violations, one per (src, dst, port, protocol) tuple, sorted by source then destination."""
    found: dict[tuple[str, str, int, str], list[Any]] = {}
    zones: dict[str, str] = {}
    for flow in flows:
        key = (flow.src, flow.dst, flow.port, flow.protocol)
        entry = found.get(key)
        if entry is None:
            src_zone = zones.setdefault(flow.src, policy.zone_of(flow.src))
            dst_zone = zones.setdefault(flow.dst, policy.zone_of(flow.dst))
            if policy.allowed(src_zone, dst_zone, flow.port, flow.protocol) is not None:
                found[key] = []
                continue
            found[key] = [src_zone, dst_zone, 0, 0, flow.first_seen, flow.last_seen, 0]
            entry = found[key]
        if not entry:
            continue
        entry[2] += flow.bytes
        entry[3] += flow.packets
        entry[4] = min(entry[4], flow.first_seen)
        entry[5] = max(entry[5], flow.last_seen)
        entry[6] += 1
    return [
        Violation(src, dst, port, proto, *entry)
        for (src, dst, port, proto), entry in sorted(found.items())
        if entry
    ]


# --- flow exports ----------------------------------------------------------------------------

_CSV_COLUMNS = {
    "src": ("sa", "srcaddr", "src_ip", "sourceipv4address", "sourceipv6address"),
    "dst": ("da", "dstaddr", "dst_ip", "destinationipv4address", "destinationipv6address"),
    "port": ("dp", "dstport", "dst_port", "destinationtransportport"),
    "protocol": ("pr", "proto", "protocol", "protocolidentifier"),
    "bytes": ("ibyt", "bytes", "in_bytes", "octetdeltacount", "octettotalcount"),
    "packets": ("ipkt", "packets", "in_pkts", "packetdeltacount", "packettotalcount"),
    "first_seen": ("ts", "first", "start", "flowstartmilliseconds", "flowstartseconds"),
    "last_seen": ("te", "last", "end", "flowendmilliseconds", "flowendseconds"),
}


def parse_netflow_csv(text: str, source: str = "flows.csv") -> list[ObservedFlow]:
    """NetFlow/IPFIX CSV: nfdump ``-o csv`` (ts,te,td,sa,da,sp,dp,pr,...,ipkt,ibyt,...) or
    columns named after the IPFIX information elements. nfdump's trailing summary is ignored."""
    try:
        return _netflow_rows(list(csv.reader(io.StringIO(text))), source)
    except csv.Error:
        raise SegmentationError("not a CSV file", Location(source)) from None


def _netflow_rows(table: list[list[str]], source: str) -> list[ObservedFlow]:
    rows = iter(table)
    header = next(rows, None)
    if header is None:
        raise SegmentationError("empty flow export", Location(source))
    names = [h.strip().lower() for h in header]
    columns: dict[str, int] = {}
    for target, aliases in _CSV_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                columns[target] = names.index(alias)
                break
    missing = [c for c in ("src", "dst", "port", "protocol") if c not in columns]
    if missing:
        raise SegmentationError(
            f"not a NetFlow/IPFIX CSV export: no column for {', '.join(missing)}",
            Location(source, 1),
        )
    flows: list[ObservedFlow] = []
    for line, row in enumerate(rows, start=2):
        if not row or not row[0].strip() or row[0].strip().lower() == "summary":
            if row and row[0].strip().lower() == "summary":
                break
            continue
        if len(row) <= max(columns.values()):
            raise SegmentationError("row has fewer columns than the header", Location(source, line))
        values = {name: row[index] for name, index in columns.items()}
        flows.append(_flow(lambda c, values=values: values.get(c, ""), source, line))
        if len(flows) > MAX_FLOWS:
            raise SegmentationError(f"more than {MAX_FLOWS} flows", Location(source, line))
    return flows


def parse_zeek_conn(text: str, source: str = "conn.log") -> list[ObservedFlow]:
    """Zeek ``conn.log``: TSV with its ``#fields`` header, or JSON lines."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _zeek_json(text, source)
    fields: list[str] = []
    separator = "\t"
    flows: list[ObservedFlow] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#separator"):
            separator = _separator(raw[len("#separator") :].strip(), source, line)
            continue
        if raw.startswith("#fields"):
            fields = raw.split(separator)[1:]
            continue
        if raw.startswith("#") or not raw.strip():
            continue
        if not fields:
            raise SegmentationError(
                "not a Zeek conn.log: no #fields header", Location(source, line)
            )
        values = dict(zip(fields, raw.split(separator), strict=False))
        flows.append(_zeek_flow(values, source, line))
        if len(flows) > MAX_FLOWS:
            raise SegmentationError(f"more than {MAX_FLOWS} flows", Location(source, line))
    if not fields:
        raise SegmentationError("not a Zeek conn.log: no #fields header", Location(source, 1))
    return flows


def _separator(value: str, source: str, line: int) -> str:
    """Zeek writes ``#separator \\x09``; a literal character is accepted too."""
    if value.startswith("\\x") and len(value) == 4:
        try:
            return chr(int(value[2:], 16))
        except ValueError:
            pass
    elif len(value) == 1 and value != "#":
        return value
    raise SegmentationError("not a Zeek conn.log: unreadable #separator", Location(source, line))


def _zeek_json(text: str, source: str) -> list[ObservedFlow]:
    flows: list[ObservedFlow] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            raise SegmentationError("not a JSON object", Location(source, line)) from None
        if not isinstance(record, dict):
            raise SegmentationError("not a JSON object", Location(source, line))
        flows.append(_zeek_flow({k: str(v) for k, v in record.items()}, source, line))
        if len(flows) > MAX_FLOWS:
            raise SegmentationError(f"more than {MAX_FLOWS} flows", Location(source, line))
    return flows


def _zeek_flow(values: dict[str, str], source: str, line: int) -> ObservedFlow:
    def total(*names: str) -> str:
        numbers = [values.get(n, "") for n in names]
        return str(sum(int(float(v)) for v in numbers if v not in ("", "-")))

    duration = values.get("duration", "-")
    start = values.get("ts", "")
    end = ""
    if start not in ("", "-") and duration not in ("", "-"):
        try:
            end = str(float(start) + float(duration))
        except ValueError:
            end = ""
    mapping = {
        "src": values.get("id.orig_h", ""),
        "dst": values.get("id.resp_h", ""),
        "port": values.get("id.resp_p", ""),
        "protocol": values.get("proto", ""),
        "bytes": total("orig_ip_bytes", "resp_ip_bytes"),
        "packets": total("orig_pkts", "resp_pkts"),
        "first_seen": start,
        "last_seen": end or start,
    }
    try:
        return _flow(mapping.__getitem__, source, line)
    except ValueError:
        raise SegmentationError("unreadable connection record", Location(source, line)) from None


def _flow(get: Any, source: str, line: int) -> ObservedFlow:
    try:
        src = str(ipaddress.ip_address(get("src").strip()))
        dst = str(ipaddress.ip_address(get("dst").strip()))
    except ValueError:
        raise SegmentationError("not an IP address", Location(source, line)) from None
    protocol = get("protocol").strip().lower()
    protocol = _PROTOCOL_NUMBERS.get(protocol, protocol)
    if protocol not in PROTOCOLS:
        protocol = protocol[:10] or "any"
    try:
        port = int(float(get("port").strip() or 0))
        if not 0 <= port <= 65535:
            raise ValueError
        count = int(float(get("bytes").strip() or 0))
        packets = int(float(get("packets").strip() or 0))
    except ValueError:
        raise SegmentationError(
            "port, bytes or packets not a number", Location(source, line)
        ) from None
    return ObservedFlow(
        src, dst, port, protocol, count, packets, _time(get("first_seen")), _time(get("last_seen"))
    )


def _time(text: str) -> float:
    value = text.strip()
    if not value or value == "-":
        return 0.0
    try:
        number = float(value)
        return number / 1000 if number > 1e11 else number  # IPFIX milliseconds
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        return 0.0
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()
