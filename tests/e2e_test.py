#!/usr/bin/env python3
"""End-to-end tests of untpcred over HTTPS: did:web, Bitstring Status List, trust
anchors (DIAs), resolve-id (RFC 9264 linksets) and the caches of batch verification.

Usage: e2e_test.py PATH/TO/untpcred   (or env UNTPCRED)
Env:   VC_SOURCE_DIR  the project source root (tests/https_server.py, examples/)

Standard library only plus the `openssl` command. Starts tests/https_server.py on
127.0.0.1 with a test CA made now and a server certificate whose SANs name every
did:web host used here; untpcred reaches those hosts with
--connect-to HOST:443:127.0.0.1:PORT --ca-file CA --allow-loopback. Nothing else
is contacted: no case touches the public internet. Every case asserts the exit
status and the stable code name (VC_ERR_...).
"""
import glob
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.request

UNTPCRED = os.environ.get("UNTPCRED")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    UNTPCRED = sys.argv.pop(1)
# VC_TEST_TIMEOUT_MULTIPLIER (tests/run-under-valgrind sets it: untpcred runs under
# valgrind there, 20-50x slower) scales the timeout of every untpcred call.
TIMEOUT_SCALE = float(os.environ.get("VC_TEST_TIMEOUT_MULTIPLIER") or 1)
SOURCE_DIR = os.environ.get("VC_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SERVER = os.path.join(SOURCE_DIR, "tests", "https_server.py")
LITHIUM = os.path.join(SOURCE_DIR, "examples", "lithium")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
VC2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
LITHIUM_HOSTS = ["register.example", "accreditation.example", "cab.example", "mine.example", "refinery.example",
                 "cells.example"]
HOSTS = ["issuer.example", "baddoc.example", "st.example", "mine2.example", "svc.example", "nodia.example",
         "untr.example", "rogue.example", "loop-a.example", "loop-b.example", "id.example", "cache.example"]
BATCH_COPIES = 10000


def code_re(name):
    return re.compile(r"(?<![A-Z_])" + re.escape(name) + r"(?![A-Z_])")


class Env:
    """The server, the keys and the DID documents, made once."""
    tmp = srv = port = ca = www = None
    ctx = None
    keys = {}


def run(*args, timeout=120):
    return subprocess.run([UNTPCRED, *args], capture_output=True, text=True, timeout=timeout * TIMEOUT_SCALE)


def net_opts(hosts=None):
    opts = ["--ca-file", Env.ca, "--allow-loopback"]
    for h in hosts or (HOSTS + LITHIUM_HOSTS):
        opts += ["--connect-to", f"{h}:443:127.0.0.1:{Env.port}"]
    return opts


def put(rel, content, meta=None):
    path = os.path.join(Env.www, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    if meta is not None:
        with open(path + ".meta.json", "w") as f:
            json.dump(meta, f)
    return path


def server_get(path):
    with urllib.request.urlopen(f"https://127.0.0.1:{Env.port}{path}", context=Env.ctx, timeout=10) as r:
        return json.loads(r.read())


def hits(host, path):
    return server_get("/__hits?path=" + urllib.request.quote(host + path, safe=""))["hits"]


def did_of(host):
    return "did:web:" + host


def make_host(host, doc_id=None, services=None, meta=None):
    """A key and a did:web document for host (served at https://host/.well-known/did.json)."""
    kf = os.path.join(Env.tmp, host + ".jwk")
    p = run("keygen", "--alg", "EdDSA", "--out", kf, "--json")
    assert p.returncode == 0, p.stderr
    jwk = json.loads(p.stdout)["publicKeyJwk"]
    did = did_of(host)
    vm = did + "#key-1"
    doc = {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
           "id": doc_id or did,
           "verificationMethod": [{"id": vm, "type": "JsonWebKey", "controller": doc_id or did, "publicKeyJwk": jwk}],
           "assertionMethod": [vm]}
    if services:
        doc["service"] = services
    put(f"{host}/.well-known/did.json", doc, meta)
    Env.keys[host] = kf
    return kf


def unsigned(issuer, cid, types=("ExampleCredential",), subject=None, valid_from="2020-01-01T00:00:00Z"):
    return {"@context": [VC2, EXAMPLES], "id": cid, "type": ["VerifiableCredential", *types],
            "issuer": issuer, "validFrom": valid_from,
            "credentialSubject": subject or {"id": "did:example:subject", "name": "Battery 42"}}


def sign(host, doc, *extra, bare=False):
    """Sign doc as did:web:host; returns the path of the secured credential."""
    src = os.path.join(Env.tmp, "u-%s.json" % abs(hash(json.dumps(doc, sort_keys=True)) ^ hash(extra)))
    with open(src, "w") as f:
        json.dump(doc, f)
    out = src + (".jws" if bare else ".vc.json")
    args = ["sign", "--key", Env.keys[host], "--kid", did_of(host) + "#key-1", "--out", out, "--force", *extra]
    if bare:
        args.append("--bare")
    p = run(*args, src)
    assert p.returncode == 0, p.stderr
    return out


def dia(issuer_host, subject_did, n):
    return sign(issuer_host, unsigned(did_of(issuer_host), f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
                                      types=("DigitalIdentityAnchor",), subject={"id": subject_did}))


def verify_json(path, *opts):
    p = run("verify", "--json", *net_opts(), *opts, path)
    try:
        rep = json.loads(p.stdout)
    except ValueError:
        rep = None
    return p, rep


def codes(rep):
    return [c.get("code") for c in rep["checks"] if c.get("code")]


def setUpModule():
    if not UNTPCRED or not os.path.exists(UNTPCRED):
        raise unittest.SkipTest("untpcred not given")
    if not shutil.which("openssl"):
        raise unittest.SkipTest("the openssl command is needed")
    Env.tmp = tempfile.mkdtemp(prefix="untpcred-e2e-")
    sdir = os.path.join(Env.tmp, "srv")
    os.makedirs(os.path.join(sdir, "www"))
    Env.www = os.path.join(sdir, "www")
    # every host gets a directory before start-up, so the certificate names it
    for h in HOSTS:
        os.makedirs(os.path.join(Env.www, h), exist_ok=True)
    Env.srv = subprocess.Popen([sys.executable, SERVER, "--dir", sdir, "--hosts", ",".join(HOSTS + LITHIUM_HOSTS)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = Env.srv.stdout.readline()
    if not line.startswith("READY "):
        raise RuntimeError("https_server.py did not start: %r" % line)
    info = json.loads(line[6:])
    Env.port, Env.ca = info["https"], info["ca"]
    Env.ctx = ssl.create_default_context(cafile=Env.ca)
    Env.ctx.check_hostname = False  # 127.0.0.1 is in the SAN, but keep it simple for the counters


def tearDownModule():
    if Env.srv:
        Env.srv.stdin.close()
        Env.srv.stdout.close()
        Env.srv.terminate()
        try:
            Env.srv.wait(5)
        except subprocess.TimeoutExpired:
            Env.srv.kill()
    if Env.tmp:
        shutil.rmtree(Env.tmp, ignore_errors=True)


class DidWeb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        make_host("issuer.example")
        cls.cred = sign("issuer.example", unsigned("did:web:issuer.example", "urn:uuid:1"))

    def test_did_web_issuer_valid(self):
        p, rep = verify_json(self.cred)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        self.assertTrue(rep["valid"])
        self.assertEqual(rep["issuer"], "did:web:issuer.example")

    def test_did_document_id_mismatch(self):
        make_host("baddoc.example", doc_id="did:web:other.example")
        cred = sign("baddoc.example", unsigned("did:web:baddoc.example", "urn:uuid:2"))
        p, rep = verify_json(cred)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_DID_DOCUMENT", p.stdout)

    def test_without_connect_to_loopback_is_refused(self):
        # --connect-to moves the connection to 127.0.0.1: the SSRF rule still applies there
        opts = ["--ca-file", Env.ca, "--connect-to", f"issuer.example:443:127.0.0.1:{Env.port}"]
        p = run("verify", "--json", *opts, self.cred)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertRegex(p.stdout, code_re("VC_ERR_NET_ADDRESS"))

    def test_connect_to_malformed(self):
        p = run("verify", "--connect-to", "issuer.example:443:127.0.0.1", self.cred)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertRegex(p.stderr, code_re("VC_ERR_INVALID_ARG"))


class Status(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        make_host("st.example")
        cls.kid = "did:web:st.example#key-1"
        for name, purpose in (("rev", "revocation"), ("sus", "suspension")):
            p = run("status", "create", "--key", Env.keys["st.example"], "--issuer", "did:web:st.example",
                    "--kid", cls.kid, "--url", f"https://st.example/status/{name}", "--purpose", purpose,
                    "--out", cls.mkout(name))
            assert p.returncode == 0, p.stderr

    @staticmethod
    def mkout(name):
        os.makedirs(os.path.join(Env.www, "st.example", "status"), exist_ok=True)
        return os.path.join(Env.www, "st.example", "status", name)

    def cred(self, n, lst, index, purpose="revocation"):
        return sign("st.example", unsigned("did:web:st.example", f"urn:uuid:st-{n}"),
                    "--status-list", f"https://st.example/status/{lst}", "--status-index", str(index),
                    "--status-purpose", purpose)

    def set_bit(self, lst, index, what, expect=EXIT_OK):
        path = os.path.join(Env.www, "st.example", "status", lst)
        p = run("status", "set", path, str(index), what, "--key", Env.keys["st.example"], "--kid", self.kid,
                "--out", path, "--force")
        self.assertEqual(p.returncode, expect, p.stderr)
        return p

    def status_check(self, rep):
        return [c for c in rep["checks"] if c["check"] == "status"]

    def test_valid(self):
        p, rep = verify_json(self.cred(1, "rev", 3))
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        self.assertEqual(self.status_check(rep)[0]["result"], "pass")

    def test_revoked(self):
        c = self.cred(2, "rev", 10)
        self.set_bit("rev", 10, "revoked")
        p, rep = verify_json(c)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_STATUS_REVOKED")
        # and it cannot be undone
        p = self.set_bit("rev", 10, "valid", expect=EXIT_USAGE)
        self.assertRegex(p.stderr, code_re("VC_ERR_INVALID_ARG"))
        # 'suspended' needs a suspension list
        p = self.set_bit("rev", 11, "suspended", expect=EXIT_USAGE)
        self.assertRegex(p.stderr, code_re("VC_ERR_INVALID_ARG"))

    def test_suspended(self):
        c = self.cred(3, "sus", 4, "suspension")
        self.set_bit("sus", 4, "suspended")
        p, rep = verify_json(c)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_STATUS_SUSPENDED")

    def test_unreachable_warns_or_fails_with_require_status(self):
        c = self.cred(4, "missing", 1)
        p, rep = verify_json(c)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout)
        st = self.status_check(rep)[0]
        self.assertEqual((st["result"], st["code"]), ("warn", "VC_ERR_STATUS_UNAVAILABLE"))
        p, rep = verify_json(c, "--require-status")
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_STATUS_UNAVAILABLE")

    def test_usage_errors(self):
        p = run("status", "create", "--key", Env.keys["st.example"], "--url", "https://st.example/s", "--size", "100")
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertRegex(p.stderr, code_re("VC_ERR_INVALID_ARG"))
        src = os.path.join(Env.tmp, "plain.json")
        with open(src, "w") as f:
            json.dump(unsigned("did:web:st.example", "urn:uuid:st-x"), f)
        p = run("sign", "--key", Env.keys["st.example"], "--status-index", "3", src)
        self.assertEqual(p.returncode, EXIT_USAGE)
        p = run("sign", "--key", Env.keys["st.example"], "--status-list", "https://st.example/status/rev", src)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertIn("--status-index", p.stderr)

    def test_set_then_reverify(self):
        c = self.cred(5, "sus", 20, "suspension")
        p, _ = verify_json(c)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout)
        self.set_bit("sus", 20, "suspended")
        p, rep = verify_json(c)
        self.assertEqual((p.returncode, rep["error"]), (EXIT_INVALID, "VC_ERR_STATUS_SUSPENDED"))
        show = run("status", "show", "--json", os.path.join(Env.www, "st.example", "status", "sus"), "20")
        self.assertEqual(show.returncode, EXIT_OK, show.stderr)
        self.assertEqual(json.loads(show.stdout)["status"], "suspended")
        self.set_bit("sus", 20, "valid")
        p, rep = verify_json(c)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout)


class Trust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for h in ("mine2.example", "nodia.example", "untr.example", "rogue.example", "loop-a.example",
                  "loop-b.example"):
            make_host(h)
        if "register.example" not in Env.keys:
            os.makedirs(os.path.join(Env.www, "register.example"), exist_ok=True)
            make_host("register.example")
        cls.dia_mine = dia("register.example", "did:web:mine2.example", 1)
        cls.dia_untr = dia("rogue.example", "did:web:untr.example", 2)
        cls.dia_ab = dia("loop-b.example", "did:web:loop-a.example", 3)
        cls.dia_ba = dia("loop-a.example", "did:web:loop-b.example", 4)
        # svc.example publishes its DIA through an untp:dia service of its DID document
        make_host("svc.example", services=[{"id": "did:web:svc.example#dia", "type": "untp:dia",
                                            "serviceEndpoint": "https://svc.example/dia.json"}])
        with open(dia("register.example", "did:web:svc.example", 5)) as f:
            put("svc.example/dia.json", f.read())

    def cred(self, host):
        return sign(host, unsigned(did_of(host), f"urn:uuid:trust-{host}"))

    def test_anchored(self):
        p, rep = verify_json(self.cred("mine2.example"), "--trust-did", "did:web:register.example",
                             "--dia", self.dia_mine)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        self.assertEqual(rep["anchor"], "did:web:register.example")

    def test_unanchored(self):
        p, rep = verify_json(self.cred("nodia.example"), "--trust-did", "did:web:register.example",
                             "--dia", self.dia_mine)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_TRUST_UNANCHORED", p.stdout)

    def test_untrusted_register(self):
        p, rep = verify_json(self.cred("untr.example"), "--trust-did", "did:web:register.example",
                             "--dia", self.dia_untr)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_TRUST_UNTRUSTED", p.stdout)

    def test_loop(self):
        p, rep = verify_json(self.cred("loop-a.example"), "--trust-did", "did:web:register.example",
                             "--dia", self.dia_ab, "--dia", self.dia_ba)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertEqual(rep["error"], "VC_ERR_TRUST_LOOP", p.stdout)

    def test_dia_from_did_document_service(self):
        server_get("/__reset")
        p, rep = verify_json(self.cred("svc.example"), "--trust-did", "did:web:register.example")
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        self.assertEqual(rep["anchor"], "did:web:register.example")
        self.assertEqual(hits("svc.example", "/dia.json"), 1)


class ResolveId(unittest.TestCase):
    PATH = "/01/09520123456788/21/12345"

    @classmethod
    def setUpClass(cls):
        if "issuer.example" not in Env.keys:
            make_host("issuer.example")
        dpp = sign("issuer.example", unsigned("did:web:issuer.example", "urn:uuid:dpp-1"))
        with open(dpp) as f:
            put("issuer.example/credentials/dpp.json", f.read())
        linkset = {"linkset": [
            {"anchor": "https://id.example" + cls.PATH,
             "https://gs1.org/voc/pip": [{"href": "https://id.example/pip.html", "type": "text/html"}],
             "https://test.uncefact.org/vocabulary/linkTypes/dpp": [
                 {"href": "https://issuer.example/credentials/dpp.json", "type": "application/vc+jwt",
                  "title": "Digital Product Passport"}]},
            {"anchor": "https://id.example/01/09520123456788",
             "link": [{"href": "https://issuer.example/credentials/dcc.json", "rel": ["untp:dcc"],
                       "type": "application/vc+jwt"}]}]}
        put("id.example" + cls.PATH, linkset, {"content_type": "application/linkset+json"})

    def test_linkset_to_dpp(self):
        p = run("resolve-id", *net_opts(), "https://id.example" + self.PATH)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)
        self.assertEqual(p.stdout.strip(), "https://issuer.example/credentials/dpp.json")

    def test_untp_link_form_and_json(self):
        p = run("resolve-id", "--link-type", "dcc", "--json", *net_opts(), "https://id.example" + self.PATH)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["selected"]["href"], "https://issuer.example/credentials/dcc.json")
        self.assertEqual(len(out["links"]), 3)

    def test_verify(self):
        p = run("resolve-id", "--verify", "--json", *net_opts(), "https://id.example" + self.PATH)
        self.assertEqual(p.returncode, EXIT_OK, p.stdout + p.stderr)
        out = json.loads(p.stdout)
        self.assertTrue(out["report"]["valid"])
        self.assertEqual(out["report"]["issuer"], "did:web:issuer.example")

    def test_missing_link_type(self):
        p = run("resolve-id", "--link-type", "dfr", *net_opts(), "https://id.example" + self.PATH)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertRegex(p.stderr, code_re("VC_ERR_FORMAT"))

    def test_short_redirect_chain_followed(self):
        url = "https://id.example/__redirect?n=2&to=" + urllib.request.quote(self.PATH)
        p = run("resolve-id", *net_opts(), url)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)

    def test_redirect_chain_too_long(self):
        url = "https://id.example/__redirect?n=5&to=" + urllib.request.quote(self.PATH)
        p = run("resolve-id", *net_opts(), url)
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertRegex(p.stderr, code_re("VC_ERR_NET_REDIRECT"))

    def test_wrong_content_type(self):
        p = run("resolve-id", *net_opts(), "https://id.example/__ctype?ct=text/html")
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertRegex(p.stderr, code_re("VC_ERR_NET_CONTENT_TYPE"))

    def test_not_a_linkset(self):
        put("id.example/notalinkset", {"links": []}, {"content_type": "application/linkset+json"})
        p = run("resolve-id", *net_opts(), "https://id.example/notalinkset")
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertRegex(p.stderr, code_re("VC_ERR_JSON_TYPE"))


class BatchCache(unittest.TestCase):
    def test_one_did_fetch_one_status_fetch(self):
        make_host("cache.example")
        os.makedirs(os.path.join(Env.www, "cache.example", "status"), exist_ok=True)
        p = run("status", "create", "--key", Env.keys["cache.example"], "--issuer", "did:web:cache.example",
                "--kid", "did:web:cache.example#key-1", "--url", "https://cache.example/status/list",
                "--out", os.path.join(Env.www, "cache.example", "status", "list"))
        self.assertEqual(p.returncode, EXIT_OK, p.stderr)
        jws = sign("cache.example", unsigned("did:web:cache.example", "urn:uuid:cache-1"),
                   "--status-list", "https://cache.example/status/list", "--status-index", "77", bare=True)
        with open(jws) as f:
            token = f.read().strip()
        batch = os.path.join(Env.tmp, "batch.jsonl")
        with open(batch, "w") as f:
            f.write((token + "\n") * BATCH_COPIES)
        server_get("/__reset")
        p = run("verify", "--batch", "--jobs", "2", *net_opts(), batch, timeout=600)
        self.assertEqual(p.returncode, EXIT_OK, p.stderr[-2000:])
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), BATCH_COPIES)
        self.assertTrue(all(json.loads(l)["valid"] for l in lines[:50]))
        did_hits = hits("cache.example", "/.well-known/did.json")
        list_hits = hits("cache.example", "/status/list")
        sys.stderr.write(f"\n[batch cache] {BATCH_COPIES} credentials: DID document fetched {did_hits}x, "
                         f"status list fetched {list_hits}x\n")
        self.assertEqual(did_hits, 1)
        self.assertEqual(list_hits, 1)


class LithiumExamples(unittest.TestCase):
    def test_lithium_chain_anchored(self):
        web = os.path.join(LITHIUM, "web")
        creds = sorted(glob.glob(os.path.join(LITHIUM, "credentials", "*.json")))
        if not os.path.isdir(web) or not creds:
            self.skipTest("examples/lithium/web or examples/lithium/credentials does not exist yet: "
                          "the lithium-chain examples are not built")
        sdir = tempfile.mkdtemp(prefix="untpcred-lithium-", dir=Env.tmp)
        srv = subprocess.Popen([sys.executable, SERVER, "--dir", sdir, "--vhost-root", web,
                                "--hosts", ",".join(LITHIUM_HOSTS)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            info = json.loads(srv.stdout.readline()[6:])
            opts = ["--ca-file", info["ca"], "--allow-loopback", "--trust-did", "did:web:register.example"]
            hosts = sorted(set(LITHIUM_HOSTS) | {d for d in os.listdir(web) if "." in d})
            for h in hosts:
                opts += ["--connect-to", f"{h}:443:127.0.0.1:{info['https']}"]
            for c in creds:
                with self.subTest(credential=os.path.basename(c)):
                    p = run("verify", "--json", *opts, c)
                    rep = json.loads(p.stdout) if p.stdout.startswith("{") else {}
                    self.assertEqual(p.returncode, EXIT_OK, p.stdout[-3000:] + p.stderr)
                    self.assertTrue(rep.get("valid"))
                    self.assertTrue(rep.get("anchor"), "not anchored: " + c)
            sys.stderr.write(f"\n[lithium] {len(creds)} credentials VALID and anchored to did:web:register.example\n")
        finally:
            srv.stdin.close()
            srv.stdout.close()
            srv.terminate()
            srv.wait(5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
