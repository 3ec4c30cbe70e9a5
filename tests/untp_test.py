#!/usr/bin/env python3
"""UNTP commands end to end: template -> issue -> verify for every type, issue refusing
invalid credentials, validate on signed and unsigned input, and the lithium-chain examples
verified offline and anchored to the register (python3 stdlib only)."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

UNTPCRED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("UNTPCRED", "")
# VC_TEST_TIMEOUT_MULTIPLIER (tests/run-under-valgrind sets it: untpcred runs under
# valgrind there, 20-50x slower) scales the timeout of every untpcred call.
TIMEOUT_SCALE = float(os.environ.get("VC_TEST_TIMEOUT_MULTIPLIER") or 1)
SOURCE_DIR = os.environ.get("VC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.environ.get("VC_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
LITHIUM = os.path.join(SOURCE_DIR, "examples", "lithium")
TYPES = ("dpp", "dcc", "dte", "dfr", "dia")


def run(*args, stdin=None):
    return subprocess.run([UNTPCRED, *args], input=stdin, capture_output=True, text=True, timeout=120 * TIMEOUT_SCALE)


def chain_options(dias=None):
    opts = ["--offline", "--trust-did", "did:web:register.example"]
    for d in sorted(glob.glob(os.path.join(LITHIUM, "web", "*", ".well-known", "did.json"))):
        opts += ["--did-doc", d]
    for d in (dias if dias is not None else sorted(glob.glob(os.path.join(LITHIUM, "credentials", "dia-*.json")))):
        opts += ["--dia", d]
    return opts


class Base(unittest.TestCase):
    def setUp(self):
        self._t = tempfile.TemporaryDirectory(prefix="untp-test-")
        self.dir = self._t.name
        p = run("keygen", "--out", self.path("k.jwk"), "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.did = json.loads(p.stdout)["did"]

    def tearDown(self):
        self._t.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, obj):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        return self.path(name)


class TestIssue(Base):
    def test_template_issue_verify_each_type(self):
        for t in TYPES:
            p = run("template", "--type", t)
            self.assertEqual(p.returncode, 0, p.stderr)
            subject = self.write(t + ".json", p.stdout)
            out = self.path(t + ".vc.json")
            p = run("issue", "--type", t, "--key", self.path("k.jwk"), "--issuer-name", "Example Issuer",
                    "--out", out, subject)
            self.assertEqual(p.returncode, 0, "%s: %s" % (t, p.stderr))
            with open(out, encoding="utf-8") as f:
                env = json.load(f)
            self.assertEqual(env["type"], "EnvelopedVerifiableCredential")
            p = run("verify", "--json", out)
            self.assertEqual(p.returncode, 0, "%s: %s" % (t, p.stdout))
            r = json.loads(p.stdout)
            self.assertEqual(r["untp"], "%s 0.6.1" % t)
            cred = r["credential"]
            self.assertTrue(cred["id"].startswith("urn:uuid:"))
            self.assertEqual(cred["issuer"], {"type": ["CredentialIssuer"], "id": self.did, "name": "Example Issuer"})
            self.assertEqual(cred["@context"][1], "https://test.uncefact.org/vocabulary/untp/%s/0.6.1/" % t)
            checks = {c["check"]: c["result"] for c in r["checks"]}
            for name in ("schema.vcdm", "schema.untp", "vocab.terms", "jws.signature"):
                self.assertEqual(checks.get(name), "pass", "%s: %s" % (t, name))

    def test_issue_refuses_invalid_and_writes_nothing(self):
        subject = self.write("bad.json", {"type": ["ProductPassport"], "id": "https://x.example/p/1",
                                          "product": {"type": ["Product"], "id": "https://x.example/p",
                                                      "colour": "blue"}})
        out = self.path("bad.vc.json")
        p = run("issue", "--type", "dpp", "--key", self.path("k.jwk"), "--issuer-name", "X", "--out", out, subject)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("not signed", p.stderr)
        self.assertIn("VC_ERR_SCHEMA", p.stderr)        # product.name missing
        self.assertIn("VC_ERR_VOCAB_TERM", p.stderr)    # colour is not a UNTP term
        self.assertIn("/credentialSubject/product/colour", p.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(sorted(os.listdir(self.dir)), ["bad.json", "k.jwk"])  # no partial or temp file

    def test_issue_with_status_entry(self):
        subject = self.write("s.json", run("template", "--type", "dcc").stdout)
        out = self.path("o.json")
        p = run("issue", "--type", "dcc", "--key", self.path("k.jwk"), "--issuer-name", "CAB",
                "--status-list", "https://status.example/lists/7", "--status-index", "42",
                "--status-purpose", "suspension", "--out", out, subject)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(run("validate", "--json", out).stdout)
        self.assertTrue(r["valid"])
        self.assertEqual(r["credential"]["credentialStatus"]["statusListIndex"], "42")
        self.assertEqual(r["credential"]["credentialStatus"]["statusPurpose"], "suspension")
        p = run("issue", "--type", "dcc", "--key", self.path("k.jwk"), "--issuer-name", "CAB",
                "--status-list", "https://status.example/lists/7", subject)
        self.assertEqual(p.returncode, 2)  # an entry without its index

    def test_issue_usage(self):
        subject = self.write("s.json", run("template", "--type", "dpp").stdout)
        for args in (["--type", "xyz"], ["--type", "dpp"], ["--type", "dpp", "--key", self.path("k.jwk")]):
            p = run("issue", *args, subject)
            self.assertEqual(p.returncode, 2, " ".join(args))
        p = run("template", "--type", "nope")
        self.assertEqual(p.returncode, 2)


class TestValidate(Base):
    def test_unsigned_samples_and_signed(self):
        for t in TYPES:
            sample = os.path.join(SHARED, "untp", "v0.6.1", t, "untp-%s-instance.json" % t)
            p = run("validate", "--json", sample)
            self.assertEqual(p.returncode, 0, "%s: %s" % (t, p.stdout[-2000:]))
            self.assertEqual(json.loads(p.stdout)["untp"], "%s 0.6.1" % t)
        # 0.6.0 samples validate against their own release
        p = run("validate", "--json", os.path.join(SHARED, "untp", "v0.6.0", "dpp",
                                                   "DigitalProductPassport-instance.json"))
        self.assertEqual(p.returncode, 0, p.stdout[-2000:])
        self.assertEqual(json.loads(p.stdout)["untp"], "dpp 0.6.0")

    def test_mutations(self):
        sample = os.path.join(SHARED, "untp", "v0.6.1", "dpp", "untp-dpp-instance.json")
        with open(sample, encoding="utf-8") as f:
            doc = json.load(f)
        doc["credentialSubject"]["product"]["colour"] = "blue"
        doc["@context"] = list(reversed(doc["@context"]))
        p = run("validate", "--json", self.write("m.json", doc))
        self.assertEqual(p.returncode, 1)
        r = json.loads(p.stdout)
        codes = {c.get("code") for c in r["checks"] if c["result"] == "fail"}
        self.assertIn("VC_ERR_DM_CONTEXT", codes)  # v2 context not first
        p = run("validate", "--json", "--data-dir", self.dir, sample)
        self.assertEqual(p.returncode, 2)          # no data files there
        self.assertIn("VC_ERR_DATA", p.stderr)


@unittest.skipUnless(os.path.isdir(os.path.join(LITHIUM, "credentials")), "examples/lithium not generated")
class TestLithiumChain(unittest.TestCase):
    def creds(self):
        return sorted(glob.glob(os.path.join(LITHIUM, "credentials", "*.json")))

    def test_every_credential_valid_and_anchored(self):
        kinds = set()
        for c in self.creds():
            p = run("verify", "--json", *chain_options(), c)
            self.assertEqual(p.returncode, 0, "%s: %s" % (c, p.stdout[-3000:]))
            r = json.loads(p.stdout)
            self.assertEqual(r["anchor"], "did:web:register.example", c)
            kinds.add(r["untp"].split()[0])
        self.assertEqual(kinds, set(TYPES))
        self.assertGreaterEqual(len(self.creds()), 12)

    def test_without_the_accreditation_dia_the_cab_is_unanchored(self):
        dias = [d for d in sorted(glob.glob(os.path.join(LITHIUM, "credentials", "dia-*.json")))
                if "accreditation" not in d]
        p = run("verify", "--json", *chain_options(dias), os.path.join(LITHIUM, "credentials", "dcc-audit.json"))
        self.assertEqual(p.returncode, 1)
        r = json.loads(p.stdout)
        self.assertEqual(r["error"], "VC_ERR_TRUST_UNTRUSTED")
        self.assertIn("did:web:accreditation.example", r["message"])
        # the mine is still anchored: its DIA comes from the register directly
        p = run("verify", "--quiet", *chain_options(dias), os.path.join(LITHIUM, "credentials", "dfr-mine.json"))
        self.assertEqual(p.returncode, 0)

    def test_untrusted_root(self):
        opts = chain_options()
        opts[opts.index("did:web:register.example")] = "did:web:other-register.example"
        p = run("verify", "--json", *opts, os.path.join(LITHIUM, "credentials", "dpp-battery.json"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(json.loads(p.stdout)["error"], "VC_ERR_TRUST_UNTRUSTED")


if __name__ == "__main__":
    if not UNTPCRED:
        sys.exit("untp_test.py: give the untpcred binary as the first argument")
    sys.argv = sys.argv[:1]
    unittest.main(verbosity=2)
