"""The fetch layer against real servers on 127.0.0.1: guard, redirects, caps, timeouts, TLS."""

from __future__ import annotations

import gzip
import ipaddress
from collections.abc import Callable

import pytest
from helpers_http import LocalServer, Route, http_server, https_server, make_server, tls_ca

from vcverifier.config import Settings
from vcverifier.errors import FetchError
from vcverifier.fetch import (
    Fetcher,
    address_problem,
    never_allowed,
    parse_max_age,
)

__all__ = ["http_server", "https_server", "make_server", "tls_ca"]  # fixtures used here


def settings_for(*servers: LocalServer, **overrides: object) -> Settings:
    origins = ",".join(s.origin for s in servers)
    values: dict[str, object] = {"allow_private_network": origins, "fetch_timeout_seconds": 2.0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("100.100.100.200", True),
        ("0.0.0.0", True),  # noqa: S104
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fd00:ec2::254", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:169.254.169.254", True),
        ("::ffff:8.8.8.8", False),
        ("2002:7f00:0001::", True),
        ("64:ff9b::a9fe:a9fe", True),
        ("64:ff9b::808:808", False),
    ],
)
def test_address_guard(address: str, blocked: bool) -> None:
    assert (address_problem(ipaddress.ip_address(address)) is not None) is blocked


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"])
def test_metadata_is_never_allowed(address: str) -> None:
    assert never_allowed(ipaddress.ip_address(address))


def test_max_age() -> None:
    assert parse_max_age({"cache-control": "public, max-age=60"}) == 60
    assert parse_max_age({"cache-control": "max-age=60", "age": "20"}) == 40
    assert parse_max_age({"cache-control": "no-store"}) == 0
    assert parse_max_age({"cache-control": "max-age=abc"}) == 0
    assert parse_max_age({}) is None


async def test_fetch_json_from_allowed_origin(http_server: LocalServer) -> None:
    url = http_server.json("/a.json", {"hello": "world"}, headers={"Cache-Control": "max-age=30"})
    async with Fetcher(settings_for(http_server)) as fetcher:
        result, data = await fetcher.fetch_json(url)
    assert data == {"hello": "world"}
    assert result.status == 200
    assert result.max_age == 30
    assert http_server.count("/a.json") == 1


async def test_loopback_refused_by_default(http_server: LocalServer) -> None:
    url = http_server.json("/a.json", {})
    async with Fetcher(Settings(allow_private_network="")) as fetcher:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
            await fetcher.fetch(url)
    assert http_server.count("/a.json") == 0


async def test_allow_all_private(http_server: LocalServer) -> None:
    url = http_server.json("/a.json", {"ok": True})
    async with Fetcher(Settings(allow_private_network="1")) as fetcher:
        _, data = await fetcher.fetch_json(url)
    assert data == {"ok": True}


async def test_origin_list_is_exact(
    make_server: Callable[..., LocalServer], http_server: LocalServer
) -> None:
    other = make_server()
    url = other.json("/a.json", {})
    async with Fetcher(settings_for(http_server)) as fetcher:
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch(url)
    assert other.count("/a.json") == 0


async def test_redirect_to_private_address_is_refused(
    make_server: Callable[..., LocalServer], http_server: LocalServer
) -> None:
    target = make_server()
    target_url = target.json("/secret", {"secret": 1})
    url = http_server.redirect("/r", target_url)
    async with Fetcher(settings_for(http_server)) as fetcher:
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch(url)
    assert http_server.count("/r") == 1
    assert target.count("/secret") == 0


async def test_redirects_followed_and_limited(http_server: LocalServer) -> None:
    final = http_server.json("/final", {"n": 3})
    http_server.redirect("/r2", final, status=307)
    http_server.redirect("/r1", "/r2", status=301)
    async with Fetcher(settings_for(http_server, fetch_max_redirects=2)) as fetcher:
        result, data = await fetcher.fetch_json(http_server.url("/r1"))
    assert data == {"n": 3}
    assert result.url == final
    async with Fetcher(settings_for(http_server, fetch_max_redirects=1)) as fetcher:
        with pytest.raises(FetchError, match="redirects"):
            await fetcher.fetch(http_server.url("/r1"))


async def test_oversized_response(http_server: LocalServer) -> None:
    url = http_server.route("/big", Route(b"x" * 5000))
    async with Fetcher(settings_for(http_server, fetch_max_bytes=1000)) as fetcher:
        with pytest.raises(FetchError, match="too large"):
            await fetcher.fetch(url)


async def test_oversized_response_without_length(http_server: LocalServer) -> None:
    # A lying Content-Length is not trusted: the body is counted while streaming.
    url = http_server.route("/big", Route(b"[" + b"1," * 3000 + b"1]", headers={}))
    async with Fetcher(settings_for(http_server, fetch_max_bytes=1000)) as fetcher:
        with pytest.raises(FetchError, match="too large"):
            await fetcher.fetch(url)


async def test_gzip_content_encoding_is_capped(http_server: LocalServer) -> None:
    bomb = gzip.compress(b"0" * 1_000_000)
    url = http_server.route("/bomb", Route(bomb, headers={"Content-Encoding": "gzip"}))
    ok = http_server.route(
        "/ok", Route(gzip.compress(b'{"a": 1}'), headers={"Content-Encoding": "gzip"})
    )
    async with Fetcher(settings_for(http_server, fetch_max_bytes=10_000)) as fetcher:
        with pytest.raises(FetchError, match="more than"):
            await fetcher.fetch(url)
        _, data = await fetcher.fetch_json(ok)
    assert data == {"a": 1}


async def test_slow_server_times_out(http_server: LocalServer) -> None:
    url = http_server.route("/slow", Route(b"{}", delay=1.5))
    async with Fetcher(settings_for(http_server, fetch_timeout_seconds=0.3)) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.fetch(url)


@pytest.mark.parametrize(("status", "body"), [(404, b"{}"), (500, b"{}"), (200, b"not json")])
async def test_bad_status_or_body(http_server: LocalServer, status: int, body: bytes) -> None:
    url = http_server.route("/x", Route(body, status=status))
    async with Fetcher(settings_for(http_server)) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.fetch_json(url)


async def test_offline_opens_no_socket(http_server: LocalServer) -> None:
    url = http_server.json("/a.json", {})
    async with Fetcher(settings_for(http_server, offline=True)) as fetcher:
        with pytest.raises(FetchError, match="offline"):
            await fetcher.fetch(url)
    assert http_server.count("/a.json") == 0


async def test_https_only(http_server: LocalServer) -> None:
    url = http_server.json("/a.json", {})
    async with Fetcher(settings_for(http_server)) as fetcher:
        with pytest.raises(FetchError, match="https"):
            await fetcher.fetch(url, https_only=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "http://u:p@h/x"])
async def test_refused_urls(url: str) -> None:
    async with Fetcher(Settings(allow_private_network="1")) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.fetch(url)


async def test_https_with_test_ca_pins_address_and_keeps_name(https_server: LocalServer) -> None:
    url = https_server.json("/.well-known/did.json", {"id": "x"})
    async with Fetcher(settings_for(https_server)) as fetcher:
        _, data = await fetcher.fetch_json(url, https_only=True)
    assert data == {"id": "x"}
    # Connected to the checked address, but the Host header (and SNI) carry the name.
    assert https_server.hosts == [f"localhost:{https_server.port}"]


async def test_https_downgrade_redirect_refused(
    https_server: LocalServer, http_server: LocalServer
) -> None:
    target = http_server.json("/a", {})
    url = https_server.redirect("/r", target)
    async with Fetcher(settings_for(https_server, http_server)) as fetcher:
        with pytest.raises(FetchError, match="https"):
            await fetcher.fetch(url)
    assert http_server.count("/a") == 0


async def test_untrusted_certificate(
    https_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = https_server.json("/a", {})
    monkeypatch.delenv("SSL_CERT_FILE")
    async with Fetcher(settings_for(https_server)) as fetcher:
        with pytest.raises(FetchError, match="connect"):
            await fetcher.fetch(url)


class FixedDns(Fetcher):
    """A Fetcher whose resolver answers from a table (standing in for a hostile DNS)."""

    def __init__(self, settings: Settings, table: dict[str, list[str]]) -> None:
        super().__init__(settings)
        self.table = table

    async def _resolve(
        self, host: str, port: int
    ) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address(a) for a in self.table[host]]


async def test_connects_to_the_checked_address_with_the_name_as_host(
    http_server: LocalServer,
) -> None:
    # "rebind.test" does not exist in real DNS: the request can only succeed if the connection
    # goes to the address that was resolved and checked, not to a second lookup.
    url = http_server.json("/a.json", {"pinned": True})
    named = url.replace("127.0.0.1", "rebind.test")
    settings = Settings(allow_private_network=f"http://rebind.test:{http_server.port}")
    async with FixedDns(settings, {"rebind.test": ["127.0.0.1"]}) as fetcher:
        _, data = await fetcher.fetch_json(named)
    assert data == {"pinned": True}
    assert http_server.hosts == [f"rebind.test:{http_server.port}"]


@pytest.mark.parametrize(
    "answer", [["10.0.0.1"], ["8.8.8.8", "169.254.169.254"], ["::ffff:127.0.0.1"]]
)
async def test_any_blocked_answer_refuses_the_name(answer: list[str]) -> None:
    async with FixedDns(Settings(allow_private_network=""), {"evil.test": answer}) as fetcher:
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch("http://evil.test/x")


async def test_cookies_are_never_kept(http_server: LocalServer) -> None:
    url = http_server.route("/c", Route(b"{}", headers={"Set-Cookie": "session=abc; Path=/"}))
    async with Fetcher(settings_for(http_server)) as fetcher:
        await fetcher.fetch(url)
        await fetcher.fetch(url)
        assert len(fetcher._client.cookies) == 0
