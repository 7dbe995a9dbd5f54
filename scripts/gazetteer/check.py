#!/usr/bin/env python3
"""Check data/gazetteer/places.tsv and data/gazetteer/curated.tsv (standard library only).

    python3 scripts/gazetteer/check.py            # prints counts, exits 1 on any error

Checks: header and field count of every line; no tab, newline or carriage return
inside a field (a TSV line with one would have the wrong field count); ids unique and
well formed (`geonames:`, `wof:`, `bw:`); kinds allowed; country codes upper-case alpha-2; lon/lat numeric, in range,
at most 4 decimals, and inside a box around the country for the countries of the belt
(catches swapped lon/lat); population an integer or empty; alternate names in Latin or
Cyrillic only, at least 3 characters, no duplicates, not equal to the name; the main
belt towns present with a Russian (Cyrillic) name.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "data" / "gazetteer"

PLACES_HEADER = ["id", "name", "kind", "country", "lon", "lat", "population", "admin1", "alternate_names"]
CURATED_HEADER = PLACES_HEADER + ["source"]
PLACES_KINDS = {"country", "province", "district", "populated_place"}
CURATED_KINDS = {"crossing", "bridge", "river_port", "river", "district", "area", "mountain", "populated_place"}

# (lon_min, lon_max, lat_min, lat_max) boxes; loose, meant to catch swapped coordinates.
BOXES = {
    "AF": (60.0, 75.0, 29.0, 39.0),
    "TJ": (67.3, 75.2, 36.6, 41.1),
    "UZ": (55.9, 73.2, 37.1, 45.6),
    "TM": (52.4, 66.7, 35.1, 42.8),
    "KG": (69.2, 80.3, 39.1, 43.3),
    "KZ": (46.4, 87.4, 40.5, 55.5),
    "PK": (60.8, 77.9, 23.6, 37.1),
    "IR": (44.0, 63.4, 25.0, 39.8),
    "CN": (73.4, 135.1, 18.1, 53.6),
}

# Towns the extractor must resolve, each with a Russian name: (country, any of these names).
MUST_HAVE = [
    ("TJ", ["Panj"]), ("TJ", ["Khorugh", "Khorog"]), ("UZ", ["Tirmiz", "Termez"]),
    ("AF", ["Kunduz"]), ("AF", ["Fayzabad", "Faizabad"]), ("AF", ["Mazār-e Sharīf", "Mazar-i-Sharif"]),
    ("TJ", ["Kŭlob", "Kulob"]), ("TJ", ["Bokhtar", "Qurghonteppa"]), ("TJ", ["Dushanbe"]),
    ("AF", ["Kabul"]), ("AF", ["Herāt", "Herat"]), ("TJ", ["Ishqoshim", "Ishkashim"]),
    ("AF", ["Ashkāsham", "Eshkashem"]), ("TJ", ["Murghob"]), ("TJ", ["Qalaikhumb", "Kalaikhumb"]),
    ("TJ", ["Vanj"]), ("TJ", ["Rŭshon", "Rushan"]), ("TJ", ["Shahritus", "Shaartuz"]),
    ("TJ", ["Farkhor"]),
]

CYRILLIC = re.compile("[\u0400-\u04FF]")


def script_ok(name: str) -> bool:
    scripts = set()
    for ch in name:
        if unicodedata.category(ch).startswith("L"):
            n = unicodedata.name(ch, "")
            if n.startswith("LATIN"):
                scripts.add("L")
            elif n.startswith("CYRILLIC"):
                scripts.add("C")
            elif n.startswith("MODIFIER LETTER"):
                continue
            else:
                return False
    return len(scripts) <= 1


def check_file(path: Path, header: list[str], kinds: set[str], errors: list[str]):
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    if "\r" in data:
        errors.append(f"{path.name}: contains a carriage return")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != header:
        errors.append(f"{path.name}: bad header {lines[0] if lines else ''!r}")
        return rows
    ids = set()
    for i, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            errors.append(f"{path.name}:{i}: {len(fields)} fields, want {len(header)}")
            continue
        r = dict(zip(header, fields))
        where = f"{path.name}:{i} {r['id']}"
        if not re.fullmatch(r"geonames:\d+|wof:\d+|bw:[a-z0-9][a-z0-9-]*", r["id"]):
            errors.append(f"{where}: bad id")
        if r["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(r["id"])
        if not r["name"] or r["name"] != r["name"].strip():
            errors.append(f"{where}: empty or padded name")
        if r["kind"] not in kinds:
            errors.append(f"{where}: kind {r['kind']!r}")
        if not re.fullmatch(r"[A-Z]{2}", r["country"]):
            errors.append(f"{where}: country {r['country']!r}")
        try:
            lon, lat = float(r["lon"]), float(r["lat"])
        except ValueError:
            errors.append(f"{where}: lon/lat not numeric")
            continue
        for v in (r["lon"], r["lat"]):
            if not re.fullmatch(r"-?\d+(\.\d{1,4})?", v):
                errors.append(f"{where}: coordinate {v!r} not plain decimal with <= 4 decimals")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors.append(f"{where}: lon/lat out of range")
        box = BOXES.get(r["country"])
        if box and not (box[0] <= lon <= box[1] and box[2] <= lat <= box[3]):
            errors.append(f"{where}: ({lon}, {lat}) outside {r['country']} box {box} (swapped?)")
        if r["population"] and not re.fullmatch(r"\d+", r["population"]):
            errors.append(f"{where}: population {r['population']!r}")
        alts = r["alternate_names"].split("|") if r["alternate_names"] else []
        seen = set()
        for a in alts:
            if len(a) < 3:
                errors.append(f"{where}: alternate {a!r} shorter than 3")
            if not script_ok(a):
                errors.append(f"{where}: alternate {a!r} not Latin or Cyrillic")
            if a.casefold() == r["name"].casefold():
                errors.append(f"{where}: alternate equals name")
            if a.casefold() in seen:
                errors.append(f"{where}: duplicate alternate {a!r}")
            if a != a.strip() or not a:
                errors.append(f"{where}: padded/empty alternate")
            seen.add(a.casefold())
        if r["kind"] == "province" and r["admin1"] != r["name"]:
            errors.append(f"{where}: province admin1 should be its own name")
        if r["kind"] == "country" and r["admin1"]:
            errors.append(f"{where}: country with admin1")
        if "source" in r and not r["source"]:
            errors.append(f"{where}: empty source")
        rows.append(r)
    return rows


def main() -> int:
    errors: list[str] = []
    places = check_file(ROOT / "places.tsv", PLACES_HEADER, PLACES_KINDS, errors)
    curated_path = ROOT / "curated.tsv"
    curated = check_file(curated_path, CURATED_HEADER, CURATED_KINDS, errors) if curated_path.exists() else []

    for label, rows in (("places.tsv", places), ("curated.tsv", curated)):
        print(f"{label}: {len(rows)} rows")
        c = Counter((r["kind"], r["country"]) for r in rows)
        by_kind = Counter(r["kind"] for r in rows)
        for kind in sorted(by_kind):
            per = ", ".join(f"{cc} {n}" for (k, cc), n in sorted(c.items()) if k == kind)
            if kind == "country":
                per = f"{by_kind[kind]} countries"
            print(f"  {kind}: {by_kind[kind]} ({per})")
        cyr = sum(1 for r in rows if CYRILLIC.search(r["alternate_names"]))
        print(f"  rows with a Cyrillic alternate: {cyr}")

    all_rows = places + curated
    for cc, names in MUST_HAVE:
        hits = [r for r in all_rows if r["country"] == cc and r["kind"] == "populated_place" and
                (r["name"] in names or any(a in names for a in r["alternate_names"].split("|")))]
        hits = [r for r in hits if r["name"] in names] or hits
        if not hits:
            errors.append(f"missing town {names[0]} ({cc})")
            continue
        r = hits[0]
        ru = [a for a in r["alternate_names"].split("|") if CYRILLIC.search(a)]
        if not ru:
            errors.append(f"town {r['name']} ({cc}) has no Cyrillic name")
        print(f"  ok {cc} {r['name']:<16} {r['lon']:>8} {r['lat']:>8}  {', '.join(ru[:4])}")

    # Every district lies in a province of places.tsv: its admin1 is that province's name.
    provinces = {(r["country"], r["name"]) for r in places if r["kind"] == "province"}
    for r in places:
        if r["kind"] == "district" and (r["country"], r["admin1"]) not in provinces:
            errors.append(f"places.tsv {r['id']}: district admin1 {r['admin1']!r} is no province of {r['country']}")
        if r["kind"] == "district" and not r["id"].startswith("wof:"):
            errors.append(f"places.tsv {r['id']}: district rows of places.tsv come from Who's On First")

    af = [r for r in all_rows if r["country"] == "AF"]
    bad = [r for r in af if not (60 <= float(r["lon"]) <= 75 and 29 <= float(r["lat"]) <= 39)]
    print(f"AF rows: {len(af)}, outside lon 60-75 / lat 29-39: {len(bad)}")

    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
