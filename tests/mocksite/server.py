"""A small threaded web server that plays one website: resources by path, each with its own
behaviour (validators, delays, failures, redirects, versions), and a log of every request."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes | list[bytes] = b""  # a list: one body per site version (the last one holds after)
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: bool = True
    last_modified: bool = True
    delay: float = 0.0  # seconds before answering (a slow page)
    fail_first: int = 0  # answer 500 this many times first
    location: str | None = None  # a redirect to this path or URL (status 301, 302, ...)
    counter: bool = False  # b"{COUNTER}" in the body becomes a number that grows with every request
    no_length: bool = False  # no Content-Length: the body ends when the connection closes
    served: int = field(default=0, repr=False)

    def current(self, version: int) -> tuple[bytes, int]:
        if isinstance(self.body, list):
            i = min(version, len(self.body) - 1)
            return self.body[i], i
        return self.body, 0


@dataclass(frozen=True)
class Hit:
    path: str
    conditional: bool
    status: int
    at: float


class MockSite:
    """One website on 127.0.0.1 at a free port. Fill `resources` after start() (links may
    need the other sites' addresses)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.resources: dict[str, Resource] = {}
        self.hits: list[Hit] = []
        self.version = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def netloc(self) -> str:
        return self.base.split("//", 1)[1]

    def start(self) -> MockSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms ACK waits

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 -- http.server's name
                site._serve(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                import sys

                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is not news
                    super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def clear_log(self) -> None:
        with self._lock:
            self.hits.clear()

    def _log(self, path: str, conditional: bool, status: int) -> None:
        with self._lock:
            self.hits.append(Hit(path, conditional, status, time.monotonic()))

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        conditional = "If-None-Match" in h.headers or "If-Modified-Since" in h.headers
        res = self.resources.get(path)
        try:
            if res is None:
                self._log(path, conditional, 404)
                return _send(h, 404, b"<html><body>404 Not Found</body></html>", "text/html")
            with self._lock:
                res.served += 1
                served = res.served
            if served <= res.fail_first:
                self._log(path, conditional, 500)
                return _send(h, 500, b"<html><body>Internal Server Error</body></html>", "text/html")
            if res.delay:
                self._log(path, conditional, 0)  # logged on arrival (status 0): the client may give up first
                time.sleep(res.delay)
                return _send(h, res.status, *res.current(self.version)[:1], res.content_type)
            if res.location:
                self._log(path, conditional, res.status)
                return _send(h, res.status, b"", "text/html", {"Location": res.location})
            body, version = res.current(self.version)
            if res.counter:
                body = body.replace(b"{COUNTER}", str(100 + served).encode())
            headers = {}
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = formatdate(1_700_000_000 + 86400 * version, usegmt=True)
            if res.etag:
                headers["ETag"] = etag
            if res.last_modified:
                headers["Last-Modified"] = modified
            if res.status == 200 and (
                (res.etag and h.headers.get("If-None-Match") == etag)
                or (not res.etag and res.last_modified and h.headers.get("If-Modified-Since") == modified)
            ):
                self._log(path, conditional, 304)
                return _send(h, 304, b"", None, headers)
            self._log(path, conditional, res.status)
            if res.no_length:
                h.close_connection = True
                headers["Connection"] = "close"
            _send(h, res.status, body, res.content_type, headers, length=not res.no_length)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out test)


def _send(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    ctype: str | None,
    headers: dict | None = None,
    length: bool = True,
) -> None:
    h.send_response(status)
    if ctype and status != 304:
        h.send_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    if status != 304 and length:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if status != 304:
        h.wfile.write(body)
