#!/usr/bin/env python3
"""tests/support/fault_proxy.py - an HTTP proxy between the storage tests and
an S3 server that injects faults and checks SigV4 signatures.

Every request is logged to --log as one line:
    METHOD PATH?QUERY STATUS ACTION RANGE
(ACTION is "pass" or the rule applied; RANGE the Range header or "-").

Faults come from the --rules file, read at each request (a changed file
resets the counts). One rule per line:
    ACTION METHOD PATH [COUNT]
applies ACTION to the first COUNT (default 1) requests with that method and
path (the path without the query, percent-encoded as sent; a trailing '*'
matches a prefix). Actions:
    cut      forward, then send the headers and half the body and close
    stall    forward, then send the headers and half the body, wait 5 s, close
    drop     close the connection without answering
    503      answer 503 SlowDown without forwarding
    500      answer 500 InternalError without forwarding
    429      answer 429 SlowDown without forwarding
    404      answer 404 NoSuchKey without forwarding

With --verify-sigv4 ACCESS:SECRET:REGION every request's SigV4 signature is
recomputed here, independently of libcurl and of the server (moto and s3rver
do not check signatures), following AWS's canonical request rules; a
mismatch is answered 403 SignatureDoesNotMatch and logged as "badsig".
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import os
import socket
import sys
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}
lock = threading.Lock()
state = {"text": None, "hits": {}}


def parse_rules(path):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    with lock:
        if text != state["text"]:
            state["text"], state["hits"] = text, {}
    rules = []
    for n, line in enumerate(text.splitlines()):
        parts = line.split()
        if len(parts) >= 3 and not parts[0].startswith("#"):
            rules.append((n, parts[0], parts[1], parts[2], int(parts[3]) if len(parts) > 3 else 1))
    return rules


def pick_rule(path, method, raw_path):
    for n, action, rmethod, rpath, count in parse_rules(path):
        if rmethod != method:
            continue
        if not (raw_path == rpath or (rpath.endswith("*") and raw_path.startswith(rpath[:-1]))):
            continue
        with lock:
            hits = state["hits"].get(n, 0)
            if hits < count:
                state["hits"][n] = hits + 1
                return action
    return None


def uri_encode(s, keep_slash):
    safe = "-_.~" + ("/" if keep_slash else "")
    return urllib.parse.quote(s, safe=safe)


def canonical_request(method, raw_path, query, headers, signed):
    path = uri_encode(urllib.parse.unquote(raw_path), True)
    # not parse_qsl: it would read '+' as a space, which S3 does not
    pairs = [(urllib.parse.unquote(k), urllib.parse.unquote(v))
             for k, _, v in (p.partition("=") for p in query.split("&") if p)]
    canon_query = "&".join(f"{uri_encode(k, False)}={uri_encode(v, False)}"
                           for k, v in sorted((k, v) for k, v in pairs))
    lines = []
    for name in signed:
        value = " ".join(headers.get(name, "").split())
        lines.append(f"{name}:{value}\n")
    payload = headers.get("x-amz-content-sha256", "")
    return "\n".join([method, path, canon_query, "".join(lines), ";".join(signed), payload])


def check_sigv4(creds, method, raw_path, query, headers):
    access, secret, region = creds
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization header"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, date, reg, service, _ = fields["Credential"].split("/")
    if key_id != access or reg != region or service != "s3":
        return f"credential scope {fields['Credential']}"
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-content-sha256" not in signed:
        return "host or x-amz-content-sha256 not signed"
    creq = canonical_request(method, raw_path, query, headers, signed)
    amz_date = headers.get("x-amz-date", "")
    scope = f"{date}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    if want != fields["Signature"]:
        return "signature mismatch for canonical request:\n" + creq
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status, action):
        with lock, open(self.server.opts.log, "a") as f:
            f.write(f"{self.command} {self.path} {status} {action} "
                    f"{self.headers.get('Range', '-').replace(' ', '')}\n")

    def answer(self, status, code, message, action):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>").encode()
        self.record(status, action)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        opts = self.server.opts
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw_path, _, query = self.path.partition("?")
        if opts.verify_sigv4:
            headers = {k.lower(): v for k, v in self.headers.items()}
            problem = check_sigv4(opts.verify_sigv4.split(":"), self.command, raw_path, query,
                                  headers)
            if problem:
                print(f"{self.command} {self.path}: {problem}", file=sys.stderr, flush=True)
                return self.answer(403, "SignatureDoesNotMatch", "bad signature", "badsig")
        action = pick_rule(opts.rules, self.command, raw_path)
        if action == "drop":
            self.record(0, action)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        codes = {"503": "SlowDown", "500": "InternalError", "429": "SlowDown",
                 "404": "NoSuchKey"}
        if action in codes:
            return self.answer(int(action), codes[action], "injected by fault_proxy", action)
        self.forward(body, action or "pass")

    def forward(self, body, action):
        opts = self.server.opts
        host, port = opts.upstream.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.record(resp.status, action)
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if action in ("cut", "stall") and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            if action == "stall":
                time.sleep(5)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--verify-sigv4", default=None)
    opts = p.parse_args()
    server = Server(("127.0.0.1", opts.port), Handler)
    server.opts = opts
    open(opts.log, "a").close()
    server.serve_forever()


if __name__ == "__main__":
    os.umask(0o022)
    main()
