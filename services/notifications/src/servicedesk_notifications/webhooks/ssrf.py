"""Server-side request forgery guard for webhook URLs.

A URL is acceptable when it is http(s) with a host, and EVERY address the host resolves
to is public: loopback, link-local (169.254/16, fe80::/10), private (10/8, 172.16/12,
192.168/16, fc00::/7), unspecified, multicast, reserved and other non-global ranges are
refused, also when wrapped in IPv6 (IPv4-mapped ::ffff:a.b.c.d, 6to4, Teredo). An entry
of `NOTIFICATIONS_WEBHOOK_ALLOWLIST` (a CIDR, or a host name) lets a target through.

The check runs at registration and again before every delivery (DNS may have changed
since: rebinding), and the caller connects to the address that was checked (`Target.ip`),
never to a fresh resolution. See https://cheatsheetseries.owasp.org/cheatsheets/
Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeUrl(Exception):
    """The URL may not be called; the message says why (safe to show to an admin)."""


@dataclass(frozen=True)
class Allowlist:
    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: list[str]) -> Allowlist:
        networks: list[Network] = []
        hosts: set[str] = set()
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def allows(self, host: str, ip: IPAddress) -> bool:
        return host in self.hosts or any(ip in network for network in self.networks)


class Resolver:
    """The system resolver (getaddrinfo); tests substitute their own answers."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str
    ip: IPAddress


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """Any IPv4 address an IPv6 one carries (checked first), then the address itself."""
    found: list[IPAddress] = []
    if isinstance(ip, ipaddress.IPv6Address):
        inner = (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None)
        found.extend(address for address in inner if address is not None)
    return [*found, ip]


FLAGS = ("unspecified", "loopback", "link_local", "multicast", "reserved", "private")


def refusal(ip: IPAddress) -> str | None:
    """What kind of non-public address this is ("loopback", …), or None when public."""
    for candidate in _embedded(ip):
        for flag in FLAGS:
            if getattr(candidate, f"is_{flag}"):
                return flag.replace("_", "-")
        if not candidate.is_global:
            return "non-public"
    return None


def parse_url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeUrl(f"not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are allowed")
    if not url.host:
        raise UnsafeUrl("the URL has no host")
    if url.userinfo:
        raise UnsafeUrl("credentials in the URL are not allowed")
    return url


async def check(raw: str, *, allowlist: Allowlist, resolver: Resolver) -> Target:
    """The URL and the one checked address to connect to; UnsafeUrl if any is refused."""
    url = parse_url(raw)
    host = url.host.lower().rstrip(".")
    try:
        addresses = [ipaddress.ip_address(a) for a in await resolver.resolve(host, _port(url))]
    except (OSError, ValueError, UnicodeError) as exc:
        raise UnsafeUrl(f"the host {host!r} does not resolve ({type(exc).__name__})") from None
    if not addresses:
        raise UnsafeUrl(f"the host {host!r} does not resolve")
    for ip in addresses:
        kind = None if allowlist.allows(host, ip) else refusal(ip)
        if kind:
            where = f"{host} resolves to {ip}" if host != str(ip) else str(ip)
            raise UnsafeUrl(f"refused: {where} ({kind} address)")
    return Target(url=url, host=host, ip=addresses[0])


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)
