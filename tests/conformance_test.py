#!/usr/bin/env python3
"""End-to-end tests of `untpcred conformance` (the UNTP conformance suite).

Usage: conformance_test.py PATH/TO/untpcred   (or env UNTPCRED)
Env:   VC_SOURCE_DIR  the project source root (conformance/ cases, examples/)

Runs the CLI over every case of conformance/manifest.json and asserts its
expected outcome (exit status, failing test and code); checks the JUnit report
is XML a CI system reads (counts agree with the summary line), the JSON report
parses, TAP lines are well-formed, the tier-3 trust graph (claims backed by
DCCs, issuers anchored by DIAs, reported by name), exit codes, and the lithium
example chain when it exists. Standard library only; no network.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

UNTPCRED = os.environ.get("UNTPCRED")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    UNTPCRED = sys.argv.pop(1)
SOURCE_DIR = os.environ.get("VC_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CONF = os.path.join(SOURCE_DIR, "conformance")
CASES = os.path.join(CONF, "cases")
LITHIUM = os.path.join(SOURCE_DIR, "examples", "lithium")
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")
CLAIM_CARBON = "https://id.demo-cells.example/claims/carbon"
CLAIM_RECYCLED = "https://id.demo-cells.example/claims/recycled"

with open(os.path.join(CONF, "manifest.json")) as f:
    MANIFEST = json.load(f)
REGISTER = MANIFEST["dids"]["register"]
CAB = MANIFEST["dids"]["cab"]


def conformance(*args):
    env = dict(os.environ, UNTPCRED_DATA_DIR=SOURCE_DIR)
    return subprocess.run([UNTPCRED, "conformance", "--offline"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, env=env, cwd=SOURCE_DIR)


def summary(stdout):
    last = stdout.rstrip("\n").split("\n")[-1]
    m = SUMMARY.match(last.lstrip("# "))
    assert m, "no summary line: %r" % last
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def lines(stdout, tag):
    return [l for l in stdout.splitlines() if l.startswith(tag + "  ")]


class Manifest(unittest.TestCase):
    """Every case of the suite gives its expected outcome."""

    def test_cases(self):
        self.assertGreaterEqual(len(MANIFEST["cases"]), 20)
        kinds = set()
        for case in MANIFEST["cases"]:
            with self.subTest(case=case["case"]):
                args = ["--tier", str(case["tier"])]
                for did in case["trustDid"]:
                    args += ["--trust-did", did]
                r = conformance(*(args + [os.path.join("conformance", case["case"])]))
                want = EXIT_OK if case["expect"] == "pass" else EXIT_INVALID
                self.assertEqual(r.returncode, want, r.stdout + r.stderr)
                passed, failed, _ = summary(r.stdout)
                self.assertEqual(failed == 0, case["expect"] == "pass")
                if case["test"]:
                    hit = [l for l in lines(r.stdout, "FAIL") if "  %s  %s:" % (case["test"], case["code"]) in l]
                    self.assertTrue(hit, "%s %s not among the failures:\n%s" % (case["test"], case["code"], r.stdout))
                for k in ("dpp", "dcc", "dte", "dfr", "dia"):
                    if k in os.path.basename(case["case"]) or case["tier"] == 3:
                        kinds.add(k if case["tier"] < 3 else "t3")
        self.assertTrue({"dpp", "dcc", "dte", "dfr", "dia", "t3"} <= kinds)


class Reports(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_all(self, *extra):
        return conformance("--trust-did", REGISTER, *(list(extra) + ["conformance/cases/valid",
                                                                     "conformance/cases/tier1",
                                                                     "conformance/cases/tier3/one-unbacked"]))

    def test_junit_is_valid_xml_matching_the_summary(self):
        path = os.path.join(self.tmp, "junit.xml")
        r = self.run_all("--junit", path)
        self.assertEqual(r.returncode, EXIT_INVALID, r.stderr)
        passed, failed, skipped = summary(r.stdout)
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual(int(root.get("tests")), passed + failed + skipped)
        self.assertEqual(int(root.get("failures")), failed)
        self.assertEqual(int(root.get("skipped")), skipped)
        cases = root.findall("./testsuite/testcase")
        self.assertEqual(len(cases), passed + failed + skipped)
        self.assertEqual(len(root.findall("./testsuite/testcase/failure")), failed)
        for suite in root.findall("testsuite"):
            self.assertEqual(int(suite.get("tests")), len(suite.findall("testcase")))
            self.assertEqual(int(suite.get("failures")), len(suite.findall("testcase/failure")))
        sig = [c for c in cases if c.get("name") == "tier1.signature" and c.find("failure") is not None]
        self.assertEqual(sig[0].find("failure").get("type"), "VC_ERR_JWS_SIGNATURE")
        # one line per test in the text summary
        self.assertEqual(len(lines(r.stdout, "PASS")) + len(lines(r.stdout, "FAIL")) + len(lines(r.stdout, "SKIP")),
                         passed + failed + skipped)

    def test_json_report(self):
        path = os.path.join(self.tmp, "report.json")
        r = self.run_all("--json", path)
        passed, failed, skipped = summary(r.stdout)
        with open(path) as f:
            rep = json.load(f)
        self.assertEqual((rep["passed"], rep["failed"], rep["skipped"]), (passed, failed, skipped))
        self.assertEqual(len(rep["results"]), passed + failed + skipped)
        for res in rep["results"]:
            self.assertIn(res["result"], ("pass", "fail", "skip"))
            self.assertEqual("code" in res, res["result"] == "fail")

    def test_tap(self):
        r = self.run_all("--tap")
        self.assertEqual(r.returncode, EXIT_INVALID)
        out = r.stdout.splitlines()
        self.assertEqual(out[0], "TAP version 13")
        m = re.match(r"^1\.\.(\d+)$", out[1])
        self.assertTrue(m)
        n = 0
        in_yaml = False
        for l in out[2:]:
            if in_yaml:
                if l == "  ...":
                    in_yaml = False
                else:
                    self.assertTrue(l.startswith("  "), l)
                continue
            if l == "  ---":
                in_yaml = True
                continue
            if l.startswith("#"):
                continue
            t = re.match(r"^(ok|not ok) (\d+) - \S.*$", l)
            self.assertTrue(t, l)
            n += 1
            self.assertEqual(int(t.group(2)), n)
        self.assertEqual(n, int(m.group(1)))
        passed, failed, skipped = summary(r.stdout)
        self.assertEqual(len([l for l in out if l.startswith("not ok ")]), failed)
        self.assertEqual(len([l for l in out if re.match(r"^ok .* # SKIP ", l)]), skipped)
        self.assertFalse(lines(r.stdout, "PASS"))

    def test_report_files_are_atomic(self):
        bad = os.path.join(self.tmp, "no", "such", "dir", "junit.xml")
        r = self.run_all("--junit", bad)
        self.assertEqual(r.returncode, EXIT_USAGE)
        self.assertFalse(os.path.exists(bad))
        self.assertEqual([f for f in os.listdir(self.tmp)], [])

    def test_exit_codes(self):
        self.assertEqual(conformance("--tier", "2", "conformance/cases/valid").returncode, EXIT_OK)
        self.assertEqual(conformance("conformance/cases/tier1/dte-bad-signature.jwt").returncode, EXIT_INVALID)
        self.assertEqual(conformance().returncode, EXIT_USAGE)
        self.assertEqual(conformance("--tier", "4", "conformance/cases/valid").returncode, EXIT_USAGE)
        r = conformance("conformance/cases/does-not-exist.json")
        self.assertEqual(r.returncode, EXIT_USAGE)
        self.assertIn("VC_ERR_IO", r.stderr)
        r = conformance("--bogus", "conformance/cases/valid")
        self.assertEqual(r.returncode, EXIT_USAGE)
        empty = tempfile.mkdtemp(dir=self.tmp)
        self.assertEqual(conformance(empty).returncode, EXIT_USAGE)
        r = subprocess.run([UNTPCRED, "conformance", "--help"], stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--junit FILE", r.stdout)

    def test_skips_in_summary_line(self):
        r = conformance("conformance/cases/valid/dpp.vc.json")  # tier 3 without trust: issuer skipped
        self.assertEqual(r.returncode, EXIT_INVALID)  # the demo DPP's recycled claim has no DCC here
        self.assertEqual(summary(r.stdout)[2], 1)
        self.assertRegex(r.stdout.splitlines()[-1], r"^\d+ passed, \d+ failed, 1 skipped$")
        r = conformance("--tier", "1", "conformance/cases/valid/dpp.vc.json")
        self.assertRegex(r.stdout.splitlines()[-1], r"^6 passed, 0 failed$")


class Tier3(unittest.TestCase):
    """The trust graph, with files copied so that parts can be removed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        shutil.copytree(os.path.join(CASES, "tier3", "one-unbacked"), os.path.join(self.tmp, "set"))
        self.set = os.path.join(self.tmp, "set")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_set(self):
        return conformance("--tier", "3", "--trust-did", REGISTER, self.set)

    def test_exactly_the_backed_claim_passes(self):
        r = self.run_set()
        self.assertEqual(r.returncode, EXIT_INVALID)
        self.assertEqual(len([l for l in lines(r.stdout, "PASS") if "tier3.claim[%s]" % CLAIM_CARBON in l]), 1)
        fails = lines(r.stdout, "FAIL")
        self.assertEqual(len(fails), 1, r.stdout)
        self.assertIn("tier3.claim[%s]" % CLAIM_RECYCLED, fails[0])
        self.assertIn("VC_ERR_CLAIM_UNVERIFIED", fails[0])
        self.assertIn("claim %s of DPP urn:uuid:" % CLAIM_RECYCLED, fails[0])

    def test_removing_the_dcc_fails_the_claims(self):
        os.unlink(os.path.join(self.set, "dcc.vc.json"))
        r = self.run_set()
        self.assertEqual(r.returncode, EXIT_INVALID)
        fails = lines(r.stdout, "FAIL")
        self.assertEqual(len(fails), 2)
        for claim in (CLAIM_CARBON, CLAIM_RECYCLED):
            self.assertTrue(any("tier3.claim[%s]" % claim in l for l in fails), r.stdout)

    def test_removing_a_dia_unanchors_its_issuer(self):
        os.unlink(os.path.join(self.set, "dia-cab.vc.json"))
        r = self.run_set()
        self.assertEqual(r.returncode, EXIT_INVALID)
        issuer = [l for l in lines(r.stdout, "FAIL") if "tier3.issuer" in l]
        self.assertEqual(len(issuer), 1, r.stdout)
        self.assertIn("dcc.vc.json", issuer[0])
        self.assertIn("issuer %s is not anchored" % CAB, issuer[0])
        self.assertIn("VC_ERR_TRUST_UNANCHORED", issuer[0])
        # and the DCC of an unanchored issuer backs nothing
        self.assertTrue(any("tier3.claim[%s]" % CLAIM_CARBON in l for l in lines(r.stdout, "FAIL")))

    def test_dia_given_with_option_also_counts(self):
        dia = os.path.join(self.tmp, "dia-cab.vc.json")
        shutil.move(os.path.join(self.set, "dia-cab.vc.json"), dia)
        r = conformance("--trust-did", REGISTER, "--dia", dia, self.set)
        self.assertFalse([l for l in lines(r.stdout, "FAIL") if "tier3.issuer" in l], r.stdout)


class Lithium(unittest.TestCase):
    def test_lithium_chain_conforms(self):
        creds = os.path.join(LITHIUM, "credentials")
        web = os.path.join(LITHIUM, "web")
        if not os.path.isdir(creds) or not os.path.isdir(web):
            self.skipTest("examples/lithium/ does not exist yet (credentials/ and web/<host>/.well-known/did.json)")
        docs = sorted(os.path.join(web, h, ".well-known", "did.json") for h in os.listdir(web)
                      if os.path.exists(os.path.join(web, h, ".well-known", "did.json")))
        r = conformance("--tier", "3", "--trust-did", "did:web:register.example", "--did-doc", *(docs + [creds]))
        self.assertEqual(r.returncode, EXIT_OK, r.stdout + r.stderr)
        passed, failed, skipped = summary(r.stdout)
        self.assertEqual((failed, skipped), (0, 0))
        self.assertGreater(passed, 0)
        self.assertTrue(any("tier3.claim[" in l for l in lines(r.stdout, "PASS")), "no DPP claim was checked")


if __name__ == "__main__":
    if not UNTPCRED:
        sys.exit("usage: conformance_test.py PATH/TO/untpcred")
    UNTPCRED = os.path.abspath(UNTPCRED)  # the cases run from the source root
    unittest.main(verbosity=2)
