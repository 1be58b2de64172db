"""A stand-in SMS/알림톡 gateway on a local port: it records what it receives and answers what the test says."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    """An HTTP server in a thread; `answer` is the HTTP status it answers with, `delay` how long it waits first."""

    def __init__(self):
        self.received: list[dict] = []
        self.answer = 200
        self.delay = 0.0
        self.redirect_to = ""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"headers": dict(self.headers), "body": json.loads(body)})
                time.sleep(gateway.delay)
                # A client that gave up waiting has gone; there is nobody to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(gateway.answer)
                    if gateway.redirect_to:
                        self.send_header("Location", gateway.redirect_to)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
