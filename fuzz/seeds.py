#!/usr/bin/env python3
"""Write the seed corpus of one text fuzz target from the shared vectors, at run
time (nothing is committed): fuzz_jws, fuzz_json, fuzz_base64, fuzz_did,
fuzz_schema. fuzz_verify makes its own signed seeds (see fuzz_verify.c).

Usage: seeds.py TARGET SHARED_DIR SOURCE_DIR OUT_DIR
"""
import glob
import json
import os
import re
import sys

MAX = 200  # seeds per source kind: enough variety, quick to load


def files(pattern):
    return sorted(glob.glob(pattern, recursive=True))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def main():
    target, shared, src, out = sys.argv[1:5]
    vec = os.path.join(shared, "vectors")
    jose = os.path.join(vec, "w3c-vc-jose-cose-test-suite")
    seeds = []
    compact = re.compile(rb"[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
    jws = []
    for p in files(jose + "/*jose*.txt") + files(vec + "/jose-rfc/*.json") + files(src + "/examples/*.json"):
        jws += compact.findall(read(p))
    if target == "fuzz_jws":
        seeds = jws
        seeds.append(b"eyJhbGciOiJub25lIn0.e30.")
        seeds.append(b"eyJhbGciOiJIUzI1NiJ9.e30.AAAA")
    elif target == "fuzz_json":
        for p in files(vec + "/w3c-vc-data-model-2.0-test-suite/*.json")[:MAX] + files(jose + "/*.json"):
            seeds.append(read(p))
        for p in files(vec + "/json-schema-test-suite/tests/draft2020-12/*.json")[:40]:
            seeds.append(read(p))
        seeds += [b'{"a":1,"a":2}', b"[" * 70 + b"]" * 70, b'"\xc3\x28"', b'{"\\ud800":0}', b"1e999", b"-0"]
    elif target == "fuzz_base64":
        for t in jws:
            seeds += t.split(b".")
        for p in files(vec + "/w3c-did-test-suite/*key*.json") + files(vec + "/w3c-ccg-did-method-key/**/*.json"):
            seeds += [m.encode() for m in set(re.findall(r"z[1-9A-HJ-NP-Za-km-z]{40,}", read(p).decode("utf-8", "replace")))][:MAX]
    elif target == "fuzz_did":
        dids = set()
        for p in files(vec + "/w3c-did-test-suite/*.json") + files(vec + "/w3c-ccg-did-method-key/**/*.json"):
            dids.update(re.findall(r"did:[a-z0-9]+:[^\"\s]*", read(p).decode("utf-8", "replace")))
        seeds = [d.encode() for d in sorted(dids)[:4 * MAX]]
        seeds += [b"did:web:example.com", b"did:web:example.com%3A8443:u:alice", b"did:web:localhost%3A1",
                  b"did:web:a..b", b"did:web:%2e%2e:x", b"did:web:example.com:..:x", b"did:web:[::1]"]
    elif target == "fuzz_schema":
        for p in files(vec + "/json-schema-test-suite/tests/draft2020-12/*.json"):
            try:
                groups = json.loads(read(p))
            except ValueError:
                continue
            for g in groups:
                seeds.append(b"\x00" + json.dumps(g["schema"]).encode())
                for t in g.get("tests", [])[:2]:
                    seeds.append(b"\x01" + json.dumps(t["data"]).encode())
        seeds.append(b"\x01" + read(os.path.join(src, "examples/battery-dpp.unsigned.json")))
        for p in files(vec + "/w3c-vc-data-model-2.0-test-suite/*.json")[:MAX]:
            seeds.append(b"\x01" + read(p))
    else:
        sys.exit("seeds.py: unknown target " + target)
    os.makedirs(out, exist_ok=True)
    seen = set()
    for s in seeds:
        if s in seen or len(s) > 65536:
            continue
        seen.add(s)
        with open(os.path.join(out, "seed-%05d" % len(seen)), "wb") as f:
            f.write(s)
    print("%s: %d seeds in %s" % (target, len(seen), out))


if __name__ == "__main__":
    main()
