#!/usr/bin/env python3
"""End-to-end tests of the untpcred command line (keygen, sign, verify, resolve).

Usage: cli_test.py PATH/TO/untpcred   (or env UNTPCRED)
Env:   VC_SHARED_DIR  the shared reference vectors (../shared next to the tree)
       VC_SOURCE_DIR  the project source root (for the man page and version)

Standard library only. Every case asserts the exit status and the stable error
code name (VC_ERR_...) that untpcred prints on stderr or in its --json report.
No case touches the network: did:web is only ever resolved from local files.
"""
import base64
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

UNTPCRED = os.environ.get("UNTPCRED")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    UNTPCRED = sys.argv.pop(1)
# VC_TEST_TIMEOUT_MULTIPLIER (tests/run-under-valgrind sets it: untpcred runs under
# valgrind there, 20-50x slower) scales the timeout of every untpcred call.
TIMEOUT_SCALE = float(os.environ.get("VC_TEST_TIMEOUT_MULTIPLIER") or 1)
SOURCE_DIR = os.environ.get("VC_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SHARED_DIR = os.environ.get("VC_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
SUITE = os.path.join(SHARED_DIR, "vectors", "w3c-vc-jose-cose-test-suite")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
VC2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
ENVELOPE_PREFIX = "data:application/vc+jwt,"


# ----------------------------------------------------------------- helpers

def b64u_encode(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text):
    if re.search(r"[^A-Za-z0-9_-]", text):
        raise ValueError("not base64url: %r" % text)
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64u_json(obj):
    return b64u_encode(json.dumps(obj, separators=(",", ":")))


def cbor_decode(data, i=0):
    """A minimal CBOR decoder for the tests (definite lengths only); returns (value, next index).
    Tags come back as ("tag", number, value); byte strings as bytes."""
    ib = data[i]
    mt, ai = ib >> 5, ib & 31
    i += 1
    if ai < 24:
        arg = ai
    elif ai <= 27:
        n = 1 << (ai - 24)
        arg = int.from_bytes(data[i:i + n], "big")
        i += n
    else:
        raise ValueError("indefinite or reserved CBOR at %d" % (i - 1))
    if mt == 0:
        return arg, i
    if mt == 1:
        return -1 - arg, i
    if mt in (2, 3):
        raw = data[i:i + arg]
        return (raw if mt == 2 else raw.decode("utf-8")), i + arg
    if mt == 4:
        out = []
        for _ in range(arg):
            v, i = cbor_decode(data, i)
            out.append(v)
        return out, i
    if mt == 5:
        out = {}
        for _ in range(arg):
            k, i = cbor_decode(data, i)
            v, i = cbor_decode(data, i)
            out[k] = v
        return out, i
    if mt == 6:
        v, i = cbor_decode(data, i)
        return ("tag", arg, v), i
    return {20: False, 21: True, 22: None}.get(ai, ("simple", ai)), i


def b64_any_decode(text):
    """Standard or URL-safe base64, padded or not (as the W3C suite writes COSE)."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def run(*args, stdin=None, umask=None, cwd=None):
    """Run untpcred; returns the CompletedProcess (text mode)."""
    kwargs = {}
    if umask is not None:
        kwargs["umask"] = umask
    return subprocess.run([UNTPCRED, *args], input=stdin, capture_output=True, text=True, timeout=60 * TIMEOUT_SCALE,
                          cwd=cwd, **kwargs)


def code_re(name):
    """A regex matching the code name exactly (VC_ERR_JSON must not match VC_ERR_JSON_DUPKEY)."""
    return re.compile(r"(?<![A-Z_])" + re.escape(name) + r"(?![A-Z_])")


def credential(**members):
    """A small unsigned VC 2.0 credential without issuer; members are added or replace."""
    c = {
        "@context": [VC2, EXAMPLES],
        "id": "urn:uuid:6a1676b8-b51f-11ed-937b-d76685a20ff5",
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "validFrom": "2010-01-01T19:23:24Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "name": "Jane Doe"},
    }
    for k, v in members.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def split_jws(compact):
    parts = compact.split(".")
    assert len(parts) == 3, compact
    return parts


class CliCase(unittest.TestCase):
    """Base class: a temporary folder per test and small wrappers."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="untpcred-test-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, content):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        return p

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    def check_exit(self, proc, expected, what=""):
        self.assertEqual(proc.returncode, expected,
                         "%s: exit %d, expected %d\nstdout: %s\nstderr: %s"
                         % (what or " ".join(proc.args[1:]), proc.returncode, expected, proc.stdout, proc.stderr))

    def assert_code(self, text, name):
        self.assertRegex(text, code_re(name), "expected %s in:\n%s" % (name, text))

    def keygen(self, alg="EdDSA", name=None):
        """Generate a key; returns (key path, {"did","kid","publicKeyJwk"})."""
        if not name:
            name, n = "key-%s.jwk" % alg, 1
            while os.path.exists(self.path(name)):
                n += 1
                name = "key-%s-%d.jwk" % (alg, n)
        p = run("keygen", "--alg", alg, "--out", self.path(name), "--json")
        self.check_exit(p, EXIT_OK)
        return self.path(name), json.loads(p.stdout)

    def sign(self, key, cred, *opts, expect=EXIT_OK):
        src = self.write("unsigned.json", cred)
        p = run("sign", "--key", key, *opts, src)
        self.check_exit(p, expect)
        return p

    def verify_json(self, text, *opts, expect=EXIT_OK, name="credential.txt"):
        """Verify text with --json; returns the parsed report."""
        src = self.write(name, text)
        p = run("verify", "--json", *opts, src)
        self.check_exit(p, expect)
        try:
            return json.loads(p.stdout)
        except ValueError:
            self.fail("verify --json printed no JSON:\n%s\nstderr: %s" % (p.stdout, p.stderr))

    def assert_invalid(self, report, code, check):
        """The report is invalid, its "error" is code and the named check failed with code."""
        self.assertIs(report["valid"], False, report)
        self.assertEqual(report.get("error"), code, report)
        failed = {c["check"]: c.get("code") for c in report["checks"] if c["result"] == "fail"}
        self.assertIn(check, failed, "check %s did not fail: %s" % (check, report["checks"]))
        self.assertEqual(failed[check], code, report["checks"])

    def signed_envelope(self, alg="EdDSA", **members):
        """keygen + sign; returns (key path, keyinfo, envelope dict, compact JWS)."""
        key, info = self.keygen(alg)
        p = self.sign(key, credential(**members))
        env = json.loads(p.stdout)
        return key, info, env, env["id"][len(ENVELOPE_PREFIX):]


# ------------------------------------------------------------ general usage

class TestUsage(CliCase):
    def test_help_for_every_command(self):
        for cmd in ("keygen", "sign", "verify", "resolve", "issue", "template", "validate", "status", "resolve-id",
                    "conformance"):
            for flag in ("--help", "-h"):
                p = run(cmd, flag)
                self.check_exit(p, EXIT_OK)
                self.assertIn("Usage: untpcred %s" % cmd, p.stdout)
        # --help wins even after other (incomplete) options
        p = run("sign", "--key", "missing.jwk", "--help")
        self.check_exit(p, EXIT_OK)
        self.assertIn("Usage: untpcred sign", p.stdout)

    def test_main_help(self):
        for flag in ("--help", "-h", "help"):
            p = run(flag)
            self.check_exit(p, EXIT_OK)
            self.assertIn("Usage: untpcred COMMAND", p.stdout)
            for cmd in ("keygen", "sign", "verify", "resolve"):
                self.assertIn(cmd, p.stdout)

    def test_no_arguments_is_usage_error(self):
        p = run()
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("Usage:", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_unknown_command(self):
        p = run("frobnicate")
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("unknown command 'frobnicate'", p.stderr)

    def test_unknown_option(self):
        for cmd in ("keygen", "sign", "verify", "resolve"):
            p = run(cmd, "--no-such-option")
            self.check_exit(p, EXIT_USAGE, cmd)
            self.assertIn("--help", p.stderr)

    def test_version(self):
        p = run("--version")
        self.check_exit(p, EXIT_OK)
        m = re.match(r"untpcred (\S+) \(libvc (\S+)\)$", p.stdout.strip())
        self.assertTrue(m, p.stdout)
        with open(os.path.join(SOURCE_DIR, "meson.build"), encoding="utf-8") as f:
            want = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
        self.assertEqual(m.group(1), want)
        self.assertEqual(m.group(2), want)

    def test_missing_required_arguments(self):
        self.check_exit(run("keygen", "--alg", "EdDSA"), EXIT_USAGE)          # no --out
        self.check_exit(run("sign", "x.json"), EXIT_USAGE)                    # no --key
        self.check_exit(run("verify"), EXIT_USAGE)                            # no CREDENTIAL
        self.check_exit(run("verify", "a", "b"), EXIT_USAGE)                  # two CREDENTIALs
        self.check_exit(run("resolve"), EXIT_USAGE)                           # no DID

    def test_man_page_lists_every_option(self):
        """cli/untpcred.1 documents every long option the --help texts show."""
        man = os.path.join(SOURCE_DIR, "cli", "untpcred.1")
        with open(man, encoding="utf-8") as f:
            text = f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "")
        for cmd in ("keygen", "sign", "verify", "resolve"):
            p = run(cmd, "--help")
            opts = set(re.findall(r"--[a-z][a-z-]*", p.stdout)) - {"--help"}
            self.assertTrue(opts, cmd)
            self.assertIn(".SS " + cmd, text, "man page has no section for %s" % cmd)
            for opt in sorted(opts):
                self.assertIn(opt, text, "man page lacks %s of %s" % (opt, cmd))
        self.assertIn(".SH EXIT STATUS", text)


# ------------------------------------------------------------------ keygen

class TestKeygen(CliCase):
    def test_private_key_mode_0600_even_with_umask_000(self):
        for alg in ("EdDSA", "ES256"):
            for umask in (0o000, 0o022, 0o077):
                out = self.path("k-%s-%o.jwk" % (alg, umask))
                p = run("keygen", "--alg", alg, "--out", out, umask=umask)
                self.check_exit(p, EXIT_OK)
                mode = stat.S_IMODE(os.stat(out).st_mode)
                self.assertEqual(mode, 0o600, "%s umask %03o: mode %03o" % (alg, umask, mode))
        # no temporary file left beside the keys
        self.assertEqual(sorted(f for f in os.listdir(self.dir) if not f.endswith(".jwk")), [])

    def test_prints_did_key(self):
        prefixes = {"EdDSA": "did:key:z6Mk", "ES256": "did:key:zDn"}
        for alg, prefix in prefixes.items():
            out = self.path("k-%s.jwk" % alg)
            p = run("keygen", "--alg", alg, "--out", out)
            self.check_exit(p, EXIT_OK)
            did = p.stdout.strip()
            self.assertTrue(did.startswith(prefix), "%s: %s" % (alg, did))
            self.assertRegex(did, r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$")
            jwk = json.loads(self.read("k-%s.jwk" % alg))
            self.assertIn("d", jwk)
            self.assertEqual(jwk["kty"], "OKP" if alg == "EdDSA" else "EC")
            self.assertEqual(jwk["crv"], "Ed25519" if alg == "EdDSA" else "P-256")
            self.assertEqual(len(b64u_decode(jwk["d"])), 32)

    def test_default_alg_is_eddsa(self):
        p = run("keygen", "--out", self.path("k.jwk"))
        self.check_exit(p, EXIT_OK)
        self.assertTrue(p.stdout.startswith("did:key:z6Mk"), p.stdout)

    def test_json_output_has_no_private_part(self):
        for alg in ("EdDSA", "ES256"):
            key, info = self.keygen(alg)
            self.assertEqual(set(info), {"did", "kid", "publicKeyJwk"})
            did = info["did"]
            # did:key verification method id: did:key:zX#zX
            self.assertEqual(info["kid"], did + "#" + did[len("did:key:"):])
            jwk = info["publicKeyJwk"]
            self.assertNotIn("d", jwk)
            private = json.loads(open(key, encoding="utf-8").read())
            self.assertEqual(jwk["x"], private["x"])
            if alg == "ES256":
                self.assertEqual(jwk["y"], private["y"])
                self.assertEqual(jwk["crv"], "P-256")
            else:
                self.assertEqual(jwk["crv"], "Ed25519")

    def test_refuses_to_overwrite_without_force(self):
        out = self.path("k.jwk")
        self.check_exit(run("keygen", "--out", out), EXIT_OK)
        with open(out, "rb") as f:
            before = f.read()
        p = run("keygen", "--out", out)
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_IO")
        self.assertIn("exists", p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before, "the old key was changed")
        self.assertEqual(os.listdir(self.dir), ["k.jwk"], "temporary file left behind")
        # --force replaces it with a new key, still 0600
        p = run("keygen", "--out", out, "--force", umask=0)
        self.check_exit(p, EXIT_OK)
        with open(out, "rb") as f:
            self.assertNotEqual(f.read(), before)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)

    def test_pem(self):
        for alg in ("EdDSA", "ES256"):
            out = self.path("k-%s.pem" % alg)
            p = run("keygen", "--alg", alg, "--pem", "--out", out, umask=0)
            self.check_exit(p, EXIT_OK)
            did = p.stdout.strip()
            self.assertTrue(did.startswith("did:key:z"), did)
            text = open(out, encoding="ascii").read()
            self.assertTrue(text.startswith("-----BEGIN PRIVATE KEY-----\n"), text[:40])
            self.assertIn("-----END PRIVATE KEY-----", text)
            self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
            # the PEM is a usable signing key and has the same did:key
            p = self.sign(out, credential())
            payload = json.loads(b64u_decode(split_jws(json.loads(p.stdout)["id"][len(ENVELOPE_PREFIX):])[1]))
            self.assertEqual(payload["issuer"], did)

    def test_out_dash_writes_private_jwk_to_stdout(self):
        p = run("keygen", "--alg", "ES256", "--out", "-")
        self.check_exit(p, EXIT_OK)
        jwk = json.loads(p.stdout)
        self.assertEqual((jwk["kty"], jwk["crv"]), ("EC", "P-256"))
        self.assertIn("d", jwk)
        self.assertEqual(os.listdir(self.dir), [])

    def test_unknown_alg(self):
        for alg in ("RS256", "HS256", "none", ""):
            p = run("keygen", "--alg", alg, "--out", self.path("k.jwk"))
            self.check_exit(p, EXIT_USAGE, alg)
            self.assertIn("unknown --alg", p.stderr)
        self.assertFalse(os.path.exists(self.path("k.jwk")))

    def test_es384_and_es512(self):
        """The help says ES384 and ES512 also work; P-521 has no did:key in libvc."""
        key, info = self.keygen("ES384")
        self.assertEqual(info["publicKeyJwk"]["crv"], "P-384")
        self.assertTrue(info["did"].startswith("did:key:z82"), info["did"])
        p = self.sign(key, credential())
        r = self.verify_json(p.stdout)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["alg"], "ES384")
        p = run("keygen", "--alg", "ES512", "--out", self.path("k521.jwk"), "--json")
        self.check_exit(p, EXIT_OK)
        info = json.loads(p.stdout)
        self.assertEqual(info["publicKeyJwk"]["crv"], "P-521")
        self.assertIsNone(info["did"])
        self.assertIsNone(info["kid"])
        self.assertEqual(stat.S_IMODE(os.stat(self.path("k521.jwk")).st_mode), 0o600)
        # no did:key to default to: the issuer must be given
        src = self.write("u.json", credential())
        p = run("sign", "--key", self.path("k521.jwk"), src)
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_INVALID_ARG")
        self.assertIn("--issuer", p.stderr)
        issuer, kid = "https://issuer.example/", "https://issuer.example/#key-1"
        p = run("sign", "--key", self.path("k521.jwk"), "--issuer", issuer, "--kid", kid, src)
        self.check_exit(p, EXIT_OK)
        vm = self.write("vm.json", {"id": kid, "type": "JsonWebKey", "controller": issuer,
                                    "publicKeyJwk": info["publicKeyJwk"]})
        r = self.verify_json(p.stdout, "--vm", vm)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["alg"], "ES512")
        # the W3C suite's P-521 method signs too
        p = run("sign", "--key", os.path.join(SUITE, "vm-p521.json"), os.path.join(SUITE, "credential-minimal.json"))
        self.check_exit(p, EXIT_OK)
        r = self.verify_json(p.stdout, "--vm", os.path.join(SUITE, "vm-p521.json"))
        self.assertIs(r["valid"], True, r)

    def test_out_in_missing_folder(self):
        p = run("keygen", "--out", self.path("no/such/dir/k.jwk"))
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_IO")


# -------------------------------------------------------------------- sign

class TestSignVerify(CliCase):
    def roundtrip(self, alg):
        key, info = self.keygen(alg)
        cred = credential()
        p = self.sign(key, cred)
        env = json.loads(p.stdout)
        self.assertEqual(env["type"], "EnvelopedVerifiableCredential")
        self.assertEqual(env["@context"], cred["@context"])
        self.assertTrue(env["id"].startswith(ENVELOPE_PREFIX), env["id"][:40])
        h, pl, sig = split_jws(env["id"][len(ENVELOPE_PREFIX):])
        header = json.loads(b64u_decode(h))
        self.assertEqual(header["alg"], alg)
        self.assertEqual(header["typ"], "vc+jwt")
        self.assertEqual(header["cty"], "vc")
        self.assertEqual(header["kid"], info["kid"])
        self.assertEqual(set(header), {"alg", "typ", "cty", "kid"})
        payload = json.loads(b64u_decode(pl))
        self.assertEqual(payload, dict(cred, issuer=info["did"]))
        self.assertEqual(len(b64u_decode(sig)), 64)

        envfile = self.write("signed.json", p.stdout)
        r = self.verify_json(p.stdout)
        self.assertIs(r["valid"], True)
        self.assertNotIn("error", r)
        self.assertEqual(r["format"], "vc+jwt")
        self.assertEqual(r["issuer"], info["did"])
        self.assertEqual(r["method"], info["kid"])
        self.assertEqual(r["alg"], alg)
        self.assertEqual(r["credential"], payload)
        results = {c["check"]: c["result"] for c in r["checks"]}
        for name in ("input.format", "jws.header", "payload.json", "jws.typ", "jwt.claims", "validity",
                     "issuer.key", "jws.signature"):
            self.assertEqual(results.get(name), "pass", "%s: %s" % (name, r["checks"]))
        self.assertTrue(any(n.startswith("datamodel.") for n in results), results)
        self.assertEqual([c for c in r["checks"] if c["result"] != "pass"], [])

        # plain text report
        t = run("verify", envfile)
        self.check_exit(t, EXIT_OK)
        self.assertTrue(t.stdout.startswith("VALID vc+jwt issued by " + info["did"]), t.stdout)
        self.assertNotIn("FAIL", t.stdout)
        # --quiet prints nothing
        q = run("verify", "--quiet", envfile)
        self.check_exit(q, EXIT_OK)
        self.assertEqual(q.stdout, "")
        return key, info, env

    def test_roundtrip_eddsa(self):
        self.roundtrip("EdDSA")

    def test_roundtrip_es256(self):
        key, info, env = self.roundtrip("ES256")
        # ECDSA signatures are random: signing twice gives two different valid tokens
        p2 = self.sign(key, credential())
        self.assertNotEqual(json.loads(p2.stdout)["id"], env["id"])

    def test_bare_output_verifies(self):
        for alg in ("EdDSA", "ES256"):
            key, info = self.keygen(alg)
            p = self.sign(key, credential(), "--bare")
            token = p.stdout.strip()
            self.assertRegex(token, r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
            self.assertEqual(p.stdout, token + "\n")
            r = self.verify_json(p.stdout)
            self.assertIs(r["valid"], True)
            self.assertEqual(r["issuer"], info["did"])
            # the data: URL alone is accepted too
            r = self.verify_json(ENVELOPE_PREFIX + token)
            self.assertIs(r["valid"], True)

    def test_sign_from_stdin_and_verify_from_stdin(self):
        key, info = self.keygen("EdDSA")
        p = run("sign", "--key", key, "-", stdin=json.dumps(credential()))
        self.check_exit(p, EXIT_OK)
        env = json.loads(p.stdout)
        self.assertEqual(env["type"], "EnvelopedVerifiableCredential")
        v = run("verify", "--json", "-", stdin=p.stdout)
        self.check_exit(v, EXIT_OK)
        self.assertIs(json.loads(v.stdout)["valid"], True)

    def test_sign_out_file(self):
        key, info = self.keygen("ES256")
        src = self.write("unsigned.json", credential())
        out = self.path("signed.json")
        p = run("sign", "--key", key, "--out", out, src, umask=0o077)
        self.check_exit(p, EXIT_OK)
        self.assertEqual(p.stdout, "")
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o644)
        self.assertEqual(sorted(os.listdir(self.dir)), sorted(["key-ES256.jwk", "unsigned.json", "signed.json"]))
        self.check_exit(run("verify", "--quiet", out), EXIT_OK)
        # an existing output file is kept unless --force (it could be the key itself)
        with open(out, encoding="utf-8") as f:
            first = f.read()
        p = run("sign", "--key", key, "--out", out, src)
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_IO")
        self.assertIn("--force", p.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertEqual(f.read(), first)
        p = run("sign", "--key", key, "--out", key, src)
        self.check_exit(p, EXIT_USAGE)
        with open(key, encoding="utf-8") as f:
            self.assertIn('"d"', f.read())  # the private key is untouched
        self.check_exit(run("sign", "--key", key, "--force", "--out", out, src), EXIT_OK)
        with open(out, encoding="utf-8") as f:
            self.assertNotEqual(f.read(), first)  # ECDSA signatures differ each time
        self.assertEqual(sorted(os.listdir(self.dir)), sorted(["key-ES256.jwk", "unsigned.json", "signed.json"]))

    def test_explicit_issuer_and_kid(self):
        """--issuer sets a non-did:key issuer and --kid the method; verify needs its document."""
        key, info = self.keygen("EdDSA")
        issuer, kid = "did:web:issuer.example", "did:web:issuer.example#key-1"
        p = self.sign(key, credential(), "--issuer", issuer, "--kid", kid)
        token = json.loads(p.stdout)["id"][len(ENVELOPE_PREFIX):]
        h, pl, _ = split_jws(token)
        self.assertEqual(json.loads(b64u_decode(h))["kid"], kid)
        self.assertEqual(json.loads(b64u_decode(pl))["issuer"], issuer)
        # offline and without a document, did:web cannot be resolved: invalid
        r = self.verify_json(p.stdout, "--offline", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_NET_OFFLINE", "issuer.key")
        doc = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": issuer,
            "verificationMethod": [{"id": kid, "type": "JsonWebKey", "controller": issuer,
                                    "publicKeyJwk": info["publicKeyJwk"]}],
            "assertionMethod": [kid],
        }
        docfile = self.write("did.json", doc)
        r = self.verify_json(p.stdout, "--did-doc", docfile)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["method"], kid)
        # the same document with another key: signature does not verify
        _, other = self.keygen("EdDSA", name="other.jwk")
        doc["verificationMethod"][0]["publicKeyJwk"] = other["publicKeyJwk"]
        r = self.verify_json(p.stdout, "--did-doc", self.write("did-other.json", doc), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_SIGNATURE", "jws.signature")
        # the method is not an assertionMethod: it may not issue credentials
        doc["verificationMethod"][0]["publicKeyJwk"] = info["publicKeyJwk"]
        doc["assertionMethod"] = []
        doc["authentication"] = [kid]
        r = self.verify_json(p.stdout, "--did-doc", self.write("did-auth.json", doc), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DID_VM_NOT_FOUND", "issuer.key")

    def test_issuer_without_kid_is_usage_error(self):
        """A key without a kid, for an issuer that is not its did:key, needs --kid."""
        key, info = self.keygen("EdDSA")
        out = self.path("signed.json")
        p = self.sign(key, credential(), "--issuer", "did:web:issuer.example", "--out", out, expect=EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_INVALID_ARG")
        self.assertIn("--kid", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_issuer_conflict(self):
        key, info = self.keygen("EdDSA")
        cred = credential(issuer="did:web:issuer.example")
        p = self.sign(key, cred, "--issuer", "did:web:other.example", "--kid", "did:web:other.example#k",
                      expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_ISSUER")
        self.assertEqual(p.stdout, "")

    def test_issuer_did_key_of_another_key(self):
        key, info = self.keygen("EdDSA")
        _, other = self.keygen("EdDSA", name="other.jwk")
        p = self.sign(key, credential(issuer=other["did"]), expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_ISSUER")
        self.assertEqual(p.stdout, "")

    def test_issuer_object_with_own_did_key(self):
        key, info = self.keygen("ES256")
        p = self.sign(key, credential(issuer={"id": info["did"], "name": "Example Issuer"}))
        r = self.verify_json(p.stdout)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["issuer"], info["did"])

    def test_unsupported_format(self):
        key, info = self.keygen("EdDSA")
        p = self.sign(key, credential(), "--format", "sd-jwt", expect=EXIT_USAGE)
        self.assertIn("unsupported --format", p.stderr)
        self.assertEqual(p.stdout, "")


# ------------------------------------------------------------ verify fails

class TestVerifyFailures(CliCase):
    def test_tampered_payload(self):
        for alg in ("EdDSA", "ES256"):
            key, info, env, token = self.signed_envelope(alg)
            h, pl, sig = split_jws(token)
            payload = json.loads(b64u_decode(pl))
            payload["credentialSubject"]["name"] = "Mallory"
            env["id"] = ENVELOPE_PREFIX + ".".join([h, b64u_json(payload), sig])
            r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
            self.assert_invalid(r, "VC_ERR_JWS_SIGNATURE", "jws.signature")
            # every check other than the signature still passes
            self.assertEqual([c["check"] for c in r["checks"] if c["result"] != "pass"], ["jws.signature"])
            # the text report names the code too
            t = run("verify", self.write("t.json", env))
            self.check_exit(t, EXIT_INVALID)
            self.assertTrue(t.stdout.startswith("INVALID"), t.stdout)
            self.assert_code(t.stdout, "VC_ERR_JWS_SIGNATURE")

    def test_tampered_signature(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        h, pl, sig = split_jws(token)
        raw = bytearray(b64u_decode(sig))
        raw[10] ^= 0x01
        r = self.verify_json(".".join([h, pl, b64u_encode(bytes(raw))]), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_SIGNATURE", "jws.signature")

    def test_padded_base64url_refused(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        h, pl, sig = split_jws(token)
        self.assertEqual(len(sig) % 4, 2)
        r = self.verify_json(".".join([h, pl, sig + "=="]), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_BASE64URL", "jws.header")
        # standard base64 alphabet is refused as well
        std = base64.b64encode(b64u_decode(pl)).decode().rstrip("=")
        if std != pl:
            r = self.verify_json(".".join([h, std, sig]), expect=EXIT_INVALID)
            self.assert_invalid(r, "VC_ERR_BASE64URL", "jws.header")

    def test_unsecured_credential(self):
        key, info = self.keygen("EdDSA")
        r = self.verify_json(json.dumps(credential(issuer=info["did"])), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_UNSECURED", "input.format")
        # the W3C suite's unsecured credential likewise
        p = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-ed25519.json"),
                os.path.join(SUITE, "credential-minimal.json"))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_UNSECURED", "input.format")

    def test_expired(self):
        key, info, env, token = self.signed_envelope("ES256", validFrom="2010-01-01T00:00:00Z",
                                                     validUntil="2020-01-01T00:00:00Z")
        r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_EXPIRED", "validity")
        # only the window fails: the signature is fine
        self.assertEqual([c["check"] for c in r["checks"] if c["result"] != "pass"], ["validity"])
        r = self.verify_json(json.dumps(env), "--at", "2015-06-01T00:00:00Z")
        self.assertIs(r["valid"], True, r)
        r = self.verify_json(json.dumps(env), "--at", "2020-01-01T00:00:01Z", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_EXPIRED", "validity")
        r = self.verify_json(json.dumps(env), "--at", "2009-12-31T23:59:59Z", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_NOT_YET_VALID", "validity")

    def test_not_yet_valid(self):
        key, info, env, token = self.signed_envelope("EdDSA", validFrom="2999-01-01T00:00:00Z")
        r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_NOT_YET_VALID", "validity")
        r = self.verify_json(json.dumps(env), "--at", "2999-01-01T00:00:01+01:00", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_NOT_YET_VALID", "validity")
        r = self.verify_json(json.dumps(env), "--at", "2999-06-01T00:00:00Z")
        self.assertIs(r["valid"], True, r)

    def test_bad_at_is_usage_error(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        f = self.write("env.json", env)
        for bad in ("2025-06-01", "2025-06-01T00:00:00", "yesterday", ""):
            p = run("verify", "--at", bad, f)
            self.check_exit(p, EXIT_USAGE, bad)
            self.assertIn("dateTimeStamp", p.stderr)

    def test_vp_media_type_in_credential_envelope(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        env["id"] = "data:application/vp+jwt," + token
        r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_MEDIA_TYPE", "input.format")
        for mt in ("application/jwt", "text/plain"):
            env["id"] = "data:%s,%s" % (mt, token)
            r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
            self.assert_invalid(r, "VC_ERR_MEDIA_TYPE", "input.format")
        # the W3C suite's bad-media-type credential
        p = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-ed25519.json"),
                os.path.join(SUITE, "credential-jose-bad-media-type.txt"))
        self.check_exit(p, EXIT_INVALID)
        self.assertIs(json.loads(p.stdout)["valid"], False)

    def forged(self, header, sig=None):
        """A token with the given header, a genuine credential payload and a signature."""
        key, info, env, token = self.signed_envelope("EdDSA")
        h, pl, real_sig = split_jws(token)
        header = dict(header)
        header.setdefault("kid", info["kid"])
        return ".".join([b64u_json(header), pl, real_sig if sig is None else sig]), env

    def test_alg_none(self):
        token, env = self.forged({"alg": "none", "typ": "vc+jwt"}, sig=b64u_encode(b"x" * 64))
        env["id"] = ENVELOPE_PREFIX + token
        r = self.verify_json(json.dumps(env), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_ALG_NONE", "jws.header")
        self.assertEqual(r["checks"][-1]["result"], "skip")  # the signature is never checked
        # any spelling of none
        token, env = self.forged({"alg": "NoNe", "typ": "vc+jwt"}, sig=b64u_encode(b"x"))
        r = self.verify_json(token, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_ALG_NONE", "jws.header")

    def test_alg_none_empty_signature(self):
        """An RFC 7519 unsecured JWT has an empty third part; it is refused."""
        token, env = self.forged({"alg": "none", "typ": "vc+jwt"}, sig="")
        self.assertTrue(token.endswith("."))
        r = self.verify_json(token, expect=EXIT_INVALID)
        # the header is judged first, so this is named for what it is
        self.assert_invalid(r, "VC_ERR_JWS_ALG_NONE", "jws.header")

    def test_alg_hs256(self):
        for alg in ("HS256", "RS256", "PS256", "ES256K"):
            token, env = self.forged({"alg": alg, "typ": "vc+jwt", "cty": "vc"})
            r = self.verify_json(token, expect=EXIT_INVALID)
            self.assert_invalid(r, "VC_ERR_JWS_ALG", "jws.header")

    def test_alg_not_tied_to_key(self):
        """An Ed25519 issuer key with a header claiming ES256: alg confusion refused."""
        token, env = self.forged({"alg": "ES256", "typ": "vc+jwt", "cty": "vc"})
        r = self.verify_json(token, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_ALG_KEY", "jws.signature")

    def test_crit(self):
        token, env = self.forged({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "crit": ["exp"], "exp": 1})
        r = self.verify_json(token, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_CRIT", "jws.header")

    def test_header_duplicate_key(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        h, pl, sig = split_jws(token)
        header = '{"alg":"EdDSA","alg":"none","typ":"vc+jwt","kid":"%s"}' % info["kid"]
        r = self.verify_json(".".join([b64u_encode(header), pl, sig]), expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JSON_DUPKEY", "jws.header")

    def test_wrong_typ_and_cty(self):
        token, env = self.forged({"alg": "EdDSA", "typ": "JWT", "cty": "vc"})
        r = self.verify_json(token, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_TYP", "jws.typ")
        token, env = self.forged({"alg": "EdDSA", "typ": "vc+jwt", "cty": "json"})
        r = self.verify_json(token, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_CTY", "jws.typ")

    def test_not_a_jws(self):
        r = self.verify_json("hello.world", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_FORMAT", "jws.header")

    def test_missing_input_file(self):
        p = run("verify", self.path("nope.json"))
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("cannot open", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_missing_vm_file(self):
        key, info, env, token = self.signed_envelope("EdDSA")
        p = run("verify", "--vm", self.path("nope.json"), self.write("e.json", env))
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("cannot open", p.stderr)


# --------------------------------------------------------------- sign fails

class TestSignRefusals(CliCase):
    def test_empty_subject_writes_nothing(self):
        key, info = self.keygen("EdDSA")
        src = self.write("unsigned.json", credential(credentialSubject={}))
        out = self.path("signed.json")
        before = sorted(os.listdir(self.dir))
        p = run("sign", "--key", key, "--out", out, src)
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_SUBJECT")
        self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(out), "an output file was created")
        self.assertEqual(sorted(os.listdir(self.dir)), before, "a (temporary) file was left behind")

    def test_refusal_keeps_existing_output(self):
        key, info = self.keygen("EdDSA")
        out = self.write("signed.json", "previous content\n")
        src = self.write("bad.json", credential(credentialSubject=None))
        p = run("sign", "--key", key, "--out", out, src)
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_SUBJECT")
        self.assertEqual(self.read("signed.json"), "previous content\n")

    def test_lists_every_datamodel_problem(self):
        key, info = self.keygen("EdDSA")
        bad = credential(credentialSubject={}, validFrom="yesterday")
        p = self.sign(key, bad, expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_SUBJECT")
        self.assert_code(p.stderr, "VC_ERR_DM_DATETIME")

    def test_missing_type_and_context(self):
        key, info = self.keygen("EdDSA")
        p = self.sign(key, credential(type=["ExampleAlumniCredential"]), expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_TYPE")
        p = self.sign(key, credential(**{"@context": [EXAMPLES]}), expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DM_CONTEXT")

    def test_missing_key_file(self):
        src = self.write("unsigned.json", credential())
        out = self.path("signed.json")
        p = run("sign", "--key", self.path("nope.jwk"), "--out", out, src)
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("nope.jwk", p.stderr)
        self.assert_code(p.stderr, "VC_ERR_IO")
        self.assertFalse(os.path.exists(out))

    def test_public_only_key(self):
        for alg in ("EdDSA", "ES256"):
            key, info = self.keygen(alg)
            pub = self.write("pub-%s.jwk" % alg, info["publicKeyJwk"])
            src = self.write("unsigned.json", credential())
            out = self.path("signed.json")
            p = run("sign", "--key", pub, "--out", out, src)
            self.check_exit(p, EXIT_USAGE, alg)
            self.assert_code(p.stderr, "VC_ERR_KEY_NO_PRIVATE")
            self.assertFalse(os.path.exists(out))

    def test_malformed_key_file(self):
        src = self.write("unsigned.json", credential())
        for name, text, code in (
                ("garbage.jwk", "not a key\n", "VC_ERR_KEY"),
                ("rsa.jwk", json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}), "VC_ERR_KEY_TYPE"),
                ("short.jwk", json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "AAAA"}), "VC_ERR_KEY")):
            p = run("sign", "--key", self.write(name, text), src)
            self.check_exit(p, EXIT_USAGE, name)
            self.assert_code(p.stderr, code)
            self.assertIn(name, p.stderr)
            self.assertEqual(p.stdout, "")

    def test_invalid_json(self):
        """vc_sign returns VC_ERR_JSON, which the CLI counts as a refused credential (exit 1)."""
        key, info = self.keygen("EdDSA")
        for text in ('{"@context": [', "not json", '{"a": 1} trailing'):
            src = self.write("bad.json", text)
            p = run("sign", "--key", key, "--out", self.path("out.json"), src)
            self.check_exit(p, EXIT_INVALID, text)
            self.assert_code(p.stderr, "VC_ERR_JSON")
            self.assertFalse(os.path.exists(self.path("out.json")))
        # JSON that is not an object
        p = run("sign", "--key", key, self.write("arr.json", "[1, 2]"))
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_JSON_TYPE")

    def test_duplicate_keys(self):
        key, info = self.keygen("EdDSA")
        cred = json.dumps(credential())
        dup = cred[:-1] + ', "id": "urn:uuid:00000000-0000-0000-0000-000000000000"}'
        p = run("sign", "--key", key, self.write("dup.json", dup))
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_JSON_DUPKEY")
        self.assertEqual(p.stdout, "")
        # nested duplicate
        dup = cred.replace('"name": "Jane Doe"', '"name": "Jane Doe", "name": "Mallory"')
        self.assertNotEqual(dup, cred)
        p = run("sign", "--key", key, self.write("dup2.json", dup))
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_JSON_DUPKEY")

    def test_missing_input_file(self):
        key, info = self.keygen("EdDSA")
        p = run("sign", "--key", key, self.path("nope.json"))
        self.check_exit(p, EXIT_USAGE)
        self.assertIn("cannot open", p.stderr)


# ----------------------------------------------- W3C suite, --vm, --did-doc

class TestVerificationMethods(CliCase):
    def test_w3c_minimal_with_vm_p256(self):
        p = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-p256.json"),
                os.path.join(SUITE, "credential-jose-minimal.txt"))
        self.check_exit(p, EXIT_OK)
        r = json.loads(p.stdout)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["issuer"], "https://example.issuer/vc-jose-cose")
        self.assertEqual(r["method"], "https://example.issuer/vc-jose-cose#key-1")
        self.assertEqual(r["alg"], "ES256")

    def test_w3c_minimal_with_wrong_vm(self):
        p = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-ed25519.json"),
                os.path.join(SUITE, "credential-jose-minimal.txt"))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_DID_VM_NOT_FOUND", "issuer.key")

    def test_w3c_minimal_without_vm(self):
        """An https issuer with no method given: nothing to resolve it with, offline."""
        p = run("verify", "--json", os.path.join(SUITE, "credential-jose-minimal.txt"))
        self.check_exit(p, EXIT_INVALID)
        r = json.loads(p.stdout)
        self.assertIs(r["valid"], False)
        failed = [c for c in r["checks"] if c["result"] == "fail"]
        self.assertEqual([c["check"] for c in failed], ["issuer.key"], r)
        self.assert_invalid(r, "VC_ERR_DID_NOT_FOUND", "issuer.key")

    def test_w3c_bad_signature(self):
        p = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-ed25519.json"),
                os.path.join(SUITE, "credential-jose-bad-signature.txt"))
        self.check_exit(p, EXIT_INVALID)
        self.assertIs(json.loads(p.stdout)["valid"], False)

    def test_sign_with_vm_file(self):
        vm = os.path.join(SUITE, "vm-p256.json")
        src = os.path.join(SUITE, "credential-minimal.json")
        p = run("sign", "--key", vm, src)
        self.check_exit(p, EXIT_OK)
        env = json.loads(p.stdout)
        h, pl, sig = split_jws(env["id"][len(ENVELOPE_PREFIX):])
        header = json.loads(b64u_decode(h))
        self.assertEqual(header["alg"], "ES256")
        self.assertEqual(header["kid"], "73voMXFNmNlOEpuYCSJlh8eN0dscykoO6gBukgRS1uU")
        with open(src, encoding="utf-8") as f:
            self.assertEqual(json.loads(b64u_decode(pl)), json.load(f))
        envfile = self.write("signed.json", p.stdout)
        v = run("verify", "--json", "--vm", vm, envfile)
        self.check_exit(v, EXIT_OK)
        r = json.loads(v.stdout)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["method"], "https://example.issuer/vc-jose-cose#key-1")
        # the Ed25519 method of the same controller does not match the kid
        v = run("verify", "--json", "--vm", os.path.join(SUITE, "vm-ed25519.json"), envfile)
        self.check_exit(v, EXIT_INVALID)
        self.assert_invalid(json.loads(v.stdout), "VC_ERR_DID_VM_NOT_FOUND", "issuer.key")
        # the kid may also be given as the method's full id
        p = run("sign", "--key", vm, "--kid", "https://example.issuer/vc-jose-cose#key-1", src)
        self.check_exit(p, EXIT_OK)
        v = run("verify", "--quiet", "--vm", vm, self.write("signed2.json", p.stdout))
        self.check_exit(v, EXIT_OK)

    def test_sign_with_vm_file_ed25519(self):
        vm = os.path.join(SUITE, "vm-ed25519.json")
        p = run("sign", "--key", vm, "--bare", os.path.join(SUITE, "credential-minimal.json"))
        self.check_exit(p, EXIT_OK)
        f = self.write("t.jwt", p.stdout)
        self.check_exit(run("verify", "--quiet", "--vm", vm, f), EXIT_OK)
        # both methods of the controller given: the kid picks the right one
        self.check_exit(run("verify", "--quiet", "--vm", os.path.join(SUITE, "vm-p256.json"), "--vm", vm, f),
                        EXIT_OK)

    def test_vm_file_is_not_a_method(self):
        p = run("verify", "--vm", self.write("x.json", "[1]"), os.path.join(SUITE, "credential-jose-minimal.txt"))
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_JSON_TYPE")
        self.assertEqual(p.stdout, "")

    def test_resolve_did_key(self):
        for alg in ("EdDSA", "ES256"):
            key, info = self.keygen(alg)
            p = run("resolve", info["did"])
            self.check_exit(p, EXIT_OK)
            doc = json.loads(p.stdout)
            self.assertEqual(doc["id"], info["did"])
            ids = [vm["id"] for vm in doc.get("verificationMethod", [])]
            self.assertIn(info["kid"], ids)
            refs = [m if isinstance(m, str) else m.get("id") for m in doc.get("assertionMethod", [])]
            self.assertIn(info["kid"], refs)

    def test_resolve_did_jwk(self):
        key, info = self.keygen("ES256")
        jwk = {k: info["publicKeyJwk"][k] for k in ("crv", "kty", "x", "y")}
        did = "did:jwk:" + b64u_json(jwk)
        p = run("resolve", did)
        self.check_exit(p, EXIT_OK)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["id"], did)
        vms = doc["verificationMethod"]
        self.assertEqual(vms[0]["id"], did + "#0")
        self.assertEqual({k: vms[0]["publicKeyJwk"][k] for k in jwk}, jwk)

    def test_resolve_did_web_without_documents(self):
        p = run("resolve", "--offline", "did:web:example.com")
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_NET_OFFLINE")
        p = run("resolve", "did:example:123")
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DID_METHOD")
        self.assertEqual(p.stdout, "")

    def test_resolve_bad_did(self):
        for bad in ("not-a-did", "did:key:", "did:key:zNotBase58!!", "did:jwk:xyz", "did:Key:z6Mk"):
            p = run("resolve", bad)
            self.check_exit(p, EXIT_USAGE, bad)
            self.assert_code(p.stderr, "VC_ERR_DID_SYNTAX")
            self.assertEqual(p.stdout, "")
        # well-formed did:key whose multicodec is no key type libvc knows
        p = run("resolve", "did:key:zzzz")
        self.check_exit(p, EXIT_INVALID)
        self.assertRegex(p.stderr, r"VC_ERR_(KEY_TYPE|MULTIBASE)\b")

    def test_resolve_unknown_controller(self):
        """A controller URL nobody supplied: not found (exit 1, as for any DID that cannot be resolved)."""
        p = run("resolve", "https://example.com/issuer")
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_DID_NOT_FOUND")

    def test_resolve_with_did_doc(self):
        key, info = self.keygen("EdDSA")
        did = "did:web:example.com"
        doc = {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "verificationMethod": [{"id": did + "#key-1", "type": "JsonWebKey", "controller": did,
                                    "publicKeyJwk": info["publicKeyJwk"]}],
            "assertionMethod": [did + "#key-1"],
        }
        p = run("resolve", "--did-doc", self.write("did.json", doc), did)
        self.check_exit(p, EXIT_OK)
        got = json.loads(p.stdout)
        self.assertEqual(got["id"], did)
        self.assertEqual(got["verificationMethod"][0]["publicKeyJwk"]["x"], info["publicKeyJwk"]["x"])
        # a document for another DID does not help
        p = run("resolve", "--offline", "--did-doc", self.path("did.json"), "did:web:other.example")
        self.check_exit(p, EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_NET_OFFLINE")

    def test_resolve_with_vm(self):
        vm = os.path.join(SUITE, "vm-p256.json")
        p = run("resolve", "--vm", vm, "https://example.issuer/vc-jose-cose")
        self.check_exit(p, EXIT_OK)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["id"], "https://example.issuer/vc-jose-cose")
        self.assertIn("https://example.issuer/vc-jose-cose#key-1", [m["id"] for m in doc["verificationMethod"]])
        self.assertNotIn("secretKeyJwk", p.stdout)
        self.assertNotIn('"d"', p.stdout)

    def test_resolve_bad_did_doc_file(self):
        p = run("resolve", "--did-doc", self.write("bad.json", '{"id": "did:web:example.com", "id": 1}'),
                "did:web:example.com")
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_JSON_DUPKEY")


# ------------------------------------------------------------ presentations

class TestPresentations(CliCase):
    def presentation(self, *credentials):
        return {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": list(credentials)}

    def test_presentation_roundtrip(self):
        issuer_key, issuer, env, token = self.signed_envelope("ES256")
        holder_key, holder = self.keygen("EdDSA", name="holder.jwk")
        p = self.sign(holder_key, self.presentation(env))
        vp = json.loads(p.stdout)
        self.assertEqual(vp["type"], "EnvelopedVerifiablePresentation")
        self.assertTrue(vp["id"].startswith("data:application/vp+jwt,"), vp["id"][:40])
        h, pl, _ = split_jws(vp["id"][len("data:application/vp+jwt,"):])
        header = json.loads(b64u_decode(h))
        self.assertEqual((header["typ"], header["cty"], header["kid"]), ("vp+jwt", "vp", holder["kid"]))
        self.assertEqual(json.loads(b64u_decode(pl))["holder"], holder["did"])
        r = self.verify_json(p.stdout)
        self.assertIs(r["valid"], True, r)
        self.assertEqual(r["format"], "vp+jwt")
        self.assertEqual(r["issuer"], holder["did"])
        results = {c["check"]: c["result"] for c in r["checks"]}
        self.assertEqual(results.get("credential[0].jws.signature"), "pass", results)
        self.assertEqual(results.get("jws.signature"), "pass", results)

    def test_presentation_with_tampered_credential(self):
        issuer_key, issuer, env, token = self.signed_envelope("EdDSA")
        h, pl, sig = split_jws(token)
        payload = json.loads(b64u_decode(pl))
        payload["credentialSubject"]["name"] = "Mallory"
        env["id"] = ENVELOPE_PREFIX + ".".join([h, b64u_json(payload), sig])
        holder_key, holder = self.keygen("EdDSA", name="holder.jwk")
        p = self.sign(holder_key, self.presentation(env))
        r = self.verify_json(p.stdout, expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_JWS_SIGNATURE", "credential[0].jws.signature")
        self.assertEqual([c["check"] for c in r["checks"] if c["result"] == "fail"], ["credential[0].jws.signature"])

    def test_presentation_with_unsecured_credential_refused(self):
        holder_key, holder = self.keygen("EdDSA", name="holder.jwk")
        out = self.path("vp.json")
        p = self.sign(holder_key, self.presentation(credential(issuer=holder["did"])), "--out", out,
                      expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_UNSECURED")
        self.assertFalse(os.path.exists(out))


class TestLimits(CliCase):
    def test_input_over_1mib(self):
        key, info = self.keygen("EdDSA")
        big = self.write("big.json", " " * (1024 * 1024 + 1))
        for args in (("verify", big), ("sign", "--key", key, big)):
            p = run(*args)
            self.check_exit(p, EXIT_USAGE, args[0])
            self.assert_code(p.stderr, "VC_ERR_LIMIT")
            self.assertEqual(p.stdout, "")

    def test_json_too_deep(self):
        key, info = self.keygen("EdDSA")
        deep = credential()
        deep["credentialSubject"]["nested"] = json.loads("[" * 80 + "]" * 80)
        p = self.sign(key, deep, expect=EXIT_INVALID)
        self.assert_code(p.stderr, "VC_ERR_JSON_DEPTH")


# -------------------------------------------------------------------- vc+cose

COSE_PREFIX = "data:application/vc+cose;base64,"


class TestCose(CliCase):
    def write_bytes(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def sign_cose(self, alg="EdDSA", *opts, cred=None):
        key, info = self.keygen(alg)
        p = self.sign(key, cred or credential(), "--format", "cose", *opts)
        return key, info, p

    def decode_sign1(self, data):
        """Check the COSE_Sign1 layout libvc writes; returns (protected map, protected bytes, payload, signature)."""
        obj, end = cbor_decode(data)
        self.assertEqual(end, len(data), "bytes after the COSE_Sign1")
        self.assertEqual(obj[:2], ("tag", 18), "not tagged 18")
        prot_bytes, unprot, payload, sig = obj[2]
        self.assertEqual(unprot, {})
        prot, pend = cbor_decode(prot_bytes)
        self.assertEqual(pend, len(prot_bytes))
        return prot, prot_bytes, payload, sig

    def test_roundtrip_envelope(self):
        for alg, cose_alg, sig_len in (("EdDSA", -8, 64), ("ES256", -7, 64), ("ES384", -35, 96)):
            key, info, p = self.sign_cose(alg)
            env = json.loads(p.stdout)
            self.assertEqual(env["type"], "EnvelopedVerifiableCredential")
            self.assertTrue(env["id"].startswith(COSE_PREFIX), env["id"][:50])
            data = base64.b64decode(env["id"][len(COSE_PREFIX):], validate=True)  # standard, padded
            prot, prot_bytes, payload, sig = self.decode_sign1(data)
            self.assertEqual(prot, {1: cose_alg, 3: "application/vc", 4: info["kid"].encode(),
                                    16: "application/vc+cose"})
            # deterministic encoding: map(4), keys 1, 3, 4, 16 in that order, shortest forms
            self.assertEqual(prot_bytes[0], 0xa4)
            self.assertEqual(prot_bytes[1], 0x01)
            self.assertEqual(len(sig), sig_len)
            self.assertEqual(json.loads(payload), dict(credential(), issuer=info["did"]))
            r = self.verify_json(p.stdout)
            self.assertIs(r["valid"], True, r)
            self.assertEqual((r["format"], r["alg"], r["issuer"], r["method"]),
                             ("vc+cose", alg, info["did"], info["kid"]))
            results = {c["check"]: c["result"] for c in r["checks"]}
            for name in ("input.format", "cose.header", "payload.json", "cose.typ", "cwt.claims", "validity",
                         "issuer.key", "cose.signature"):
                self.assertEqual(results.get(name), "pass", "%s: %s" % (name, r["checks"]))
            t = run("verify", self.write("env.json", p.stdout))
            self.check_exit(t, EXIT_OK)
            self.assertTrue(t.stdout.startswith("VALID vc+cose issued by " + info["did"]), t.stdout)

    def test_bare_binary_file_and_stdin(self):
        key, info = self.keygen("ES256")
        out = self.path("vc.cose")
        p = self.sign(key, credential(), "--format", "cose", "--bare", "--out", out)
        self.assertEqual(p.stdout, "")
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(data[:2], b"\xd2\x84")
        self.decode_sign1(data)  # nothing after the structure: no newline either
        self.check_exit(run("verify", "--quiet", out), EXIT_OK)
        v = subprocess.run([UNTPCRED, "verify", "--json", "-"], input=data, capture_output=True,
                           timeout=60 * TIMEOUT_SCALE)
        self.assertEqual(v.returncode, EXIT_OK, v.stderr)
        self.assertEqual(json.loads(v.stdout)["format"], "vc+cose")
        # binary on a redirected standard output is fine
        b = subprocess.run([UNTPCRED, "sign", "--key", key, "--format", "cose", "--bare",
                            self.write("u.json", credential())], capture_output=True, timeout=60 * TIMEOUT_SCALE)
        self.assertEqual(b.returncode, EXIT_OK, b.stderr)
        self.assertEqual(b.stdout[:2], b"\xd2\x84")
        # untagged, and a trailing newline refused
        self.check_exit(run("verify", "--quiet", self.write_bytes("untagged.cose", data[1:])), EXIT_OK)
        p = run("verify", "--json", self.write_bytes("trail.cose", data + b"\n"))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_CBOR", "cose.header")

    def test_bare_base64url(self):
        key, info, p = self.sign_cose("EdDSA", "--bare", "--base64url")
        text = p.stdout.strip()
        self.assertRegex(text, r"^[A-Za-z0-9_-]+$")
        self.decode_sign1(b64u_decode(text))
        r = self.verify_json(p.stdout)
        self.assertIs(r["valid"], True, r)
        # the data: URL and standard base64 (padded or not) of the same bytes verify too
        std = base64.b64encode(b64u_decode(text)).decode()
        for form in (std, std.rstrip("="), COSE_PREFIX + std):
            self.assertIs(self.verify_json(form)["valid"], True, form[:40])

    def test_binary_never_to_a_terminal(self):
        import pty
        key, info = self.keygen("EdDSA")
        src = self.write("u.json", credential())
        master, slave = pty.openpty()
        try:
            p = subprocess.run([UNTPCRED, "sign", "--key", key, "--format", "cose", "--bare", src],
                               stdout=slave, stderr=subprocess.PIPE, timeout=60 * TIMEOUT_SCALE)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertIn(b"binary", p.stderr)

    def test_option_errors(self):
        key, info = self.keygen("EdDSA")
        for opts in (("--base64url",), ("--bare", "--base64url"), ("--format", "cose", "--base64url")):
            p = self.sign(key, credential(), *opts, expect=EXIT_USAGE)
            self.assertIn("--base64url", p.stderr)
            self.assertEqual(p.stdout, "")
        p = self.sign(key, credential(), "--format", "sd-jwt", expect=EXIT_USAGE)
        self.assertIn("unsupported --format", p.stderr)
        for cmd in ("sign", "verify"):
            self.assertIn("cose", run(cmd, "--help").stdout)

    def test_tampered(self):
        key, info = self.keygen("EdDSA")
        out = self.path("vc.cose")
        self.sign(key, credential(), "--format", "cose", "--bare", "--out", out)
        with open(out, "rb") as f:
            data = bytearray(f.read())
        i = data.index(b"Jane Doe")
        data[i] ^= 0x01
        p = run("verify", "--json", self.write_bytes("bad.cose", bytes(data)))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_COSE_SIGNATURE", "cose.signature")
        p = run("verify", "--json", self.write_bytes("short.cose", bytes(data[:-10])))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_CBOR", "cose.header")
        p = run("verify", "--json", self.write("hex.txt", bytes(data).hex()))
        self.check_exit(p, EXIT_INVALID)
        self.assert_invalid(json.loads(p.stdout), "VC_ERR_FORMAT", "input.format")

    def test_w3c_suite_cose(self):
        vm = os.path.join(SUITE, "vm-p256.json")
        p = run("verify", "--json", "--vm", vm, os.path.join(SUITE, "credential-cose-minimal.txt"))
        self.check_exit(p, EXIT_OK)
        r = json.loads(p.stdout)
        self.assertEqual((r["valid"], r["format"], r["alg"], r["issuer"], r["method"]),
                         (True, "vc+cose", "ES256", "https://example.issuer/vc-jose-cose",
                          "https://example.issuer/vc-jose-cose#key-1"))
        # the same bytes as a binary file, base64url text, data: URL and enveloped JSON
        with open(os.path.join(SUITE, "credential-cose-minimal.txt"), encoding="utf-8") as f:
            data = b64_any_decode(f.read())
        std = base64.b64encode(data).decode()
        forms = {"raw.cose": data, "url.txt": b64u_encode(data).encode(), "data.txt": (COSE_PREFIX + std).encode(),
                 "env.json": json.dumps({"@context": VC2, "type": "EnvelopedVerifiableCredential",
                                         "id": COSE_PREFIX + std}).encode()}
        for name, content in forms.items():
            self.check_exit(run("verify", "--quiet", "--vm", vm, self.write_bytes(name, content)), EXIT_OK, name)
        cases = (("credential-cose-minimal-not-base64.txt", "vm-p256.json", "VC_ERR_FORMAT", "input.format"),
                 ("credential-cose-bad-signature.txt", "vm-ed25519.json", "VC_ERR_COSE_SIGNATURE", "cose.signature"),
                 ("credential-cose-bad-media-type.txt", "vm-p384.json", "VC_ERR_COSE_HEADER", "cose.typ"),
                 ("credential-cose-minimal.txt", "vm-ed25519.json", "VC_ERR_DID_VM_NOT_FOUND", "issuer.key"))
        for name, key, code, check in cases:
            p = run("verify", "--json", "--vm", os.path.join(SUITE, key), os.path.join(SUITE, name))
            self.check_exit(p, EXIT_INVALID, name)
            self.assert_invalid(json.loads(p.stdout), code, check)

    def test_presentation_with_jwt_and_cose_credentials(self):
        _, _, jwt_env, _ = self.signed_envelope("ES256")
        _, _, p = self.sign_cose("EdDSA")
        cose_env = json.loads(p.stdout)
        holder_key, holder = self.keygen("EdDSA", name="holder.jwk")
        vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [jwt_env, cose_env]}
        for fmt in ("cose", "jwt"):
            p = self.sign(holder_key, vp, "--format", fmt)
            env = json.loads(p.stdout)
            self.assertEqual(env["type"], "EnvelopedVerifiablePresentation")
            self.assertTrue(env["id"].startswith("data:application/vp+%s" % fmt), env["id"][:40])
            r = self.verify_json(p.stdout)
            self.assertIs(r["valid"], True, r)
            self.assertEqual(r["format"], "vp+" + fmt)
            results = {c["check"]: c["result"] for c in r["checks"]}
            self.assertEqual(results.get("credential[0].jws.signature"), "pass", results)
            self.assertEqual(results.get("credential[1].cose.signature"), "pass", results)


# ------------------------------------------------------------------ batch

class TestBatch(CliCase):
    def test_jsonl_in_order_with_failures(self):
        key, info = self.keygen("EdDSA")
        good = self.sign(key, credential(), "--bare").stdout.strip()
        lines = [good, "garbage", "", good, good[:-3] + "AAA", good]
        src = self.write("in.jsonl", "\n".join(lines) + "\n")
        p = run("verify", "--batch", "--jobs", "3", src)
        self.check_exit(p, EXIT_INVALID)
        out = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([r["n"] for r in out], [1, 2, 3, 4, 5, 6])
        self.assertEqual([r["valid"] for r in out], [True, False, False, True, False, True])
        self.assertEqual(out[0]["issuer"], info["did"])
        self.assertEqual(out[1]["error"], "VC_ERR_JWS_FORMAT")
        self.assertEqual(out[4]["error"], "VC_ERR_JWS_SIGNATURE")
        self.assertEqual(out[4]["check"], "jws.signature")

    def test_all_valid_exit_zero_and_stdin(self):
        key, info = self.keygen("ES256")
        good = self.sign(key, credential(), "--bare").stdout.strip()
        p = run("verify", "--batch", "-", stdin=(good + "\n") * 50)
        self.check_exit(p, EXIT_OK)
        self.assertEqual(len(p.stdout.splitlines()), 50)

    def test_directory_in_name_order(self):
        key, info = self.keygen("EdDSA")
        env = self.sign(key, credential()).stdout
        d = self.path("creds")
        os.mkdir(d)
        for name, text in (("b.json", env), ("a.json", env), ("c.json", '{"not": "secured"}')):
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        p = run("verify", "--batch", d)
        self.check_exit(p, EXIT_INVALID)
        out = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([r["source"] for r in out], ["a.json", "b.json", "c.json"])
        self.assertEqual(out[2]["error"], "VC_ERR_UNSECURED")

    def test_usage(self):
        for bad in ("0", "65", "x", ""):
            p = run("verify", "--batch", "--jobs", bad, "-")
            self.check_exit(p, EXIT_USAGE, "--jobs " + bad)
        p = run("verify", "--batch", self.path("missing.jsonl"))
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_IO")


# ------------------------------------------------------------- regressions
# Bugs found while writing these tests, each kept as a test of the fix.

class TestRegressions(CliCase):
    def test_at_unix_epoch_is_honoured(self):
        """verify --at 1970-01-01T00:00:00Z once parsed to 0, which meant 'use the wall clock'."""
        key, info, env, token = self.signed_envelope("EdDSA", validFrom="2010-01-01T00:00:00Z")
        r = self.verify_json(json.dumps(env), "--at", "1970-01-01T00:00:00Z", expect=EXIT_INVALID)
        self.assert_invalid(r, "VC_ERR_DM_NOT_YET_VALID", "validity")

    def test_sign_refuses_empty_kid(self):
        """sign --kid '' once wrote a JWS whose header verify then refused."""
        key, info = self.keygen("EdDSA")
        p = run("sign", "--key", key, "--kid", "", self.write("u.json", credential()))
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_INVALID_ARG")
        self.assertEqual(p.stdout, "")

    def test_missing_credential_file_names_its_code(self):
        p = run("verify", self.path("nope.json"))
        self.check_exit(p, EXIT_USAGE)
        self.assert_code(p.stderr, "VC_ERR_IO")

    def test_keygen_json_with_stdout_key_is_refused(self):
        p = run("keygen", "--out", "-", "--json")
        self.check_exit(p, EXIT_USAGE)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    if not UNTPCRED or not os.access(UNTPCRED, os.X_OK):
        sys.exit("cli_test.py: give the untpcred binary as the first argument (or env UNTPCRED)")
    unittest.main(verbosity=2)
