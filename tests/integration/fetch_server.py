#!/usr/bin/env python3
"""fetch_server.py — misbehaving static HTTP servers for tests/integration/fetch.sh.

usage: fetch_server.py MODE ROOT PORTFILE LOG [N]
Serves files below ROOT on 127.0.0.1 (a free port, written to PORTFILE) and appends one line
per request to LOG: "METHOD PATH range=<Range or -> if-range=<If-Range or -> status".
MODE:
  norange     a strong ETag, but Range is ignored (always 200); the first GET of a file
              larger than N bytes is cut after N bytes (the connection is dropped)
  stall-head  reads the request and never answers
  stall-body  sends the headers and N bytes of the body, then nothing
  endless     files named content.db are sent without Content-Length and never end
"""
import hashlib
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE, ROOT, PORTFILE, LOG = sys.argv[1:5]
N = int(sys.argv[5]) if len(sys.argv) > 5 else 0
cut_done = set()
lock = threading.Lock()


def log(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range", "-")
        ifr = self.headers.get("If-Range", "-")
        path = os.path.normpath(os.path.join(ROOT, self.path.lstrip("/")))
        if MODE == "stall-head":
            log(f"GET {self.path} range={rng} if-range={ifr} stall")
            time.sleep(3600)
            return
        if not path.startswith(os.path.abspath(ROOT)) or not os.path.isfile(path):
            log(f"GET {self.path} range={rng} if-range={ifr} 404")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        log(f"GET {self.path} range={rng} if-range={ifr} 200")
        self.send_response(200)
        self.send_header("ETag", '"%s"' % hashlib.sha256(data).hexdigest()[:16])
        if MODE == "endless" and path.endswith("content.db"):
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(data)
            except OSError:
                return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if MODE == "stall-body" and len(data) > N:
            self.wfile.write(data[:N])
            self.wfile.flush()
            time.sleep(3600)
            return
        if MODE == "norange" and len(data) > N and path not in cut_done:
            cut_done.add(path)
            self.wfile.write(data[:N])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
