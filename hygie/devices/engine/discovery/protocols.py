"""Application-protocol extractors. Each takes the bytes of one direction of a TCP stream (or
one UDP datagram) and returns ``(kind, value)`` hints about the device that SENT them; none
raises on malformed input. Only identification fields are kept: HL7 keeps MSH-3/4/5/6 (and
the message type/version), never a patient segment; MQTT keeps the client id only."""

from __future__ import annotations

import re
import struct

Hint = tuple[str, str]
MAX_VALUE = 200

# DICOM implementation class UID roots -> organisation (public UID roots)
DICOM_ROOTS = (
    ("1.2.840.113619", "GE Healthcare"),
    ("1.3.12.2.1107", "Siemens Healthineers"),
    ("1.3.46.670589", "Philips"),
    ("1.2.392.200036.9116", "Canon Medical Systems"),
    ("1.2.392.200036.9125", "Fujifilm"),
    ("1.2.840.113564", "Agfa HealthCare"),
    ("1.2.840.113704", "Philips"),
    ("1.2.276.0.7230010", "OFFIS (DCMTK)"),
    ("1.2.826.0.1.3680043.9.3811", "pynetdicom"),
    ("1.2.826.0.1.3680043.2.1143", "GDCM"),
    ("1.2.40.0.13.1", "dcm4che"),
)


def clean(raw: bytes | str) -> str:
    """Printable text, trimmed and bounded (values come from the wire)."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:MAX_VALUE]


def dicom_vendor(uid: str) -> str:
    for root, name in DICOM_ROOTS:
        if uid == root or uid.startswith(root + "."):
            return name
    return ""


# --- DICOM upper layer ---------------------------------------------------------------------


def dicom(stream: bytes) -> list[Hint]:
    """A-ASSOCIATE-RQ (0x01) / -AC (0x02) PDUs at the start of a stream: AE titles, the
    implementation class UID and version name, the abstract syntaxes proposed."""
    hints: list[Hint] = []
    offset = 0
    for _ in range(64):
        if offset + 6 > len(stream):
            break
        pdu_type = stream[offset]
        length = struct.unpack_from(">I", stream, offset + 2)[0]
        if pdu_type not in (1, 2, 3, 4, 5, 6, 7) or stream[offset + 1] != 0:
            break
        body = stream[offset + 6 : offset + 6 + length]
        if pdu_type in (1, 2) and len(body) >= 68:
            hints += _associate(pdu_type, body)
        offset += 6 + length
    return hints


def _associate(pdu_type: int, body: bytes) -> list[Hint]:
    called, calling = clean(body[4:20]), clean(body[20:36])
    if pdu_type == 1:
        hints = [("dicom.calling_ae", calling), ("dicom.called_ae", called)]
    else:
        hints = [("dicom.responding_ae", called)]
    for item_type, item in _items(body[68:], 2):
        if item_type == 0x20:  # presentation context (RQ): abstract syntax sub-item 0x30
            for sub_type, sub in _items(item[4:], 2):
                if sub_type == 0x30:
                    hints.append(("dicom.abstract_syntax", clean(sub.rstrip(b"\0"))))
        elif item_type == 0x50:
            for sub_type, sub in _items(item, 2):
                if sub_type == 0x52:
                    uid = clean(sub.rstrip(b"\0"))
                    hints.append(("dicom.implementation_uid", uid))
                    vendor = dicom_vendor(uid)
                    if vendor:
                        hints.append(("vendor", vendor))
                elif sub_type == 0x55:
                    hints.append(("dicom.implementation_version", clean(sub)))
    return [(kind, value) for kind, value in hints if value]


def _items(data: bytes, size_bytes: int) -> list[tuple[int, bytes]]:
    items: list[tuple[int, bytes]] = []
    offset = 0
    while offset + 4 <= len(data) and len(items) < 256:
        item_type = data[offset]
        length = struct.unpack_from(">H", data, offset + 2)[0]
        items.append((item_type, data[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    return items


# --- HL7 v2 over MLLP ------------------------------------------------------------------------

_MLLP = re.compile(rb"\x0b(MSH.{0,2000}?)[\r\n\x1c]", re.DOTALL)


def hl7(stream: bytes) -> list[Hint]:
    """The MSH segment of each MLLP frame: sending application/facility (MSH-3/4), receiving
    application/facility (MSH-5/6), message type (MSH-9) and version (MSH-12). The rest of
    the message is never decoded."""
    hints: list[Hint] = []
    for match in _MLLP.finditer(stream[:1_048_576]):
        segment = match.group(1)
        if len(segment) < 8:
            continue
        separator = segment[3:4]
        fields = segment.split(separator)

        def field(index: int, fields: list[bytes] = fields) -> str:
            return clean(fields[index]) if index < len(fields) else ""

        hints += [
            ("hl7.sending_application", field(2)),
            ("hl7.sending_facility", field(3)),
            ("hl7.receiving_application", field(4)),
            ("hl7.receiving_facility", field(5)),
            ("hl7.message_type", field(8)),
            ("hl7.version", field(11)),
        ]
        if len(hints) > 600:
            break
    return _unique([(k, v) for k, v in hints if v])


# --- HTTP and SSDP ---------------------------------------------------------------------------

_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"DELETE ", b"OPTIONS ", b"PATCH ")
_HEADER = re.compile(rb"(?im)^(user-agent|server)[ \t]*:[ \t]*([^\r\n]{1,400})")


def http(stream: bytes) -> list[Hint]:
    """User-Agent of requests and Server of responses (headers only)."""
    if not (stream.startswith(_METHODS) or stream.startswith(b"HTTP/1.")):
        return []
    hints = [
        ("http.user_agent" if name.lower() == b"user-agent" else "http.server", clean(value))
        for name, value in _HEADER.findall(stream[:262_144])
    ]
    return _unique(hints)[:20]


_SSDP_HEADER = re.compile(rb"(?im)^(server|user-agent|nt|st|usn)[ \t]*:[ \t]*([^\r\n]{1,400})")


def ssdp(datagram: bytes) -> list[Hint]:
    if not datagram.startswith((b"NOTIFY ", b"M-SEARCH ", b"HTTP/1.1 200")):
        return []
    hints = []
    for name, value in _SSDP_HEADER.findall(datagram[:8192]):
        key = name.lower().decode()
        if key in ("server", "user-agent"):
            hints.append(("ssdp.server", clean(value)))
        elif key in ("nt", "st") and datagram.startswith((b"NOTIFY", b"HTTP")):
            hints.append(("ssdp.type", clean(value)))
    return _unique(hints)


# --- mDNS --------------------------------------------------------------------------------------


def mdns(datagram: bytes) -> list[Hint]:
    """Names a device announces in mDNS responses: host names (A/AAAA), service instances
    (SRV/TXT owners, PTR targets)."""
    if len(datagram) < 12 or not datagram[2] & 0x80:  # responses only
        return []
    questions, answers, authority, additional = struct.unpack_from(">HHHH", datagram, 4)
    offset = 12
    hints: list[Hint] = []
    try:
        for _ in range(min(questions, 64)):
            _name, offset = _dns_name(datagram, offset)
            offset += 4
        for _ in range(min(answers + authority + additional, 128)):
            name, offset = _dns_name(datagram, offset)
            rtype, _cls, _ttl, length = struct.unpack_from(">HHIH", datagram, offset)
            offset += 10
            if rtype in (1, 28):
                hints.append(("mdns.hostname", name))
            elif rtype == 12:
                target, _end = _dns_name(datagram, offset)
                hints.append(("mdns.service", target))
            elif rtype in (33, 16):
                hints.append(("mdns.service", name))
            offset += length
    except (ValueError, struct.error, IndexError):
        pass
    return _unique([(k, clean(v)) for k, v in hints if v])[:20]


def _dns_name(data: bytes, offset: int) -> tuple[str, int]:
    labels: list[str] = []
    end = -1
    for _ in range(64):
        length = data[offset]
        if length == 0:
            offset += 1
            break
        if length & 0xC0 == 0xC0:
            pointer = ((length & 0x3F) << 8) | data[offset + 1]
            if end < 0:
                end = offset + 2
            if pointer >= offset:
                raise ValueError("forward DNS pointer")
            offset = pointer
            continue
        labels.append(data[offset + 1 : offset + 1 + length].decode("utf-8", "replace"))
        offset += 1 + length
    else:
        raise ValueError("DNS name too long")
    return ".".join(labels), end if end >= 0 else offset


# --- MQTT ------------------------------------------------------------------------------------


def mqtt(stream: bytes) -> list[Hint]:
    """The client identifier of a CONNECT packet (MQTT 3.1, 3.1.1 and 5)."""
    if len(stream) < 12 or stream[0] != 0x10:
        return []
    offset, remaining = _varint(stream, 1)
    if remaining < 10 or offset < 0:
        return []
    packet = stream[offset : offset + remaining]
    try:
        name_length = struct.unpack_from(">H", packet, 0)[0]
        name = packet[2 : 2 + name_length]
        if name not in (b"MQTT", b"MQIsdp"):
            return []
        position = 2 + name_length
        level = packet[position]
        position += 4  # level, flags, keep alive
        if level == 5:
            position, properties = _varint(packet, position)
            if position < 0:
                return []
            position += properties
        id_length = struct.unpack_from(">H", packet, position)[0]
        client_id = packet[position + 2 : position + 2 + id_length]
    except (struct.error, IndexError):
        return []
    value = clean(client_id.decode("utf-8", "replace"))
    return [("mqtt.client_id", value)] if value else []


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    value, shift = 0, 0
    for _ in range(4):
        if offset >= len(data):
            return -1, 0
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return offset, value
    return -1, 0


# --- DHCP ------------------------------------------------------------------------------------


def dhcp(datagram: bytes) -> tuple[str, str, list[Hint]]:
    """``(client MAC, assigned IP, hints)`` of a DHCP/BOOTP message: host name (option 12),
    vendor class (60), parameter request list fingerprint (55) from client messages; the
    address given by a server's ACK binds the MAC to its IP."""
    if len(datagram) < 240 or datagram[236:240] != b"\x63\x82\x53\x63":
        return "", "", []
    op, _htype, hlen = datagram[0], datagram[1], datagram[2]
    if hlen != 6:
        return "", "", []
    mac = ":".join(f"{b:02x}" for b in datagram[28:34])
    yiaddr = ".".join(str(b) for b in datagram[16:20])
    options: dict[int, bytes] = {}
    offset = 240
    while offset < len(datagram):
        code = datagram[offset]
        if code == 255:
            break
        if code == 0:
            offset += 1
            continue
        if offset + 1 >= len(datagram):
            break
        length = datagram[offset + 1]
        options.setdefault(code, datagram[offset + 2 : offset + 2 + length])
        offset += 2 + length
    message = options.get(53, b"\0")[:1]
    if op == 2:
        return mac, (yiaddr if message == b"\x05" and any(datagram[16:20]) else ""), []
    hints: list[Hint] = []
    if 12 in options:
        hints.append(("dhcp.hostname", clean(options[12])))
    if 60 in options:
        hints.append(("dhcp.vendor_class", clean(options[60])))
    if 55 in options:
        hints.append(("dhcp.fingerprint", ",".join(str(b) for b in options[55])))
    return mac, "", [(k, v) for k, v in hints if v]


def _unique(hints: list[Hint]) -> list[Hint]:
    return list(dict.fromkeys(hints))
