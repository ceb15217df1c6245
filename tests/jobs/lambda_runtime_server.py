#!/usr/bin/env python3
"""A local stand-in for the AWS Lambda Runtime API (2018-06-01), for the `schoolyard lambda` tests.

Serves the invocations listed in --events (a JSON array of {"body": str, "deadline_ms": int}),
one per GET /2018-06-01/runtime/invocation/next, then holds further /next calls open (as Lambda
does while idle). Every POST to .../invocation/{id}/response, .../invocation/{id}/error and
/runtime/init/error is appended to --out as a JSON line. The listening port goes to --port-file.
"""
import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    with open(args.events) as f:
        events = json.load(f)
    lock = threading.Lock()
    state = {"next": 0}

    def record(entry):
        with lock:
            with open(args.out, "a") as f:
                f.write(json.dumps(entry) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body=b"", headers=None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != PREFIX + "/invocation/next":
                return self.reply(404, b'{"errorMessage":"unknown path"}')
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(events):
                while True:  # idle: the runtime stays blocked here until it is stopped
                    time.sleep(3600)
            ev = events[i]
            body = ev["body"].encode()
            self.reply(200, body, {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": "req-%d" % i,
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + ev.get("deadline_ms", 30000)),
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:schoolyard",
                "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
            })

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode()
            m = re.fullmatch(PREFIX + r"/invocation/([^/]+)/(response|error)", self.path)
            if m:
                record({"id": m.group(1), "kind": m.group(2), "body": body,
                        "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")})
                return self.reply(202, b'{"status":"OK"}')
            if self.path == PREFIX + "/init/error":
                record({"id": None, "kind": "init_error", "body": body,
                        "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")})
                return self.reply(202, b'{"status":"OK"}')
            self.reply(404, b'{"errorMessage":"unknown path"}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
