"""Outbound HTTP for webhook and Slack channels, guarded against server-side request forgery.

A channel URL is chosen by an organization admin, so without a guard Argus would POST wherever it is
told: to its own admin port, to a database on the private network, or to a cloud metadata service.
The check happens when the connection is made: the host is resolved here, every answer is vetted,
and the socket connects to a vetted address (never re-resolved), so DNS answers that change between
saving and sending (rebinding) and redirects to internal hosts are refused as well. TLS still checks
the certificate against the URL's host name, because httpcore starts TLS with that name.
"""

from __future__ import annotations

import ipaddress
import socket
import typing
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints stay refused even when private addresses are allowed; only an explicit
# entry in ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS reaches them.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
MAX_REDIRECTS = 3
# Only these redirects keep the method and body; a webhook POST turned into a GET is not a delivery.
FOLLOWED_REDIRECTS = frozenset({307, 308})


class AddressRefused(Exception):
    """The destination resolves to an address Argus may not contact."""


def _normalise(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(ip: IPAddress) -> bool:
    ip = _normalise(ip)
    for network in settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS:
        if ip in ipaddress.ip_network(network, strict=False):
            return True
    if ip in METADATA_ADDRESSES:
        return False
    if settings.ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES:
        return not ip.is_multicast and not ip.is_unspecified
    # is_global excludes loopback, RFC 1918, link-local, shared (CGNAT), ULA, documentation, reserved.
    return ip.is_global and not ip.is_multicast


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (a seam the tests replace to play a DNS server)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def vetted_addresses(host: str, port: int) -> list[str]:
    host = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolve_host(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no addresses")
    # One refused answer refuses the host: round-robin records must not mix in an internal address.
    for address in addresses:
        if not address_allowed(ipaddress.ip_address(address)):
            raise AddressRefused(f"{host} resolves to {address}, a private or reserved address")
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in vetted_addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool built on the guarded backend, and no proxies."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend; the pool it builds is replaced as a whole.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=0,
            network_backend=GuardedBackend(),
        )


def check_url(url: str) -> None:
    """What can be known when a URL is saved: scheme, host, and hosts that are addresses or localhost.

    Names are resolved again at every connection, so passing here is necessary, not sufficient.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        if not address_allowed(ipaddress.ip_address("127.0.0.1")):
            raise AddressRefused(f"{host} is a loopback host")
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address_allowed(ip):
        raise AddressRefused(f"{host} is a private or reserved address")


def guarded_post(url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST through the guard, following only method-preserving redirects, each one vetted again."""
    timeout = httpx.Timeout(settings.ARGUS_NOTIFICATIONS_HTTP_TIMEOUT)
    with httpx.Client(transport=GuardedTransport(), timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url)
            response = client.post(url, content=content, headers=headers)
            if response.status_code not in FOLLOWED_REDIRECTS or "location" not in response.headers:
                return response
            url = str(response.url.join(response.headers["location"]))
        return response
