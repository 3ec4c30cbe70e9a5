#!/usr/bin/env python3
"""Regenerate (or, with --check, verify) vocab/manifest.json and schemas/manifest.json.

The manifests are what libvc's data registry (libvc/data) reads: one entry per
shipped file with its canonical URL, kind, UNTP type, version, SHA-256 and origin.
libvc refuses a file whose SHA-256 differs from the manifest, so run this after
adding or updating a data file, and review the diff.

Not installed; run from anywhere: python3 vocab/update-manifests.py [--check]
"""
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

UNTP_REPO = "uncefact/spec-untp"
UNTP_COMMIT = {"0.6.1": "f6778df272a524a6a74d8afcd0b764b92e0198fc",
               "0.6.0": "a77b8980f620a819461eb1ba5c62bc93b5c0836f"}
UNTP_LICENSE = "GPL-3.0 (see untp/NOTICE.md and untp/COPYING)"
W3C_LICENSE = "W3C Software and Document License (see w3c/NOTICE.md)"
VCDM = ("w3c/vc-data-model", "979c4af1cfe2224ed7b0ee5ec4d7a009a465812b")
VCDI = ("w3c/vc-data-integrity", "570d764182aa915427da16bdd4514af874fb86ed")
BSL = ("w3c/vc-bitstring-status-list", "74fcae11e5b389aa44d1b7d3f84ee079eaa169a4")

# UNTP credential types: short name -> credential type (the schema's type[0]).
UNTP_TYPES = {
    "dpp": "DigitalProductPassport",
    "dcc": "DigitalConformityCredential",
    "dte": "DigitalTraceabilityEvent",
    "dfr": "DigitalFacilityRecord",
    "dia": "DigitalIdentityAnchor",
    "svc": "ConformitySchemeVocabulary",
}


def untp_contexts():
    out = []
    for version, types in (("0.6.1", ["core", "dcc", "dfr", "dia", "dpp", "dte", "svc"]),
                           ("0.6.0", ["core", "dcc", "dfr", "dia", "dpp", "dte"])):
        for t in types:
            e = {
                "path": f"untp/v{version}/{t}/context.jsonld",
                # The URL credentials put in @context (the samples' @context arrays and
                # the schemas' @context const). core is never listed by a credential: its
                # URL follows the same pattern.
                "url": f"https://test.uncefact.org/vocabulary/untp/{t}/{version}/",
                "kind": "context",
                "family": "untp",
                "untpType": t,
                "version": version,
                "license": UNTP_LICENSE,
                "source": {"repo": UNTP_REPO, "path": f"data-models/untp-{t}/artefacts/context.jsonld",
                           "commit": UNTP_COMMIT[version]},
            }
            if t == "core":
                e["note"] = "URL by the pattern of the other UNTP contexts; no UNTP credential lists the core context"
            out.append(e)
    return out


def untp_schemas():
    out = []
    for version in ("0.6.1", "0.6.0"):
        for t, ctype in UNTP_TYPES.items():
            if version == "0.6.0" and t == "svc":
                continue
            name = f"untp-{t}-schema.json" if version == "0.6.1" else f"{ctype}-schema.json"
            e = {
                "path": f"untp/v{version}/{t}/{name}",
                # The files have no $id: this is where UN/CEFACT publishes them.
                "url": f"https://test.uncefact.org/vocabulary/untp/{t}/untp-{t}-schema-{version}.json",
                "kind": "schema",
                "family": "untp",
                "untpType": t,
                "version": version,
                "credentialType": ctype,
                "context": f"https://test.uncefact.org/vocabulary/untp/{t}/{version}/",
                "license": UNTP_LICENSE,
                "source": {"repo": UNTP_REPO, "path": f"data-models/untp-{t}/artefacts/{name}",
                           "commit": UNTP_COMMIT[version]},
            }
            if t == "svc":
                e["note"] = "URL by the publication pattern of the other UNTP schemas"
            out.append(e)
    return out


def w3c_contexts():
    rows = [
        ("www.w3.org_ns_credentials_v2.jsonld", "https://www.w3.org/ns/credentials/v2", "2.0", VCDM,
         "contexts/credentials/v2"),
        ("www.w3.org_ns_credentials_examples_v2.jsonld", "https://www.w3.org/ns/credentials/examples/v2", "2.0",
         VCDM, "contexts/credentials/examples/v2"),
        ("www.w3.org_2018_credentials_v1.jsonld", "https://www.w3.org/2018/credentials/v1", "1.1", VCDM,
         "contexts/credentials/v1"),
        ("www.w3.org_2018_credentials_examples_v1.jsonld", "https://www.w3.org/2018/credentials/examples/v1", "1.1",
         VCDM, "contexts/credentials/examples/v1"),
        ("w3id.org_security_data-integrity_v1.jsonld", "https://w3id.org/security/data-integrity/v1", "1", VCDI,
         "contexts/data-integrity/v1"),
        ("w3id.org_security_data-integrity_v2.jsonld", "https://w3id.org/security/data-integrity/v2", "2", VCDI,
         "contexts/data-integrity/v2"),
        ("w3id.org_security_multikey_v1.jsonld", "https://w3id.org/security/multikey/v1", "1", VCDI,
         "contexts/multikey/v1"),
        ("w3id.org_security_jwk_v1.jsonld", "https://w3id.org/security/jwk/v1", "1", VCDI, "contexts/jwk/v1"),
        ("www.w3.org_ns_credentials_status_v1.jsonld", "https://www.w3.org/ns/credentials/status/v1", "1.0", BSL,
         "contexts/v1.jsonld"),
    ]
    return [{
        "path": "w3c/" + f, "url": url, "kind": "context", "family": "w3c", "untpType": None, "version": v,
        "license": W3C_LICENSE, "source": {"repo": repo, "path": p, "commit": commit},
    } for f, url, v, (repo, commit), p in rows]


def w3c_schemas():
    out = []
    for what, ctype in (("credential", "VerifiableCredential"), ("presentation", "VerifiablePresentation")):
        f = f"verifiable-{what}-schema.json"
        out.append({
            "path": "w3c/" + f,
            "url": f"https://www.w3.org/2022/credentials/v2/{f}",
            "kind": "schema", "family": "w3c", "untpType": None, "version": "2.0", "credentialType": ctype,
            "context": "https://www.w3.org/ns/credentials/v2",
            "license": W3C_LICENSE,
            "source": {"repo": VCDM[0], "path": f"schema/verifiable-{what}/{f}", "commit": VCDM[1]},
        })
    return out


def build(folder, entries, description):
    for e in entries:
        with open(os.path.join(ROOT, folder, e["path"]), "rb") as fh:
            data = fh.read()
        e["size"] = len(data)
        e["sha256"] = hashlib.sha256(data).hexdigest()
        if e["kind"] == "schema":
            sid = json.loads(data).get("$id")
            if sid is not None and sid != e["url"]:
                sys.exit(f"{e['path']}: $id {sid} differs from the manifest URL {e['url']}")
        # stable key order
        order = ["path", "url", "kind", "family", "untpType", "version", "credentialType", "context", "sha256",
                 "size", "license", "source", "note"]
        e_sorted = {k: e[k] for k in order if k in e}
        e.clear()
        e.update(e_sorted)
    return {
        "manifest": "untpcred-data/1",
        "description": description,
        "files": entries,
    }


def main():
    check = "--check" in sys.argv[1:]
    outputs = {
        "vocab/manifest.json": build("vocab", untp_contexts() + w3c_contexts(),
                                     "JSON-LD contexts shipped with untpcred. libvc resolves a credential's remote "
                                     "@context URL through 'url' (exact match) and refuses a file whose SHA-256 "
                                     "differs from 'sha256'. Paths are relative to this folder."),
        "schemas/manifest.json": build("schemas", untp_schemas() + w3c_schemas(),
                                       "JSON Schemas shipped with untpcred, found by 'url' (the $id, or where "
                                       "UN/CEFACT publishes a schema that has none) or by (untpType, version). "
                                       "libvc refuses a file whose SHA-256 differs from 'sha256'. Paths are "
                                       "relative to this folder."),
    }
    bad = 0
    for rel, doc in outputs.items():
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        path = os.path.join(ROOT, rel)
        if check:
            with open(path, encoding="utf-8") as fh:
                if fh.read() != text:
                    print(f"{rel} is out of date: run {sys.argv[0]}")
                    bad = 1
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"wrote {rel} ({len(doc['files'])} files)")
    return bad


if __name__ == "__main__":
    sys.exit(main())
