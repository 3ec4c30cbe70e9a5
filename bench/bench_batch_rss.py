#!/usr/bin/env python3
"""Peak RSS (and throughput) of `untpcred verify --batch -` over a long stream.

Signs a handful of credentials (EdDSA and ES256) once, then writes N JSON Lines
(default 1,000,000) lazily into the child's standard input through a pipe (no
file is written), reads and counts its result lines as they come, and reads the
child's peak resident set size from wait4()'s rusage (ru_maxrss, KiB: what
`/usr/bin/time -f %M` prints). Prints the figures; fails (exit 1) only when the
batch itself fails or some result is not valid, never on the figures.

Usage: bench_batch_rss.py PATH/TO/untpcred [N] [JOBS]
Target (issue #6): peak RSS < 64 MiB for 1,000,000 credentials.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time


def credential(i):
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:5b0b7c2e-7f0d-4c2a-9d8e-%012d" % i,
        "type": ["VerifiableCredential"],
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://id.example.com/01/09359502000034/10/%d" % i},
    }


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("BENCH_BATCH_N", "1000000"))
    jobs = sys.argv[3] if len(sys.argv) > 3 else "2"
    tokens = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for alg in ("EdDSA", "ES256"):
            key = os.path.join(tmp, alg + ".jwk")
            subprocess.run([exe, "keygen", "--alg", alg, "--out", key], check=True, stdout=subprocess.DEVNULL)
            for i in range(4):
                src = os.path.join(tmp, "c%s%d.json" % (alg, i))
                with open(src, "w") as f:
                    json.dump(credential(i), f)
                out = subprocess.run([exe, "sign", "--key", key, "--bare", src], check=True,
                                     stdout=subprocess.PIPE, text=True).stdout.strip()
                tokens.append(out)
    # and the bundled, already-signed UNTP product passport (full schema and vocabulary checks)
    src = os.environ.get("VC_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    with open(os.path.join(src, "examples", "battery-dpp.vc.json")) as f:
        tokens.append(json.dumps(json.load(f), separators=(",", ":")))
    lines = [(t + "\n").encode() for t in tokens]

    child = subprocess.Popen([exe, "verify", "--batch", "--jobs", jobs, "--quiet", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed():
        try:
            chunk = []
            for i in range(n):
                chunk.append(lines[i % len(lines)])
                if len(chunk) == 256:
                    child.stdin.write(b"".join(chunk))
                    chunk = []
            if chunk:
                child.stdin.write(b"".join(chunk))
        except BrokenPipeError:
            pass
        finally:
            try:
                child.stdin.close()
            except BrokenPipeError:
                pass

    t0 = time.monotonic()
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    results = invalid = 0
    for line in child.stdout:
        results += 1
        if b'"valid":true' not in line.replace(b" ", b""):
            invalid += 1
            if invalid <= 3:
                sys.stderr.write("invalid result: %s" % line.decode(errors="replace")[:300])
    writer.join()
    err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - t0
    rss_kib = usage.ru_maxrss
    print("verify --batch --jobs %s: %d credentials (%d distinct, EdDSA and ES256) streamed through a pipe"
          % (jobs, n, len(tokens)))
    print("  %.1f s, %.0f credentials/s; results %d, invalid %d, exit %d"
          % (elapsed, n / elapsed if elapsed else 0, results, invalid, child.returncode))
    print("  peak RSS of untpcred: %.1f MiB (%d KiB)   (target < 64 MiB)" % (rss_kib / 1024.0, rss_kib))
    if child.returncode != 0 or results != n or invalid:
        sys.stderr.write(err[-2000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
