"""The one outbound HTTP client: timeouts, size caps, redirect limits and an address guard.

Every fetch the verifier makes (did:web documents, status list credentials, issuer metadata)
goes through `Fetcher`. What it checks, per request and again on every redirect hop:

- the scheme is http or https (https only when the caller asks for it, and never a downgrade
  from https to http on a redirect);
- the host is resolved here, and every address it resolves to must be public: loopback,
  private, link-local, shared (CGNAT), multicast, reserved, unspecified addresses and the cloud
  metadata endpoints are refused (IPv4 embedded in IPv6 — mapped, 6to4, Teredo, NAT64 — is
  checked as IPv4). `Settings.allow_private_network` relaxes this: "1" allows non-public
  addresses, a comma list of origins allows them for exactly those origins. Metadata
  endpoints, multicast and unspecified addresses are never allowed;
- the connection goes to the address that was checked (the URL is rewritten to the IP, the
  `Host` header and TLS SNI/certificate check keep the name), so a DNS answer that changes
  between check and connect (rebinding) cannot redirect it. Connections are not pooled: a TLS
  connection authenticated for one name is never reused for another;
- connect/read/write timeouts and one total deadline (`Settings.fetch_timeout_seconds`), a
  body cap while streaming (`Settings.fetch_max_bytes`, also applied after content decoding),
  at most `Settings.fetch_max_redirects` redirects.

TLS certificates are verified against `SSL_CERT_FILE` when it is set (a private CA), otherwise
certifi's bundle. No proxy settings from the environment are used. In offline mode every fetch
fails before any socket is opened. Every refusal or failure raises `FetchError` saying why.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import ssl
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from vcverifier.config import Settings
from vcverifier.errors import FetchError
from vcverifier.types import JsonObject

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Cloud instance metadata endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS IPv6;
# Alibaba; Oracle). Refused even when private networks are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192", "169.254.170.2")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_USER_AGENT = "vcverifier/0.1 (+https://vcverifier.dev)"


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address (None when it is). Embedded IPv4 is checked too."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        problem = address_problem(inner)
        return f"{problem} (embedded in {ip})" if problem else None
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for label, flag in (
        ("an unspecified address", ip.is_unspecified),
        ("a multicast address", ip.is_multicast),
        ("a loopback address", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("a private address", ip.is_private),
        ("a reserved address", ip.is_reserved),
    ):
        if flag:
            return label
    if not ip.is_global:
        return "a non-public address"
    return None


def never_allowed(ip: IPAddress) -> bool:
    """Addresses refused whatever `allow_private_network` says."""
    inner = embedded_ipv4(ip) or ip
    return inner in METADATA_ADDRESSES or inner.is_multicast or inner.is_unspecified


def origin_of(url: httpx.URL) -> str:
    """`scheme://host:port` with the default port made explicit and the host lower-cased."""
    scheme = url.scheme.lower()
    port = url.port or _DEFAULT_PORTS.get(scheme, 0)
    host = url.host.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def parse_private_network(value: str) -> tuple[bool, frozenset[str]]:
    """`allow_private_network` → (allow all non-public addresses, allowed origins)."""
    value = value.strip()
    if value.lower() in ("1", "true", "yes"):
        return True, frozenset()
    origins = set()
    for part in value.split(","):
        part = part.strip()
        if part and part.lower() not in ("0", "false", "no"):
            origins.add(origin_of(httpx.URL(part)))
    return False, frozenset(origins)


def parse_max_age(headers: Mapping[str, str]) -> float | None:
    """Seconds the response may be cached per `Cache-Control` (minus `Age`); 0 for no-store or
    no-cache; None when the response says nothing."""
    value = headers.get("cache-control")
    if not value:
        return None
    max_age: float | None = None
    for directive in value.split(","):
        name, _, arg = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            try:
                max_age = max(0.0, float(int(arg.strip().strip('"'))))
            except ValueError:
                return 0.0  # a malformed max-age is treated as stale (RFC 9111, 4.2.1)
    if max_age is not None:
        try:
            max_age = max(0.0, max_age - int(headers.get("age", "0")))
        except ValueError:
            pass
    return max_age


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def max_age(self) -> float | None:
        """Seconds this response may be cached (Cache-Control), or None if unspecified."""
        return parse_max_age(self.headers)

    def json(self, *, max_depth: int = 64) -> JsonObject:
        """The body as a JSON object; raises FetchError when it is not one."""
        return parse_json_object(self.body, url=self.url, max_depth=max_depth)


def _depth(value: object, limit: int) -> int:
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            depth = max(depth, level)
            if depth > limit:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return depth


def parse_json_object(body: bytes, *, url: str, max_depth: int = 64) -> JsonObject:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"{url} did not return JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise FetchError(f"{url} returned JSON that is not an object")
    if _depth(data, max_depth) > max_depth:
        raise FetchError(f"{url} returned JSON nested deeper than {max_depth}")
    return data


def decompress_capped(data: bytes, *, max_bytes: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """Inflate gzip (or, with other `wbits`, zlib/raw deflate) producing at most `max_bytes`;
    raises ValueError when the output would be larger or the input is not valid."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise ValueError(f"invalid compressed data: {exc}") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise ValueError(f"decompresses to more than {max_bytes} bytes")
    if not inflater.eof:
        raise ValueError("truncated compressed data")
    return out


def default_ssl_context() -> ssl.SSLContext:
    """Certificate verification against `SSL_CERT_FILE` when set, else certifi's bundle."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if not cafile:
        import certifi

        cafile = certifi.where()
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class Fetcher:
    """Safe outbound GETs (see the module docstring). One instance per process is enough;
    call `aclose()` when done."""

    def __init__(
        self,
        settings: Settings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self._allow_all_private, self._allowed_origins = parse_private_network(
            settings.allow_private_network
        )
        self._clock = clock or (lambda: datetime.now(UTC))
        timeout = settings.fetch_timeout_seconds
        self._client = httpx.AsyncClient(
            verify=ssl_context or default_ssl_context(),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            # No cookies: one fetch must not carry state from another (or from another name
            # that resolved to the same address).
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "gzip, identity"},
        )
        self.request_count = 0  # requests sent (all hops), for metrics and tests

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- the address guard ---------------------------------------------------------------

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"could not resolve {host}: {exc}") from exc
        out: list[IPAddress] = []
        for family, _, _, _, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6):
                ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
                if ip not in out:
                    out.append(ip)
        if not out:
            raise FetchError(f"{host} has no IPv4 or IPv6 address")
        return out

    def _check_address(self, url: httpx.URL, ip: IPAddress) -> None:
        problem = address_problem(ip)
        if problem is None:
            return
        if not never_allowed(ip):
            if self._allow_all_private or origin_of(url) in self._allowed_origins:
                return
        raise FetchError(
            f"refused to fetch {url.scheme}://{url.netloc.decode('ascii', 'replace')}: "
            f"{url.host} resolves to {ip}, {problem}"
        )

    async def checked_addresses(self, url: httpx.URL) -> list[IPAddress]:
        """Resolve the URL's host and check every address; raises FetchError if any is refused."""
        port = url.port or _DEFAULT_PORTS[url.scheme]
        addresses = await self._resolve(url.raw_host.decode("ascii"), port)
        for ip in addresses:
            self._check_address(url, ip)
        return addresses

    # --- fetching ------------------------------------------------------------------------

    async def fetch(
        self, url: str, *, https_only: bool = False, accept: str = "application/json"
    ) -> FetchResult:
        """GET `url` following at most `fetch_max_redirects` redirects, each hop checked.
        Raises FetchError (offline, refused address or scheme, timeout, too large, too many
        redirects, a status other than 2xx)."""
        if self.settings.offline:
            raise FetchError(f"offline mode: {url[:200]} was not fetched")
        try:
            async with asyncio.timeout(self.settings.fetch_timeout_seconds):
                return await self._fetch(url, https_only=https_only, accept=accept)
        except TimeoutError as exc:
            raise FetchError(
                f"fetching {url[:200]} timed out after {self.settings.fetch_timeout_seconds}s"
            ) from exc

    async def fetch_json(
        self, url: str, *, https_only: bool = False, accept: str = "application/json"
    ) -> tuple[FetchResult, JsonObject]:
        """`fetch`, then parse the body as a JSON object (FetchError if it is not one)."""
        result = await self.fetch(url, https_only=https_only, accept=accept)
        return result, result.json(max_depth=self.settings.max_json_depth)

    def _parse_url(self, raw: str | httpx.URL, *, https_only: bool) -> httpx.URL:
        try:
            url = raw if isinstance(raw, httpx.URL) else httpx.URL(raw)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"invalid URL {str(raw)[:200]!r}: {exc}") from exc
        if url.scheme not in _DEFAULT_PORTS:
            raise FetchError(f"refused URL scheme {url.scheme!r} (only http and https)")
        if https_only and url.scheme != "https":
            raise FetchError(f"refused {str(url)[:200]}: https is required")
        if not url.host:
            raise FetchError(f"URL {str(url)[:200]} has no host")
        if url.userinfo:
            raise FetchError(f"refused {url.host}: credentials in URLs are not sent")
        return url

    async def _fetch(self, raw_url: str, *, https_only: bool, accept: str) -> FetchResult:
        url = self._parse_url(raw_url, https_only=https_only)
        redirects = 0
        while True:
            response_status, headers, body = await self._one_hop(url, accept=accept)
            if response_status in _REDIRECTS:
                location = headers.get("location")
                if not location:
                    raise FetchError(f"{url} redirected without a Location")
                redirects += 1
                if redirects > self.settings.fetch_max_redirects:
                    raise FetchError(
                        f"too many redirects fetching {raw_url[:200]} "
                        f"(limit {self.settings.fetch_max_redirects})"
                    )
                try:
                    target = url.join(location)
                except httpx.InvalidURL as exc:
                    raise FetchError(f"{url} redirected to an invalid URL: {exc}") from exc
                next_url = self._parse_url(target, https_only=https_only)
                if url.scheme == "https" and next_url.scheme != "https":
                    raise FetchError(f"refused redirect from https to http ({next_url})")
                url = next_url
                continue
            if not 200 <= response_status < 300:
                raise FetchError(f"{url} answered HTTP {response_status}")
            return FetchResult(
                url=str(url),
                status=response_status,
                headers=headers,
                body=body,
                fetched_at=self._clock(),
            )

    async def _one_hop(self, url: httpx.URL, *, accept: str) -> tuple[int, dict[str, str], bytes]:
        addresses = await self.checked_addresses(url)
        last_error: httpx.ConnectError | None = None
        for ip in addresses:
            try:
                return await self._request_pinned(url, ip, accept=accept)
            except httpx.ConnectError as exc:
                # Nothing was sent: try the next checked address of the same name.
                last_error = exc
        raise FetchError(f"could not connect to {url.host}: {last_error}")

    async def _request_pinned(
        self, url: httpx.URL, ip: IPAddress, *, accept: str
    ) -> tuple[int, dict[str, str], bytes]:
        pinned = url.copy_with(host=str(ip))
        host_header = url.netloc.decode("ascii")
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = self._client.build_request(
            "GET",
            pinned,
            headers={"Host": host_header, "Accept": accept},
            extensions=extensions,
        )
        limit = self.settings.fetch_max_bytes
        self.request_count += 1
        try:
            response = await self._client.send(request, stream=True)
            try:
                headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code in _REDIRECTS or not 200 <= response.status_code < 300:
                    return response.status_code, headers, b""
                declared = headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url} response is too large ({declared} > {limit} bytes)")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"{url} response is too large (over {limit} bytes)")
                    chunks.append(chunk)
                body = b"".join(chunks)
            finally:
                await response.aclose()
        except httpx.ConnectError:
            raise
        except httpx.TimeoutException as exc:
            raise FetchError(f"fetching {url} timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"fetching {url} failed: {type(exc).__name__}: {exc}") from exc
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding == "gzip":
            try:
                body = decompress_capped(body, max_bytes=limit)
            except ValueError as exc:
                raise FetchError(f"{url} gzip body: {exc}") from exc
        elif encoding not in ("identity", ""):
            raise FetchError(f"{url} used unsupported Content-Encoding {encoding!r}")
        return response.status_code, headers, body
