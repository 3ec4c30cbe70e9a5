#!/usr/bin/env python3
"""Write the fuzz seed corpus for fuzz_cose: every COSE input of the W3C
VC-JOSE-COSE test suite decoded to bytes (base64 or hex in the .txt files, and
the vc+cose credential nested in presentation-jose-multiple.txt), plus a few
small hand-made objects. Nothing binary is kept in the repository.

Usage: make_seeds.py SUITE_DIR OUT_DIR
"""
import base64
import binascii
import json
import os
import re
import sys


def b64any(text):
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def main():
    suite, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for name in sorted(os.listdir(suite)):
        if "cose" not in name or not name.endswith(".txt"):
            continue
        text = open(os.path.join(suite, name), encoding="utf-8").read().strip()
        if re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
            seeds[name] = binascii.unhexlify(text)
        else:
            seeds[name] = b64any(text)
    # the vc+cose credential nested in the JOSE presentation of the suite
    jws = open(os.path.join(suite, "presentation-jose-multiple.txt"), encoding="utf-8").read().strip()
    payload = json.loads(b64any(jws.split(".")[1]))
    for i, cred in enumerate(payload.get("verifiableCredential", [])):
        m = re.match(r"data:application/vc\+cose;base64,(.*)", cred.get("id", ""), re.S)
        if m:
            seeds["nested-%d" % i] = b64any(m.group(1))
    # hand-made: RFC 9052 C.2.1 shape, untagged, empty protected, nil payload, indefinite map
    seeds["rfc9052-c21"] = bytes.fromhex("d28443a10126a10442313154546869732069732074686520636f6e74656e742e5840" + "00" * 64)
    seeds["untagged"] = bytes.fromhex("8443a10127a0417b5840" + "00" * 64)
    seeds["empty-protected"] = bytes.fromhex("d28440a10127417b5840" + "00" * 64)
    seeds["nil-payload"] = bytes.fromhex("d28443a10127a0f65840" + "00" * 64)
    seeds["indefinite"] = bytes.fromhex("d28444bf0127ffa0417b5840" + "00" * 64)
    seeds["cwt"] = bytes.fromhex("d2845821a201270fa4016169026173041a7fffffff05fb3ff8000000000000a0417b5840" + "00" * 64)
    for name, data in seeds.items():
        with open(os.path.join(out, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".cbor"), "wb") as f:
            f.write(data)
    print("fuzz seeds: %d files in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
