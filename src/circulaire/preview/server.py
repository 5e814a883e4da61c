"""The preview's web server: the standard library's, on the loopback interface only, serving
a handful of fixed paths and nothing from the disk.

``/`` the page, ``/preview.js`` its script, ``/letter.html`` and ``/letter.pdf`` the last good
renderings, ``/events`` the server-sent events of each new state. Any other path is 404 (no
file is ever looked up by its path), and a request naming another host than the preview's
own is refused, so that a web page cannot reach the letter through a name of its own that
resolves to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .page import POLICY, SCRIPT, page
from .state import Preview

LOOPBACK = "127.0.0.1"

KEEPALIVE = 5.0
"""Seconds between two comments on a quiet event stream: a closed page is noticed."""

_ALWAYS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_FRAMED = {
    "Content-Security-Policy": "frame-ancestors 'self'",  # the letter's own policy is in it
    "X-Frame-Options": "SAMEORIGIN",
}


class PreviewServer(ThreadingHTTPServer):
    """A server for one :class:`Preview`, listening on 127.0.0.1 (port 0: a free one)."""

    daemon_threads = True  # an open event stream never holds the process at Ctrl-C
    address_family = socket.AF_INET

    def __init__(self, preview: Preview, port: int = 0) -> None:
        self.preview = preview
        super().__init__((LOOPBACK, port), Handler)
        self.port = self.server_address[1]
        self.hosts = {f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"}

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "circulaire-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal shows what the preview renders."""

    def _answer(self, head: bool) -> None:
        if self.headers.get("Host", "") not in self.server.hosts:
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain", b"not this preview's host\n")
            return
        path = urlsplit(self.path).path
        preview = self.server.preview
        snapshot = preview.snapshot()
        if path == "/events" and not head:
            self._events()
        elif path == "/":
            body = page(str(preview.spec), snapshot)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", body, head, POLICY)
        elif path == "/preview.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", SCRIPT, head)
        elif path == "/letter.html" and snapshot.html is not None:
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", snapshot.html, head, framed=True)
        elif path == "/letter.pdf" and snapshot.pdf is not None:
            self._send(HTTPStatus.OK, "application/pdf", snapshot.pdf, head, framed=True)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"", head)
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", head)

    def _send(
        self,
        status: HTTPStatus,
        kind: str,
        body: bytes,
        head: bool = False,
        policy: str | None = None,
        framed: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        headers = {**_ALWAYS, **(_FRAMED if framed else {})}
        if policy is not None:
            headers["Content-Security-Policy"] = policy
            headers["X-Frame-Options"] = "DENY"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head and status != HTTPStatus.NO_CONTENT:
            self.wfile.write(body)

    def _events(self) -> None:
        """Each new state of the preview as an event ``state`` (its JSON), the current one
        first, until the page goes away or the preview stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for name, value in _ALWAYS.items():
            self.send_header(name, value)
        self.end_headers()
        preview = self.server.preview
        shown = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not preview.closed:
                snapshot = preview.wait(shown, KEEPALIVE)
                if snapshot.version > shown:
                    shown = snapshot.version
                    self.wfile.write(f"event: state\ndata: {snapshot.as_json()}\n\n".encode())
                else:
                    self.wfile.write(b": quiet\n\n")
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return
