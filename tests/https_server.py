#!/usr/bin/env python3
"""Loopback HTTPS test server for libvc's network tests (stdlib only + the openssl command).

    https_server.py --dir DIR [--hosts NAME,NAME...] [--vhost-root ROOT]

Makes, at start-up and with `openssl`, a test CA and certificates under DIR/pki:
  ca.pem           the test CA (tests add it with vc_fetcher_add_ca_file)
  server           SAN IP:127.0.0.1, DNS:localhost (and DNS:NAME for each --hosts
                   name and each sub-directory of ROOT whose name has a dot),
                   signed by the test CA
  rogue-ca.pem     another CA, never trusted by the tests
  untrusted        SAN IP:127.0.0.1, DNS:localhost, signed by the rogue CA
  wrongname        SAN DNS:wrong-name.invalid, signed by the test CA
then serves DIR/www on 127.0.0.1 only, on ports chosen by the kernel:
  https      the good certificate
  untrusted  the rogue CA's certificate
  wrongname  the certificate for another name
  http       plain HTTP (same handler)
  tcpstall   accepts TCP connections and never answers (not even the TLS handshake)
and prints one line:  READY {"https": port, ..., "ca": path, "www": path}

Files: GET /a/b serves DIR/www/a/b with an ETag (SHA-256 of the bytes) and
Last-Modified, answering 304 to a matching If-None-Match / If-Modified-Since.
Content-Type is application/json unless DIR/www/a/b.meta.json says otherwise:
  {"content_type": "...", "cache_control": "max-age=60", "etag": false,
   "last_modified": false, "status": 200}
Virtual hosts: when the request's Host (port removed) names a directory
ROOT/<host> (ROOT: --vhost-root, default DIR/www), the file is served from
there, so that several did:web hosts share one server (clients reach it with
curl's --connect-to / vc_fetcher_add_connect_to); hits are counted both under
the path and under "<host><path>" (e.g. "register.example/.well-known/did.json").
Special endpoints:
  /__hits?path=/a/b      {"hits": N}: requests received for that path (any method, any answer)
  /__hits                {"total": N, "paths": {...}}
  /__reset               forget the counters
  /__redirect?n=N&to=URL&code=302   N redirects, the last one to URL
  /__stall               never answers (until the server stops)
  /__slowbody            sends headers and part of the body, then stalls
  /__big?n=BYTES&cl=1    a body of exactly BYTES bytes, with (cl=1) or without Content-Length
  /__status?code=N       answers status N
  /__ctype?ct=TYPE       a JSON body with that Content-Type
The server exits on SIGTERM, when its standard input reaches end of file (the
test process died), or when its parent process changes.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import secrets
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

STOP = threading.Event()
HITS = {}
HITS_LOCK = threading.Lock()


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(pki, name, cn):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={cn}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "subjectKeyIdentifier=hash", cwd=pki)


def make_leaf(pki, name, ca, san):
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=pki)
    with open(os.path.join(pki, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-set_serial", "0x" + secrets.token_hex(8), "-days", "2", "-out", f"{name}.pem",
            "-extfile", f"{name}.ext", cwd=pki)


def count(path):
    with HITS_LOCK:
        HITS[path] = HITS.get(path, 0) + 1


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "libvc-test/1"
    protocol_version = "HTTP/1.0"
    www = "."
    vhost_root = None

    def vhost(self):
        """The virtual host directory for this request's Host header, or None."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            return None
        host = host.split(":", 1)[0]
        if not host or not all(c.isalnum() or c in "-._" for c in host) or host.startswith("."):
            return None
        root = self.vhost_root or self.www
        d = os.path.join(root, host)
        return (host, d) if os.path.isdir(d) else None

    def log_message(self, fmt, *args):  # quiet
        pass

    def send_body(self, status, body, ctype="application/json", extra=None, length=True):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def stall(self):
        while not STOP.wait(0.2):
            pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        q = lambda k, d=None: query.get(k, [d])[0]
        if path == "/__hits":
            with HITS_LOCK:
                p = q("path")
                body = {"hits": HITS.get(p, 0)} if p else {"total": sum(HITS.values()), "paths": dict(HITS)}
            return self.send_body(200, json.dumps(body).encode())
        if path == "/__reset":
            with HITS_LOCK:
                HITS.clear()
            return self.send_body(200, b"{}")
        count(path)
        vh = self.vhost()
        if vh:
            count(vh[0] + path)
        if path == "/__redirect":
            n = int(q("n", "1"))
            to = q("to", "/")
            if n > 1:
                to = "/__redirect?" + urllib.parse.urlencode({"n": n - 1, "to": to, "code": q("code", "302")})
            return self.send_body(int(q("code", "302")), b"", extra={"Location": to})
        if path == "/__stall":
            return self.stall()
        if path == "/__slowbody":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"a":')
            self.wfile.flush()
            return self.stall()
        if path == "/__big":
            n = int(q("n", "0"))
            body = b"a" * n
            return self.send_body(200, body, q("ct", "application/json"), length=q("cl", "1") == "1")
        if path == "/__status":
            return self.send_body(int(q("code", "500")), b"{}")
        if path == "/__ctype":
            return self.send_body(200, b"{}", q("ct", "text/html"))
        return self.serve_file(path, vh[1] if vh else self.www)

    def serve_file(self, path, www):
        rel = urllib.parse.unquote(path).lstrip("/")
        full = os.path.realpath(os.path.join(www, rel))
        if not full.startswith(os.path.realpath(www) + os.sep) or not os.path.isfile(full):
            return self.send_body(404, b'{"error":"not found"}')
        meta = {}
        if os.path.isfile(full + ".meta.json"):
            with open(full + ".meta.json") as f:
                meta = json.load(f)
        with open(full, "rb") as f:
            body = f.read()
        headers = {}
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        mtime = int(os.stat(full).st_mtime)
        if meta.get("etag", True):
            headers["ETag"] = etag
        if meta.get("last_modified", True):
            headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
        if meta.get("cache_control"):
            headers["Cache-Control"] = meta["cache_control"]
        status = meta.get("status", 200)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if status == 200 and inm is not None and meta.get("etag", True):
            if inm.strip() == etag or inm.strip() == "*":
                return self.send_body(304, b"", None, headers, length=False)
        elif status == 200 and ims is not None and meta.get("last_modified", True):
            try:
                t = email.utils.parsedate_to_datetime(ims).timestamp()
                if mtime <= t:
                    return self.send_body(304, b"", None, headers, length=False)
            except (TypeError, ValueError):
                pass
        return self.send_body(status, body, meta.get("content_type", "application/json"), headers)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ssl_context = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the request's thread, so that a client
        # that never finishes it cannot block the accept loop.
        request.settimeout(30)
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
        try:
            super().finish_request(request, client_address)
        except (ssl.SSLError, OSError):
            pass

    def handle_error(self, request, client_address):  # quiet
        pass


def tls_context(pki, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(pki, f"{name}.pem"), os.path.join(pki, f"{name}.key"))
    return ctx


def serve(www, ctx, vhost_root=None):
    handler = type("H", (Handler,), {"www": www, "vhost_root": vhost_root})
    srv = Server(("127.0.0.1", 0), handler)
    srv.ssl_context = ctx
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return srv.server_address[1]


def tcp_stall():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    held = []

    def loop():
        while True:
            c, _ = s.accept()
            held.append(c)  # keep it open, say nothing

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def watch_parent(ppid):
    def stdin_eof():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        os._exit(0)

    def parent_gone():
        while os.getppid() == ppid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=stdin_eof, daemon=True).start()
    threading.Thread(target=parent_gone, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--hosts", default="", help="extra DNS names for the server certificate, comma separated")
    ap.add_argument("--vhost-root", default=None, help="ROOT/<host>/... is served for Host: <host>")
    args = ap.parse_args()
    watch_parent(os.getppid())
    pki = os.path.join(args.dir, "pki")
    www = os.path.join(args.dir, "www")
    os.makedirs(pki, exist_ok=True)
    os.makedirs(www, exist_ok=True)
    make_ca(pki, "ca", "libvc test CA")
    make_ca(pki, "rogue-ca", "libvc rogue CA")
    names = [h.strip().lower() for h in args.hosts.split(",") if h.strip()]
    vroot = os.path.realpath(args.vhost_root) if args.vhost_root else www
    if os.path.isdir(vroot):
        names += sorted(d.lower() for d in os.listdir(vroot) if "." in d and os.path.isdir(os.path.join(vroot, d)))
    for n in names:
        if not n or not all(c.isalnum() or c in "-." for c in n):
            sys.exit("https_server.py: bad host name %r" % n)
    san = ",".join(["IP:127.0.0.1", "DNS:localhost"] + ["DNS:" + n for n in dict.fromkeys(names)])
    make_leaf(pki, "server", "ca", san)
    make_leaf(pki, "untrusted", "rogue-ca", "IP:127.0.0.1,DNS:localhost")
    make_leaf(pki, "wrongname", "ca", "DNS:wrong-name.invalid")
    ports = {
        "https": serve(www, tls_context(pki, "server"), vroot),
        "untrusted": serve(www, tls_context(pki, "untrusted")),
        "wrongname": serve(www, tls_context(pki, "wrongname")),
        "http": serve(www, None),
        "tcpstall": tcp_stall(),
    }
    ports["ca"] = os.path.join(pki, "ca.pem")
    ports["www"] = www
    print("READY " + json.dumps(ports), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    STOP.set()


if __name__ == "__main__":
    main()
