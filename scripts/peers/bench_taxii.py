"""TAXII objects served per second: beltwatch and the OASIS reference server (medallion)
holding the same objects, read side by side in one run by the same client.

usage: bench_taxii.py BELTWATCH_BINARY [OBJECTS] [PAGE]

Generates reports into a scratch store, exports them as a STIX bundle and cuts it to
OBJECTS objects (10,000 by default). A second beltwatch store imports that bundle and is
served by `beltwatch serve`; medallion (memory backend) is loaded with the same objects.
Each collection is then read whole, PAGE objects a request (1,000 by default), three
times for beltwatch and once for medallion (whose read of 10,000 objects takes minutes);
the best is reported. Prints a table and, last, one JSON line.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

COLLECTION = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13"
TAXII = "application/taxii+json;version=2.1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(binary, db, *args):
    out = subprocess.run([binary, "--db", db, *args], check=True, capture_output=True, text=True)
    return out.stdout + out.stderr


def wait_for(port):
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def read_all(url, headers, auth, page):
    """Reads a collection whole; returns (objects, unique ids and versions, seconds)."""
    session = requests.Session()
    started = time.perf_counter()
    count, unique, nxt = 0, set(), None
    while True:
        params = {"limit": page}
        if nxt:
            params["next"] = nxt
        r = session.get(url, headers=headers, auth=auth, params=params, timeout=600)
        r.raise_for_status()
        envelope = r.json()
        objects = envelope.get("objects", [])
        count += len(objects)
        unique.update((o["id"], o.get("modified", o.get("created"))) for o in objects)
        nxt = envelope.get("next")
        if not envelope.get("more") or not nxt or not objects:
            break
    return count, len(unique), time.perf_counter() - started


def main():
    binary = os.path.abspath(sys.argv[1])
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    page = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix="bench-taxii-")
    source, served = os.path.join(work, "source.sqlite"), os.path.join(work, "served.sqlite")
    reports = os.path.join(work, "reports")
    subprocess.run([binary, "generate", "--out", reports, "--count", str(wanted // 8), "--seed", "7"],
                   check=True, capture_output=True)
    run(binary, source, "ingest", reports, "--tlp", "green", "--distribution", "all_partners")
    bundle_file = os.path.join(work, "bundle.json")
    run(binary, source, "export", "stix", "--out", bundle_file)
    with open(bundle_file, encoding="utf-8") as f:
        bundle = json.load(f)
    if len(bundle["objects"]) < wanted:
        raise SystemExit(f"the bundle has {len(bundle['objects'])} objects, fewer than {wanted}")
    bundle["objects"] = bundle["objects"][:wanted]
    with open(bundle_file, "w", encoding="utf-8") as f:
        json.dump(bundle, f)
    run(binary, served, "import", bundle_file)
    token = next(w for w in run(binary, served, "admin", "bootstrap", "--user", "bench").split() if w.startswith("bwt_"))

    ours_port, theirs_port = free_port(), free_port()
    ours = subprocess.Popen([binary, "--db", served, "serve", "--listen", f"127.0.0.1:{ours_port}",
                             "--rate-limit", "1000000", "--burst", "1000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    theirs = subprocess.Popen([sys.executable, os.path.join(here, "..", "..", "crates", "beltwatch", "tests", "peers",
                                                            "medallion_serve.py"),
                               bundle_file, str(theirs_port), "bench", "bench", COLLECTION],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(ours_port)
        wait_for(theirs_port)
        servers = {
            "beltwatch": (f"http://127.0.0.1:{ours_port}/taxii2/beltwatch/collections/{COLLECTION}/objects/",
                          {"Accept": TAXII, "Authorization": f"Bearer {token}"}, None),
            "medallion": (f"http://127.0.0.1:{theirs_port}/api1/collections/{COLLECTION}/objects/",
                          {"Accept": TAXII}, ("bench", "bench")),
        }
        best = {}
        for round_ in range(3):
            for name, (url, headers, auth) in servers.items():
                if name == "medallion" and round_ > 0:
                    continue
                count, unique, seconds = read_all(url, headers, auth, page)
                if name not in best or seconds < best[name][2]:
                    best[name] = (count, unique, seconds)
    finally:
        ours.terminate()
        theirs.terminate()
        ours.wait()
        theirs.wait()
    print(f"{'server':<10} {'objects':>8} {'unique':>8} {'seconds':>9} {'objects/s':>10}")
    result = {"objects_in_bundle": wanted, "page": page}
    for name, (count, unique, seconds) in best.items():
        rate = count / seconds
        print(f"{name:<10} {count:>8} {unique:>8} {seconds:>9.3f} {rate:>10.0f}")
        result[name] = {"objects": count, "unique": unique, "seconds": round(seconds, 3), "per_second": round(rate)}
    result["ratio"] = round(result["beltwatch"]["per_second"] / result["medallion"]["per_second"], 1)
    print(f"beltwatch serves {result['ratio']} times as many objects a second as medallion")
    print(json.dumps(result))


main()
