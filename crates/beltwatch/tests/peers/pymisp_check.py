"""Loads beltwatch's MISP export with PyMISP and prints what PyMISP made of it, as JSON.

Usage: pymisp_check.py EXPORT.json

Every MISP event of the file's "response" list is loaded with MISPEvent.load, as a MISP
instance's PyMISP client would load it, then serialised again and loaded a second time
(what a MISP server does when the event is pushed to it). The summary names, per event,
its creator, distribution, tags, attributes, objects and galaxy clusters, so that the
Rust test can hold them against the store. Any exception fails the script.
"""

import json
import sys
import warnings

from pymisp import MISPEvent
from pymisp.abstract import describe_types


def summary(event: MISPEvent) -> dict:
    objects = []
    for obj in event.objects:
        relations = [a.object_relation for a in obj.attributes]
        carried = [a.value for a in obj.attributes if a.object_relation == "beltwatch-event-json"]
        objects.append(
            {
                "name": obj.name,
                "uuid": obj.uuid,
                "distribution": getattr(obj, "distribution", None),
                "relations": relations,
                # The id inside the event's own JSON, as PyMISP hands the value back.
                "event_json_id": json.loads(carried[0])["id"] if carried else None,
            }
        )
    clusters = [c.value for g in event.galaxies for c in g.clusters]
    sharing_group = getattr(event, "SharingGroup", None)
    return {
        "uuid": event.uuid,
        "info": event.info,
        "date": event.date.isoformat(),
        "distribution": event.distribution,
        "threat_level_id": event.threat_level_id,
        "analysis": event.analysis,
        "timestamp": int(event.timestamp.timestamp()),
        "orgc_uuid": event.Orgc.uuid,
        "orgc_name": event.Orgc.name,
        "sharing_group_uuid": getattr(sharing_group, "uuid", None),
        "tags": [t.name for t in event.tags],
        "attributes": [{"type": a.type, "category": a.category, "value": a.value} for a in event.attributes],
        "objects": objects,
        "galaxy_clusters": clusters,
    }


def invalid_pairs(event: dict) -> list:
    """Attributes whose type MISP does not allow in their category (PyMISP would quietly
    move them to the type's default category)."""
    mappings = describe_types["category_type_mappings"]
    attributes = list(event.get("Attribute", []))
    for obj in event.get("Object", []):
        attributes.extend(obj.get("Attribute", []))
    return [
        f"{a['type']} in {a['category']}"
        for a in attributes
        if a.get("category") and a["type"] not in mappings.get(a["category"], [])
    ]


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        export = json.load(f)
    items = export["response"]
    out = []
    invalid = sorted({pair for item in items for pair in invalid_pairs(item["Event"])})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for item in items:
            event = MISPEvent()
            event.load(item)
            again = MISPEvent()
            again.load(event.to_json())
            first, second = summary(event), summary(again)
            if first != second:
                raise SystemExit(f"event {event.uuid} changed when PyMISP wrote and read it again")
            out.append(first)
    print(
        json.dumps(
            {
                "events": len(out),
                "warnings": [str(w.message) for w in caught],
                "invalid_category_types": invalid,
                "items": out,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
