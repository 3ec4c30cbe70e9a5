#!/usr/bin/env python3
"""Bad-input corpus through the untpcred CLI (issue #6), as generated cases.

Every case is built at run time (nothing binary or large is committed) from a
credential signed here, and checked for its exact VC_ERR_* code:
  - `untpcred verify --json FILE`: exit 1, the report's "error" and, when given,
    the check that failed with it;
  - `untpcred sign --key KEY --out FILE`: the exit status, the code on stderr,
    nothing on stdout, and no output (or temporary) file left in the folder.
Cases already in cli_test.py (alg none / HS256, ES256 header on an Ed25519 key,
crit, duplicate header keys, padded base64url, validUntil in the past / validFrom
in the future, input of 1 MiB + 1 of white space, sign of deep JSON to stdout)
are not repeated here; this file covers their neighbours.

Usage: bad_input_test.py PATH/TO/untpcred   (or env UNTPCRED)
"""
import base64
import json
import os
import re
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

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
VC2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
JWT_PREFIX = "data:application/vc+jwt,"
MAX_INPUT = 1024 * 1024  # VC_MAX_INPUT_BYTES
MAX_HEADER = 4096        # VC_MAX_HEADER_BYTES
MAX_DEPTH = 64           # VC_MAX_JSON_DEPTH
USAGE = object()         # expected "check": the CLI refuses the input before verifying (exit 2)


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(*args, stdin=None):
    return subprocess.run([UNTPCRED, *args], input=stdin, capture_output=True, timeout=60 * TIMEOUT_SCALE)


def code_re(name):
    return re.compile(r"(?<![A-Z_])" + re.escape(name) + r"(?![A-Z_])")


def credential(**members):
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


class Fixture:
    """Keys and genuine signed tokens shared by every generated case."""

    def __init__(self, folder):
        self.dir = folder
        self.key, self.info, self.token = {}, {}, {}
        for alg in ("EdDSA", "ES256"):
            key = os.path.join(folder, alg + ".jwk")
            p = run("keygen", "--alg", alg, "--out", key, "--json")
            assert p.returncode == 0, p.stderr
            self.key[alg], self.info[alg] = key, json.loads(p.stdout)
            src = os.path.join(folder, alg + ".unsigned.json")
            with open(src, "w") as f:
                json.dump(credential(), f)
            p = run("sign", "--key", key, "--bare", src)
            assert p.returncode == 0, p.stderr
            self.token[alg] = p.stdout.decode().strip()

    def parts(self, alg="EdDSA"):
        h, p, s = self.token[alg].split(".")
        return json.loads(unb64u(h)), json.loads(unb64u(p)), h, p, s

    def forge(self, alg="EdDSA", header=None, payload=None, header_text=None, payload_text=None, sig=None):
        """A token from alg's genuine one with the header / payload / signature replaced."""
        h, pl, h64, p64, s64 = self.parts(alg)
        if header is not None:
            h64 = b64u(json.dumps(header))
        if header_text is not None:
            h64 = b64u(header_text)
        if payload is not None:
            p64 = b64u(json.dumps(payload))
        if payload_text is not None:
            p64 = b64u(payload_text)
        return ".".join([h64, p64, s64 if sig is None else sig])

    def envelope(self, url):
        return json.dumps({"@context": [VC2], "type": "EnvelopedVerifiableCredential", "id": url})


def verify_cases(fx):
    """(name, input bytes, expected code, failing check or None)."""
    hdr, pl, h64, p64, s64 = fx.parts("EdDSA")
    tok = fx.token["EdDSA"]
    env = fx.envelope(JWT_PREFIX + tok).encode()
    ed_kid, p256_kid = fx.info["EdDSA"]["kid"], fx.info["ES256"]["kid"]
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    ok_deep = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    cases = [
        # truncated
        ("truncated JWS: two parts", tok.rsplit(".", 1)[0].encode(), "VC_ERR_JWS_FORMAT", "jws.header"),
        ("truncated signature (61 bytes)", fx.forge(sig=b64u(unb64u(s64)[:-3])).encode(), "VC_ERR_JWS_SIGNATURE",
         "jws.signature"),
        ("truncated envelope JSON", env[: len(env) // 2], "VC_ERR_JSON", "input.format"),
        ("truncated data: URL", (JWT_PREFIX + tok[: len(tok) // 3]).encode(), "VC_ERR_JWS_FORMAT", "jws.header"),
        ("empty header part", ("." + p64 + "." + s64).encode(), "VC_ERR_JWS_FORMAT", "jws.header"),
        # oversize: limit + 1
        ("JWS of 1 MiB + 1 bytes", (tok + "A" * (MAX_INPUT + 1 - len(tok))).encode(), "VC_ERR_LIMIT", USAGE),
        ("envelope of 1 MiB + 1 bytes",
         (fx.envelope(JWT_PREFIX + tok)[:-1] + " " * (MAX_INPUT + 1 - len(env)) + "}").encode(), "VC_ERR_LIMIT", USAGE),
        ("envelope of exactly 1 MiB is read, then a bad signature",
         (fx.envelope(JWT_PREFIX + fx.forge(sig=b64u(b"\x01" * 64)))[:-1] + " " *
          (MAX_INPUT - len(fx.envelope(JWT_PREFIX + fx.forge(sig=b64u(b"\x01" * 64))))) + "}").encode(),
         "VC_ERR_JWS_SIGNATURE", "jws.signature"),
        ("protected header over 4096 bytes",
         fx.forge(header=dict(hdr, pad="x" * (MAX_HEADER + 1 - len(json.dumps(hdr)) - 9))).encode(), "VC_ERR_LIMIT",
         "jws.header"),
        # deep nesting
        ("envelope nested 65 deep", ('{"@context":[%s],"n":%s}' % (json.dumps(VC2), deep)).encode(),
         "VC_ERR_JSON_DEPTH", "input.format"),
        ("payload nested 65 deep", fx.forge(payload=dict(pl, credentialSubject=dict(pl["credentialSubject"],
                                                                                     n=json.loads(deep)))).encode(),
         "VC_ERR_JSON_DEPTH", "payload.json"),
        ("header nested 65 deep", fx.forge(header_text='{"alg":"EdDSA","x":%s}' % deep).encode(), "VC_ERR_JWS_HEADER",
         "jws.header"),
        ("payload nested 62 deep is only a bad signature",
         fx.forge(payload=dict(pl, credentialSubject=dict(pl["credentialSubject"], n=json.loads(ok_deep)))).encode(),
         "VC_ERR_JWS_SIGNATURE", "jws.signature"),
        # duplicate keys
        ("duplicate key in the payload",
         fx.forge(payload_text=json.dumps(pl)[:-1] + ',"issuer":"did:example:other"}').encode(), "VC_ERR_JSON_DUPKEY",
         "payload.json"),
        ("duplicate key in the envelope", (fx.envelope(JWT_PREFIX + tok)[:-1] + ',"id":"x"}').encode(),
         "VC_ERR_JSON_DUPKEY", "input.format"),
        # invalid UTF-8
        ("invalid UTF-8 in the payload",
         (h64 + "." + b64u(json.dumps(pl)[:-1].encode() + b',"name":"\xc3\x28"}') + "." + s64).encode(),
         "VC_ERR_JSON", "payload.json"),
        ("invalid UTF-8 in the envelope", env[:-2] + b'\xff"}', "VC_ERR_JSON", "input.format"),
        ("overlong UTF-8 in the header", (b64u(b'{"alg":"EdDSA","typ":"vc+jwt","x":"\xc0\xaf"}') + "." + p64 + "." + s64)
         .encode(), "VC_ERR_JWS_HEADER", "jws.header"),
        # base64url alphabet and padding
        ("'+' in the signature", (h64 + "." + p64 + "." + s64[:-2] + "+A").encode(), "VC_ERR_BASE64URL", "jws.header"),
        ("'/' in the payload", (h64 + "." + p64[:8] + "/" + p64[9:] + "." + s64).encode(), "VC_ERR_BASE64URL",
         "jws.header"),
        ("padding in the header", (h64 + "==." + p64 + "." + s64).encode(), "VC_ERR_BASE64URL", "jws.header"),
        ("white space inside the signature", (h64 + "." + p64 + "." + s64[:10] + " " + s64[10:]).encode(),
         "VC_ERR_BASE64URL", "jws.header"),
        ("length 1 mod 4", (h64 + "." + p64 + "." + s64 + "AAA").encode(), "VC_ERR_BASE64URL", "jws.header"),
        ("non-canonical last character", (h64 + "." + p64 + "." + s64[:-1] + chr(ord(s64[-1]) + 1)).encode()
         if s64[-1] not in "9_-" else (h64 + "." + p64 + "." + s64).encode(), "VC_ERR_BASE64URL", "jws.header"),
        # algorithm confusion: the reverse of cli_test's case, and unsigned / HMAC on a P-256 issuer
        ("EdDSA header on a P-256 key",
         fx.forge("ES256", header=dict(fx.parts("ES256")[0], alg="EdDSA")).encode(), "VC_ERR_JWS_ALG_KEY",
         "jws.signature"),
        ("alg none on a P-256 key", fx.forge("ES256", header=dict(fx.parts("ES256")[0], alg="none"), sig="").encode(),
         "VC_ERR_JWS_ALG_NONE", "jws.header"),
        ("HS256 keyed with the P-256 public key",
         fx.forge("ES256", header=dict(fx.parts("ES256")[0], alg="HS256")).encode(), "VC_ERR_JWS_ALG", "jws.header"),
        ("alg missing", fx.forge(header={k: v for k, v in hdr.items() if k != "alg"}).encode(), "VC_ERR_JWS_ALG",
         "jws.header"),
        ("alg not a string", fx.forge(header=dict(hdr, alg=["EdDSA"])).encode(), "VC_ERR_JWS_ALG", "jws.header"),
        ("ES256 signature in DER form", fx.forge("ES256", sig=b64u(b"\x30\x44\x02\x20" + b"\x01" * 32 + b"\x02\x20"
                                                               + b"\x01" * 32)).encode(), "VC_ERR_JWS_SIGNATURE",
         "jws.signature"),
        ("ES256 signature with r = 0", fx.forge("ES256", sig=b64u(b"\x00" * 32 + b"\x01" * 32)).encode(),
         "VC_ERR_JWS_SIGNATURE", "jws.signature"),
        # crit in its other shapes, b64, zip
        ("crit empty", fx.forge(header=dict(hdr, crit=[])).encode(), "VC_ERR_JWS_CRIT", "jws.header"),
        ("crit not an array", fx.forge(header=dict(hdr, crit="b64")).encode(), "VC_ERR_JWS_CRIT", "jws.header"),
        ("b64 false", fx.forge(header=dict(hdr, b64=False, crit=["b64"])).encode(), "VC_ERR_JWS_CRIT", "jws.header"),
        ("zip", fx.forge(header=dict(hdr, zip="DEF")).encode(), "VC_ERR_JWS_HEADER", "jws.header"),
        # kid
        ("kid of another DID", fx.forge(header=dict(hdr, kid=p256_kid)).encode(), "VC_ERR_JWS_KID", "issuer.key"),
        ("kid with another DID's fragment",
         fx.forge(header=dict(hdr, kid=p256_kid.split("#")[0] + "#" + ed_kid.split("#")[1])).encode(),
         "VC_ERR_JWS_KID", "issuer.key"),
        ("kid empty", fx.forge(header=dict(hdr, kid="")).encode(), "VC_ERR_JWS_HEADER", "jws.header"),
        # validity through the JWT claims (validFrom / validUntil are in cli_test.py)
        ("exp in the past", fx.forge(payload=dict(pl, exp=1262304000)).encode(), "VC_ERR_DM_EXPIRED", "validity"),
        ("nbf in the future", fx.forge(payload=dict(pl, nbf=4102444800)).encode(), "VC_ERR_DM_NOT_YET_VALID",
         "validity"),
        ("validUntil before validFrom", fx.forge(payload=dict(pl, validUntil="2001-01-01T00:00:00Z")).encode(),
         "VC_ERR_DM_DATETIME", None),
        # enveloped ids whose media type lies
        ("vc+jwt URL carrying COSE", fx.envelope(JWT_PREFIX + "0oRDoQEnoEF7WEA" + "A" * 86).encode(),
         "VC_ERR_JWS_FORMAT", None),
        ("vc+cose URL carrying a JWS", fx.envelope("data:application/vc+cose;base64," + tok).encode(), None, None),
        ("application/json data: URL", fx.envelope("data:application/json," + tok).encode(), "VC_ERR_MEDIA_TYPE",
         "input.format"),
        ("vc+ld+jwt media type", fx.envelope("data:application/vc+ld+jwt," + tok).encode(), "VC_ERR_MEDIA_TYPE",
         "input.format"),
        ("vp+jwt URL in a credential envelope ", fx.envelope("data:application/vp+jwt," + tok).encode(),
         "VC_ERR_MEDIA_TYPE", "input.format"),
        ("data: URL with a charset parameter", fx.envelope("data:application/vc+jwt;charset=utf-8," + tok).encode(),
         "VC_ERR_ENVELOPE", "input.format"),
    ]
    return cases


def sign_cases(fx):
    """(name, unsigned input bytes, exit status, code)."""
    base = json.dumps(credential())
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    other_did = {"EdDSA": fx.info["ES256"]["did"], "ES256": fx.info["EdDSA"]["did"]}
    return [
        ("truncated JSON", base[: len(base) // 2].encode(), EXIT_INVALID, "VC_ERR_JSON"),
        ("empty input", b"", EXIT_INVALID, "VC_ERR_JSON"),
        ("input of 1 MiB + 1 bytes", (base[:-1] + " " * (MAX_INPUT + 1 - len(base)) + "}").encode(), EXIT_USAGE,
         "VC_ERR_LIMIT"),
        ("nested 65 deep", (base[:-1] + ',"n":' + deep + "}").encode(), EXIT_INVALID, "VC_ERR_JSON_DEPTH"),
        ("duplicate key", (base[:-1] + ',"id":"urn:uuid:other"}').encode(), EXIT_INVALID, "VC_ERR_JSON_DUPKEY"),
        ("invalid UTF-8", (base[:-1] + ',"name":"\xff"}').encode("latin-1"), EXIT_INVALID, "VC_ERR_JSON"),
        ("UTF-16 surrogate escape alone", (base[:-1] + ',"name":"\\ud800"}').encode(), EXIT_INVALID, "VC_ERR_JSON"),
        ("NUL byte", (base[:-1] + ',"name":"a\\u0000b"}').encode(), EXIT_INVALID, "VC_ERR_JSON"),
        ("not an object", b"[1,2,3]", EXIT_INVALID, "VC_ERR_JSON_TYPE"),
        ("validUntil before validFrom", json.dumps(credential(validUntil="2001-01-01T00:00:00Z")).encode(),
         EXIT_INVALID, "VC_ERR_DM_DATETIME"),
        ("validFrom not a dateTimeStamp", json.dumps(credential(validFrom="2010-01-01")).encode(), EXIT_INVALID,
         "VC_ERR_DM_DATETIME"),
        ("issuer a did:key of another key", {alg: json.dumps(credential(issuer=d)).encode()
                                              for alg, d in other_did.items()}, EXIT_INVALID, "VC_ERR_DM_ISSUER"),
        ("already enveloped", fx.envelope(JWT_PREFIX + fx.token["EdDSA"]).encode(), EXIT_INVALID, None),
    ]


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="untpcred-bad-")
        cls.fx = Fixture(cls._tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_verify_corpus(self):
        for name, data, code, check in verify_cases(self.fx):
            with self.subTest(case=name), tempfile.TemporaryDirectory(prefix="case-") as d:
                src = os.path.join(d, "input")
                with open(src, "wb") as f:
                    f.write(data)
                p = run("verify", "--json", src)
                if check is USAGE:  # refused before any check: exit 2, the code on stderr
                    self.assertEqual(p.returncode, EXIT_USAGE, name)
                    self.assertRegex(p.stderr.decode(errors="replace"), code_re(code), name)
                    self.assertEqual(p.stdout, b"", name)
                    continue
                self.assertEqual(p.returncode, EXIT_INVALID, "%s: exit %d\n%s" % (name, p.returncode, p.stderr[-800:]))
                report = json.loads(p.stdout)
                self.assertIs(report["valid"], False)
                if code:
                    self.assertEqual(report.get("error"), code, "%s: %s" % (name, report.get("message")))
                else:
                    self.assertRegex(report.get("error", ""), r"^VC_ERR_[A-Z0-9_]+$")
                if check:
                    failed = {c["check"]: c.get("code") for c in report["checks"] if c["result"] == "fail"}
                    self.assertIn(check, failed, "%s: %s" % (name, report["checks"]))
                    self.assertEqual(failed[check], code, name)
                self.assertEqual(report["checks"][-1]["result"] != "pass" or report["valid"], True)

    def test_sign_out_corpus(self):
        for name, data, status, code in sign_cases(self.fx):
            for alg in ("EdDSA", "ES256"):
                with self.subTest(case=name, alg=alg), tempfile.TemporaryDirectory(prefix="case-") as d:
                    src = os.path.join(d, "unsigned.json")
                    with open(src, "wb") as f:
                        f.write(data[alg] if isinstance(data, dict) else data)
                    out = os.path.join(d, "signed.json")
                    before = sorted(os.listdir(d))
                    p = run("sign", "--key", self.fx.key[alg], "--out", out, src)
                    err = p.stderr.decode(errors="replace")
                    self.assertEqual(p.returncode, status, "%s: exit %d\n%s" % (name, p.returncode, err[-800:]))
                    if code:
                        self.assertRegex(err, code_re(code), name)
                    else:
                        self.assertRegex(err, r"VC_ERR_[A-Z0-9_]+", name)
                    self.assertEqual(p.stdout, b"", name)
                    self.assertFalse(os.path.exists(out), "%s: an output file was created" % name)
                    self.assertEqual(sorted(os.listdir(d)), before, "%s: a (temporary) file was left behind" % name)


if __name__ == "__main__":
    if not UNTPCRED:
        sys.exit("bad_input_test.py: give the untpcred binary as the first argument (or env UNTPCRED)")
    unittest.main(verbosity=1)
