"""Real HTTP and HTTPS servers on 127.0.0.1 for tests (did:web documents, status lists).

`LocalServer` is a threaded `http.server` serving canned routes; it counts requests per path
and records the `Host` header of each, so tests can assert "exactly one fetch". HTTPS uses a
test CA made by `trustme`; the `tls_ca` fixture writes its certificate to a file and points
`SSL_CERT_FILE` at it, which is what `vcverifier.fetch.Fetcher` trusts.

Fixtures: `tls_ca`, `http_server`, `https_server`, `make_server` (for more than one).
"""

from __future__ import annotations

import functools
import json
import ssl
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (slow server)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.counts[path] += 1
            owner.hosts.append(self.headers.get("Host", ""))
            route = owner.routes.get(path)
        if route is None:
            route = Route(b'{"error": "not found"}', status=404)
        if route.delay:
            time.sleep(route.delay)
        self.send_response(route.status)
        headers = {"Content-Type": "application/json", **route.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(route.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: LocalServer, ssl_context: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.ssl_context = ssl_context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs in the per-connection thread, not the accept loop.
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()


class LocalServer:
    """A threaded HTTP(S) server on 127.0.0.1 with canned routes."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.lock = threading.Lock()
        self.routes: dict[str, Route] = {}
        self.counts: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.scheme = "https" if ssl_context else "http"
        self.host = host
        self._server = _Server(self, ssl_context)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def route(self, path: str, route: Route) -> str:
        with self.lock:
            self.routes[path] = route
        return self.url(path)

    def json(self, path: str, data: Any, *, status: int = 200, **kw: Any) -> str:
        return self.route(path, Route(json.dumps(data).encode(), status=status, **kw))

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.route(path, Route(b"", status=status, headers={"Location": location}))

    def remove(self, path: str) -> None:
        with self.lock:
            self.routes.pop(path, None)

    def count(self, path: str) -> int:
        with self.lock:
            return self.counts[path]

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class LocalCA:
    ca: trustme.CA
    cert_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        return context


@functools.cache
def _session_ca() -> LocalCA:
    ca = trustme.CA()
    path = Path(tempfile.mkdtemp(prefix="vcverifier-ca-")) / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return LocalCA(ca, path)


@pytest.fixture
def tls_ca(monkeypatch: pytest.MonkeyPatch) -> LocalCA:
    """The test CA (one per test session), trusted through SSL_CERT_FILE for this test."""
    ca = _session_ca()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    return ca


@pytest.fixture
def make_server() -> Iterator[Callable[..., LocalServer]]:
    """A factory of started servers, all stopped at the end of the test."""
    servers: list[LocalServer] = []

    def make(*, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> LocalServer:
        server = LocalServer(ssl_context=ssl_context, host=host).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def http_server(make_server: Callable[..., LocalServer]) -> LocalServer:
    return make_server()


@pytest.fixture
def https_server(make_server: Callable[..., LocalServer], tls_ca: LocalCA) -> LocalServer:
    """An HTTPS server whose certificate names localhost and 127.0.0.1 (origin uses localhost)."""
    return make_server(ssl_context=tls_ca.server_context(), host="localhost")
