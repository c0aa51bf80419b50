"""Who is calling, by network address, when the gateway may sit behind proxies (the Kubernetes Ingress).

The sign-in limit counts attempts per address: behind a proxy every request comes from the proxy, so the address
must come from ``X-Forwarded-For``. That header is whatever the caller wrote, except for the hops that trusted
proxies appended on the right; so the header is read only when the peer itself is trusted, from the right, past the
trusted hops, to the first address no trusted proxy could have written for someone else (nginx's
``real_ip_recursive``). Plain Python.
"""

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks; an entry that is neither (or has host bits set, a likely typo for
    another network) raises ``ValueError`` naming it."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as error:
            raise ValueError(f"{entry!r} is not an IP address or network such as 10.0.0.0/8 ({error})") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; the operator lists it as a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, trusted: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The caller's address: the peer's, unless the peer is a trusted proxy; then the rightmost untrusted entry of
    ``forwarded_for``. A malformed entry ends the walk at the last trusted hop, as does a header of trusted hops only
    (its leftmost). Addresses are answered in their canonical form, so one address has one spelling."""
    peer = _address(remote_addr or "")
    if peer is None:
        return remote_addr or ""
    hop = peer
    if not _is_trusted(hop, trusted) or not forwarded_for:
        return str(hop)
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            break
        hop = address
        if not _is_trusted(hop, trusted):
            break
    return str(hop)
