"""The client's IP: the TCP peer, unless the peer is a proxy we were told to trust.

`X-Forwarded-For` is a list each proxy appends to, so everything left of the last hop we
control is whatever the client chose to write. We walk it from the right, skipping our own
trusted proxies, and stop at the first address we do not trust: that is the client
(https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For#selecting_an_ip_address).
From an untrusted peer the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from servicedesk_gateway.config import split_list

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientIpResolver:
    def __init__(self, trusted_proxies: str) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in split_list(trusted_proxies)
        )
        # Peers repeat: cache the membership test (bounded).
        self.is_trusted = lru_cache(maxsize=4096)(self._is_trusted)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def resolve(self, peer: str, forwarded_for: str | None) -> str:
        """The client IP for a request from `peer` carrying `forwarded_for` (may be None)."""
        if not self.networks or not forwarded_for or not self.is_trusted(peer):
            return peer
        client = peer
        for raw in reversed(forwarded_for.split(",")):
            hop = canonical(raw.strip())
            if hop is None:
                break  # garbage left of our last good hop: keep what we have
            client = hop
            if not self.is_trusted(hop):
                break
        return client


@lru_cache(maxsize=4096)
def canonical(address: str) -> str | None:
    """One spelling per address (`2001:DB8::0001` == `2001:db8::1`), None if not an IP."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def bucket_key(address: str) -> str:
    """The rate-limit key of an address: IPv6 clients get a /64 each, as ISPs hand out,
    or one host could rotate through 2^64 addresses to escape its limit."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
