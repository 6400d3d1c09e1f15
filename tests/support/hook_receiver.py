#!/usr/bin/env python3
"""tests/support/hook_receiver.py - a webhook receiver for the alert tests.

Listens on 127.0.0.1 (a free port, written to --port-file once bound),
appends each POST as one JSON line {"path", "headers", "body"} to --log,
and answers 503 to the first --fail-first requests, 200 after. Stops by
itself after --lifetime seconds.
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--lifetime", type=float, default=300)
args = parser.parse_args()
lock = threading.Lock()
seen = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with lock:
            seen[0] += 1
            failing = seen[0] <= args.fail_first
            with open(args.log, "a") as f:
                f.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                    "body": body, "answered": 503 if failing else 200}) + "\n")
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(args.port_file + ".tmp", args.port_file)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
