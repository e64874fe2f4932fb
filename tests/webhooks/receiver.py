"""A real HTTP receiver on a free local port, recording what it is sent."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    port: int = 0
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    reached: threading.Event = field(default_factory=threading.Event)  # a request came, answered or not
    release: threading.Event = field(default_factory=threading.Event)  # with hold=True, answering waits for it


@contextmanager
def receiver(
    statuses: list[int] | None = None,
    *,
    name: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    hold: bool = False,
) -> Iterator[Receiver]:
    """Listen on 127.0.0.1; `name` is the host the URL gives, `tls` makes it https, `headers` and `body` answer."""
    state = Receiver(url="", statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            sent = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(dict(self.headers.items()), sent))
            state.reached.set()
            if hold:
                state.release.wait(timeout=30)
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            for header, value in (headers or {}).items():
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(body if body is not None else b"thanks" if status == 200 else b"try later")
            if status == 200:
                state.arrived.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_port
    state.url = f"{'https' if tls else 'http'}://{name}:{state.port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
