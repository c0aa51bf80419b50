"""The caller's address behind trusted proxies: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.gateway import settings
from services.gateway.client_address import client_address, trusted_networks

SECRET = "s" * 32
INGRESS = trusted_networks("10.0.0.0/8")


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("198.51.100.4", "203.0.113.7", ()) == "198.51.100.4"
    assert client_address("10.0.0.2", "203.0.113.7", trusted_networks("192.168.0.0/16")) == "10.0.0.2"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client():
    assert client_address("10.0.0.2", "203.0.113.7", INGRESS) == "203.0.113.7"
    # The client wrote 198.51.100.1 itself; the Ingress appended what it saw, then a second trusted hop its own.
    assert client_address("10.0.0.2", "198.51.100.1, 203.0.113.7, 10.1.2.3", INGRESS) == "203.0.113.7"


def test_a_malformed_entry_ends_the_walk_at_the_last_trusted_hop():
    assert client_address("10.0.0.2", "203.0.113.7, garbage, 10.0.0.9", INGRESS) == "10.0.0.9"
    assert client_address("10.0.0.2", "203.0.113.7,,10.0.0.9", INGRESS) == "10.0.0.9"
    assert client_address("10.0.0.2", "203.0.113.7:4711", INGRESS) == "10.0.0.2"


def test_a_header_of_trusted_hops_only_or_none_gives_the_last_hop():
    assert client_address("10.0.0.2", "10.0.0.7, 10.0.0.8", INGRESS) == "10.0.0.7"
    assert client_address("10.0.0.2", None, INGRESS) == client_address("10.0.0.2", "", INGRESS) == "10.0.0.2"


def test_addresses_are_canonical_and_an_ipv4_peer_on_a_dual_stack_socket_is_matched():
    assert client_address("::ffff:10.0.0.2", "2001:DB8:0:0::1", INGRESS) == "2001:db8::1"
    assert client_address("2001:0db8::0001", "203.0.113.7", INGRESS) == "2001:db8::1"
    assert client_address(None, "203.0.113.7", INGRESS) == ""


def test_the_setting_lists_addresses_and_networks_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("BILUM_JWT_SECRET", SECRET)
    monkeypatch.delenv("BILUM_TRUSTED_PROXIES", raising=False)
    assert settings.load().trusted_proxies == ()
    monkeypatch.setenv("BILUM_TRUSTED_PROXIES", " 10.42.0.0/16, 192.168.1.5 ,2001:db8::/32,")
    assert settings.load().trusted_proxies == (
        ipaddress.ip_network("10.42.0.0/16"),
        ipaddress.ip_network("192.168.1.5/32"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    for wrong in ("ingress.local", "10.42.0.1/16", "10.0.0.0/33", "10.0.0.0/8;10.1.0.0/16"):
        monkeypatch.setenv("BILUM_TRUSTED_PROXIES", f"10.0.0.0/8,{wrong}")
        with pytest.raises(RuntimeError, match=rf"BILUM_TRUSTED_PROXIES: '{wrong}' is not an IP address or network"):
            settings.load()


# IPv4 written as IPv6 (::ffff:a.b.c.d) is answered as IPv4: the examples above cover it.
MAPPED = ipaddress.ip_network("::ffff:0:0/96")
addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6).filter(lambda address: address not in MAPPED))
networks = (
    st.one_of(
        st.tuples(st.ip_addresses(v=4), st.integers(8, 32)), st.tuples(st.ip_addresses(v=6), st.integers(16, 128))
    )
    .map(lambda pair: ipaddress.ip_network(f"{pair[0]}/{pair[1]}", strict=False))
    .filter(lambda network: not network.overlaps(MAPPED))
)
proxy_lists = st.lists(networks, min_size=1, max_size=4).map(tuple)
# What a client may write in the header: anything, addresses among it.
headers = st.lists(st.one_of(addresses.map(str), st.text(max_size=20)), max_size=6).map(", ".join)


def _trusted(address, trusted) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


@given(addresses, headers, proxy_lists)
def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(peer, header, trusted):
    assume(not _trusted(peer, trusted))
    assert client_address(str(peer), header, trusted) == str(peer)


@given(headers, addresses, st.data(), proxy_lists)
def test_behind_trusted_proxies_what_the_client_wrote_cannot_change_its_address(forged, client, data, trusted):
    """The client controls the left of the header; the trusted proxies append, on the right, the client they saw
    and each other."""
    assume(not _trusted(client, trusted))
    hops = data.draw(st.lists(st.sampled_from(trusted).map(lambda network: network[0]), min_size=1, max_size=3))
    peer, appended = hops[-1], [client, *hops[:-1]]
    header = ", ".join([forged, *map(str, appended)]) if forged else ", ".join(map(str, appended))
    assert client_address(str(peer), header, trusted) == str(client)


@given(proxy_lists, st.data())
def test_the_answer_is_the_peer_or_an_entry_with_only_trusted_hops_to_its_right(trusted, data):
    some = st.one_of(addresses, st.sampled_from(trusted).map(lambda network: network[-1]))
    peer = data.draw(some)
    header = data.draw(st.lists(st.one_of(some.map(str), st.text(max_size=20)), max_size=6).map(", ".join))
    answer = ipaddress.ip_address(client_address(str(peer), header, trusted))
    entries = [peer]
    for entry in reversed(header.split(",")):
        try:
            entries.append(ipaddress.ip_address(entry.strip()))
        except ValueError:
            break
    position = entries.index(answer)
    assert all(_trusted(hop, trusted) for hop in entries[:position])
