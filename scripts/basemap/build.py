#!/usr/bin/env python3
"""Regenerate the dashboard's basemap: data/basemap/countries.geojson and
data/basemap/seats.geojson.

Sources:
- countries: the npm package world-atlas (Natural Earth 4.1.0 1:50m, public domain;
  package ISC), cut to the region's bounding box;
- province seats: the provinces of data/gazetteer/places.tsv (GeoNames, CC BY 4.0), as
  labelled points, since no free province outlines come from the registries.

Usage:
    npm install --prefix /tmp/wa world-atlas@2.0.2
    python3 scripts/basemap/build.py /tmp/wa/node_modules/world-atlas/countries-50m.json

Coordinates are rounded to 3 decimals (about 100 m). Standard library only.
"""
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "borders"))
from build import decode_arcs, ring_coords  # noqa: E402  (the border script's TopoJSON decoding)

# The region the dashboard shows: Iran to western China, the Caspian to northern India.
WEST, SOUTH, EAST, NORTH = 40.0, 20.0, 95.0, 56.0


def touches(rings):
    return any(WEST <= x <= EAST and SOUTH <= y <= NORTH for ring in rings for x, y in ring)


def rounded(ring):
    out = []
    for x, y in ring:
        point = [round(x, 3), round(y, 3)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def main():
    topo = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    features = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if kind == "MultiPolygon" else [geometry["arcs"]]
        kept = []
        for polygon in polygons:
            rings = [ring_coords(arcs, ring) for ring in polygon]
            if touches(rings):
                kept.append([rounded(r) for r in rings if len(r) >= 4])
        if kept:
            features.append({
                "type": "Feature",
                "properties": {"name": geometry.get("properties", {}).get("name", ""), "id": geometry.get("id")},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            })
    countries = {"type": "FeatureCollection", "features": features}
    (ROOT / "data" / "basemap" / "countries.geojson").write_text(
        json.dumps(countries, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    seats = []
    with open(ROOT / "data" / "gazetteer" / "places.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            lon, lat = float(row["lon"]), float(row["lat"])
            if row["kind"] == "province" and WEST <= lon <= EAST and SOUTH <= lat <= NORTH:
                russian = next((n for n in row["alternate_names"].split("|") if any("а" <= c <= "я" for c in n.lower())), "")
                seats.append({
                    "type": "Feature",
                    "properties": {"name": row["name"], "name_ru": russian, "country": row["country"]},
                    "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
                })
    (ROOT / "data" / "basemap" / "seats.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": seats}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8")
    print(f"{len(features)} countries, {len(seats)} province seats")


main()
