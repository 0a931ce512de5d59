"""Outbound calls to destinations users choose (http and skill nodes, personal model endpoints, users'
databases, and later MCP servers), guarded against SSRF.

Every hop's host is resolved and each address checked: private, loopback, link-local, metadata,
multicast and reserved addresses are refused unless OUTBOUND_ALLOWED_HOSTS opens them; the connection
goes to the address that was checked. Redirects are followed by hand so each one is checked too.
Responses are capped in size."""

import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from shared.config import settings

if TYPE_CHECKING:
    import httpx

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ALLOWED_SCHEMES = {"http", "https"}
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class OutboundError(Exception):
    """The call failed for good; the message names the host, never a credential."""


class RetryableOutboundError(OutboundError):
    """A timeout, a 429 or a 5xx: another attempt may succeed."""


class OutboundRefused(OutboundError):
    """The destination is not a public address (SSRF guard), or not an http(s) URL."""


@dataclass
class OutboundResponse:
    status: int
    headers: dict[str, str]
    body: Any
    elapsed_ms: float
    hops: list[str] = field(default_factory=list)


def _allowed_by_setting(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for entry in settings.OUTBOUND_ALLOWED_HOSTS:
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _unmapped(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    address = _unmapped(address)
    return not (
        address in METADATA_ADDRESSES
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@lru_cache(maxsize=64)
def http_client(host: str | None = None) -> "httpx.Client":
    """An HTTP client kept for the container: a new one costs ~35 ms (it loads the CA bundle) and
    pools no connections. Pinned requests (to a checked address) get one client per host name, so a
    TLS connection verified for one name is never reused for another on the same address. Redirects
    are never followed automatically; timeouts are per request."""
    import httpx  # imported at the first request: services that only check destinations stay light

    return httpx.Client(follow_redirects=False)


def check_destination(url: str) -> str:
    """Refuse a URL whose scheme is not http(s) or whose host resolves to a non-public address;
    return the checked address the request must then connect to (see `pinned`)."""
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise OutboundRefused(f"only http(s) URLs with a host are allowed, got {url[:200]!r}")
    return check_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


def check_address(host: str, port: int, *, allow_loopback: bool = False) -> str:
    """Resolve `host` and refuse it if any of its addresses is not public (unless OUTBOUND_ALLOWED_HOSTS
    opens it, or `allow_loopback` and it is a loopback address); return the checked address, which the
    connection must then go to (for non-HTTP destinations such as users' databases)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"cannot resolve {host!r}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if _is_public(address) or _allowed_by_setting(host, address):
            continue
        if allow_loopback and _unmapped(address).is_loopback:
            continue
        raise OutboundRefused(f"{host!r} resolves to {address}, which is not a public address")
    return str(addresses[0])


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL with its host replaced by the checked address, the Host header, and the TLS server name.

    Connecting to the address that was checked (instead of letting the HTTP client resolve the name
    again) closes the DNS-rebinding gap: a name that answers a public address to the check and a
    private one to the connection. TLS still sends and verifies the original name (SNI)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip_host = f"[{address}]" if ":" in address else address
    netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:  # credentials in the URL stay with it (httpx sends them as basic auth)
        netloc = f"{userinfo}@{netloc}"
    host_header = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, {"sni_hostname": host}


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _decode(response: "httpx.Response", content: bytes) -> Any:
    if "json" in response.headers.get("content-type", ""):
        try:
            return json.loads(content) if content else None
        except ValueError:
            pass
    return content.decode(response.encoding or "utf-8", errors="replace")


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    content: str | bytes | None = None,
    params: dict[str, str] | None = None,
    timeout: float,
) -> OutboundResponse:
    """One guarded request: 429/5xx/timeouts raise RetryableOutboundError, other 4xx are returned."""
    import httpx

    started = time.monotonic()
    hops: list[str] = []
    for _ in range(settings.HTTP_MAX_REDIRECTS + 1):
        if time.monotonic() - started > timeout:
            raise RetryableOutboundError(f"timed out after {timeout:g}s following redirects")
        address = check_destination(url)
        hops.append(url)
        target_url, host_header, tls = pinned(url, address)
        try:
            with http_client(urlsplit(url).hostname).stream(
                method,
                target_url,
                timeout=timeout,
                headers={**(headers or {}), **host_header},
                json=json_body,
                content=content,
                params=params,
                extensions=tls,
            ) as response:
                if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                    target = urljoin(url, response.headers["location"])
                    if _origin(target) != _origin(url):
                        headers = None  # credentials meant for one host never follow to another
                    url, params = target, None
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method != "GET"
                    ):
                        method, json_body, content = "GET", None, None
                    continue
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if time.monotonic() - started > timeout:  # a trickling server, not a stalled one
                        raise RetryableOutboundError(
                            f"timed out after {timeout:g}s reading {urlsplit(url).hostname}"
                        )
                    if len(body) > settings.NODE_MAX_RESPONSE_BYTES:
                        raise OutboundError(f"response larger than {settings.NODE_MAX_RESPONSE_BYTES} bytes")
                elapsed = (time.monotonic() - started) * 1000
                if response.status_code == 429 or response.status_code >= 500:
                    raise RetryableOutboundError(f"HTTP {response.status_code} from {urlsplit(url).hostname}")
                return OutboundResponse(
                    status=response.status_code,
                    headers=dict(response.headers),
                    body=_decode(response, bytes(body)),
                    elapsed_ms=elapsed,
                    hops=hops,
                )
        except httpx.TimeoutException as exc:
            raise RetryableOutboundError(
                f"timed out after {timeout:g}s calling {urlsplit(url).hostname}"
            ) from exc
        except httpx.HTTPError as exc:
            raise RetryableOutboundError(f"{type(exc).__name__} calling {urlsplit(url).hostname}") from exc
    raise OutboundError(f"more than {settings.HTTP_MAX_REDIRECTS} redirects")
