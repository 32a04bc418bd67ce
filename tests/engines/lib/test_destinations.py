"""The outbound destination policy of alert forwarding (pure part): which addresses are denied."""

from __future__ import annotations

import ipaddress

import pytest

from hygie.lib.destinations import NetworkListError, parse_networks, refusal


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("169.254.10.20", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("168.63.129.16", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("siem.example.org", "not an IP address"),
    ],
)
def test_denied_by_default(address, kind):
    found = refusal(address)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "address",
    ["10.20.30.40", "172.16.5.4", "192.168.1.10", "fd12::10", "192.0.2.10", "2001:db8::10"],
)
def test_private_and_public_receivers_are_allowed(address):
    # Hospital SIEMs live on private networks; the deny list is about the server itself.
    assert refusal(address) is None


def test_the_allow_list_lifts_the_default_denial_for_its_networks_only():
    allowed = parse_networks(["127.0.0.0/8", "fe80::/64"])
    assert refusal("127.0.0.1", allowed) is None
    assert refusal("::ffff:127.0.0.1", allowed) is None
    assert refusal("fe80::5", allowed) is None
    assert refusal("::1", allowed) is not None
    assert refusal("169.254.1.1", allowed) is not None


def test_metadata_needs_an_allow_list_entry_inside_it():
    broad = parse_networks(["169.254.0.0/16", "0.0.0.0/0", "::/0"])
    assert refusal("169.254.169.254", broad).kind == "cloud metadata"
    assert refusal("fd00:ec2::254", broad).kind == "cloud metadata"
    assert refusal("169.254.1.1", broad) is None
    assert refusal("169.254.169.254", parse_networks(["169.254.169.254/32"])) is None


@pytest.mark.parametrize("entry", ["10.0.0.1/8", "not-a-network", "300.1.1.1", "10.0.0.0/33"])
def test_allow_list_entries_are_checked(entry):
    with pytest.raises(NetworkListError, match="CIDR"):
        parse_networks([entry])


def test_allow_list_accepts_addresses_and_ignores_blanks():
    assert [str(n) for n in parse_networks([" 127.0.0.1 ", "", "fd12::/64"])] == [
        "127.0.0.1/32",
        "fd12::/64",
    ]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("::127.0.0.1", "loopback"),  # IPv4-compatible ::/96
        ("::a9fe:a9fe", "cloud metadata"),  # ::169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "cloud metadata"),  # 6to4 of 169.254.169.254
        ("2002:a9fe:101::", "link-local"),
    ],
)
def test_ipv4_embedded_in_compatible_and_6to4_addresses_is_judged(address, kind):
    found = refusal(address)
    assert found is not None and found.kind == kind


def test_compatible_and_6to4_of_allowed_ipv4_stay_allowed():
    assert refusal("2002:a14:1e28::1") is None  # 6to4 of 10.20.30.40
    assert refusal("::10.20.30.40") is None
    assert refusal("::1", parse_networks(["::1/128"])) is None  # ::1 is not 0.0.0.1


def test_the_servers_own_addresses_are_loopback_unless_allowed():
    own = {ipaddress.ip_address("10.1.2.3"), ipaddress.ip_address("fd12::3")}
    assert refusal("10.1.2.3", own=own).kind == "loopback"
    assert refusal("fd12::3", own=own).kind == "loopback"
    assert refusal("::ffff:10.1.2.3", own=own).kind == "loopback"
    assert refusal("10.1.2.4", own=own) is None
    assert refusal("10.1.2.3", parse_networks(["10.1.2.3/32"]), own=own) is None
