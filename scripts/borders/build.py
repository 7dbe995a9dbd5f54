#!/usr/bin/env python3
"""Regenerate data/borders/borders.geojson from Natural Earth's 1:10m countries.

Source: the npm package world-atlas (Natural Earth 4.1.0, public domain; package ISC),
whose TopoJSON stores each stretch of border shared by two countries once, as an arc.
Usage:
    npm install --prefix /tmp/wa world-atlas@2.0.2
    python3 scripts/borders/build.py /tmp/wa/node_modules/world-atlas/countries-10m.json

Writes one feature per pair of neighbouring countries in the watched region, as a
MultiLineString oriented so that the pair's first country lies on the left of the line.
Standard library only.
"""
import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "data" / "borders" / "borders.geojson"

# ISO 3166 numeric (world-atlas ids) to alpha-2, for the countries of the region.
COUNTRIES = {
    "004": "AF", "762": "TJ", "860": "UZ", "795": "TM", "586": "PK", "364": "IR",
    "156": "CN", "417": "KG", "398": "KZ",
}
# Afghanistan first in its pairs; other pairs alphabetical.
def pair_order(a, b):
    if b == "AF" or (a != "AF" and b < a):
        return b, a
    return a, b


def decode_arcs(topo):
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_points(arcs, index):
    return arcs[index] if index >= 0 else list(reversed(arcs[~index]))


def rings_of(geometry):
    polys = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    for poly in polys:
        for ring in poly:
            yield ring


def ring_coords(arcs, ring):
    out = []
    for index in ring:
        pts = arc_points(arcs, index)
        out.extend(pts if not out else pts[1:])
    return out


def inside(point, rings):
    """Even-odd rule over all rings of a country."""
    x, y = point
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                hit = not hit
    return hit


def geodesic_km(line):
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(line, line[1:]):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        total += 2 * 6371.0088 * math.asin(math.sqrt(a))
    return total


def join(parts):
    """Joins lines that meet end to start into longer lines."""
    parts = [list(p) for p in parts]
    merged = True
    while merged:
        merged = False
        for i in range(len(parts)):
            for j in range(len(parts)):
                if i != j and parts[i][-1] == parts[j][0]:
                    parts[i] = parts[i] + parts[j][1:]
                    del parts[j]
                    merged = True
                    break
            if merged:
                break
    return parts


def main():
    topo = json.load(open(sys.argv[1]))
    arcs = decode_arcs(topo)
    users = {}  # arc -> [(alpha2, forward)]
    rings = {}
    for g in topo["objects"]["countries"]["geometries"]:
        code = COUNTRIES.get(g.get("id"))
        if code is None or g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        rings[code] = [ring_coords(arcs, r) for r in rings_of(g)]
        for ring in rings_of(g):
            for index in ring:
                users.setdefault(index if index >= 0 else ~index, []).append((code, index >= 0))
    pairs = {}
    for arc, who in users.items():
        if len(who) != 2 or who[0][0] == who[1][0]:
            continue
        first, second = pair_order(who[0][0], who[1][0])
        pts = [(round(x, 5), round(y, 5)) for x, y in arcs[arc]]
        # Orient with `first` on the left: test a point just left of the middle segment.
        i = len(pts) // 2 - 1 if len(pts) > 2 else 0
        (x1, y1), (x2, y2) = pts[i], pts[i + 1]
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1.0
        left = (mx - dy / norm * 0.01, my + dx / norm * 0.01)
        if not inside(left, rings[first]):
            pts.reverse()
        pairs.setdefault((first, second), []).append(pts)
    features = []
    for (first, second), parts in sorted(pairs.items()):
        parts = join(parts)
        km = sum(geodesic_km(p) for p in parts)
        print(f"{first}-{second}: {len(parts)} part(s), {km:.0f} km", file=sys.stderr)
        features.append({
            "type": "Feature",
            "properties": {"border": f"{first}-{second}", "left": first, "right": second},
            "geometry": {"type": "MultiLineString", "coordinates": [[list(p) for p in part] for part in parts]},
        })
    doc = {
        "type": "FeatureCollection",
        "source": "Natural Earth 4.1.0 1:10m admin-0 countries (public domain), via npm world-atlas 2.0.2",
        "features": features,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
