"""Passive discovery engine (pure: bytes in, candidates and flows out): pcap/pcapng reading,
Ethernet/VLAN/IPv4/IPv6/TCP/UDP decoding with TCP stream reassembly, identification from
DICOM associations, HL7v2/MLLP headers, DHCP, MAC OUIs, HTTP, mDNS/SSDP and MQTT CONNECT."""

from hygie.devices.engine.discovery.analysis import (
    Candidate,
    DiscoveryResult,
    Evidence,
    Flow,
    discover,
    result_to_dict,
)
from hygie.devices.engine.discovery.capture import CaptureError, Frame, read_frames
from hygie.devices.engine.discovery.oui import OuiTable, default_table

__all__ = [
    "CaptureError",
    "Candidate",
    "DiscoveryResult",
    "Evidence",
    "Flow",
    "Frame",
    "OuiTable",
    "default_table",
    "discover",
    "read_frames",
    "result_to_dict",
]
