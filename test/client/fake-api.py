#!/usr/bin/env python3
"""A scripted stand-in for the API, for the client's retry tests (the real handler cannot be
made to answer 429 or 503 on demand).

    fake-api.py STATE_DIR STATUS[:RETRY_AFTER] ...

Listens on 127.0.0.1 on a free port, writes the port to STATE_DIR/port, and answers the
n-th request with the n-th STATUS (the last one repeats). mode=get always gets 200 with the
caller's address. Each request's mode is appended to STATE_DIR/requests (never its hash).
Stops by itself after 120 s.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

state_dir = Path(sys.argv[1])
script = [spec.split(":") for spec in sys.argv[2:]]
set_requests = 0


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        global set_requests
        mode = parse_qs(urlparse(self.path).query).get("mode", [""])[0]
        with open(state_dir / "requests", "a") as log:
            log.write(mode + "\n")
        retry_after = None
        if mode == "get":
            status, body = 200, {"return_status": "success", "return_message": self.client_address[0]}
        else:
            spec = script[min(set_requests, len(script) - 1)]
            set_requests += 1
            status = int(spec[0])
            retry_after = spec[1] if len(spec) > 1 else None
            if status in (200, 201):
                body = {"return_status": "success", "return_message": "Your hostname record has been set."}
            else:
                body = {"return_status": "fail", "return_message": f"scripted failure {status}"}
        payload = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
(state_dir / "port").write_text(str(server.server_address[1]))
threading.Timer(120, server.shutdown).start()
server.serve_forever()
