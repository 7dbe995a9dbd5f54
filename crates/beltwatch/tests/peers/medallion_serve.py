"""Runs the OASIS reference TAXII 2.1 server, medallion, on loopback with one collection
holding the objects of a STIX bundle.

usage: medallion_serve.py BUNDLE_FILE PORT USER PASSWORD COLLECTION_ID
Writes medallion's data and configuration beside the bundle, then serves until killed.
Each object is added one millisecond after the one before, in the bundle's order.
medallion 3.0 takes an object's `version` property for a timestamp, so it cannot hold
extension definitions (whose `version` is "1.0.0"): those stay out; the other objects
name the extension all the same.
"""

import datetime
import json
import os
import sys

from medallion import application_instance, register_blueprints, set_config


def main():
    bundle_file, port, user, password, collection = sys.argv[1:6]
    with open(bundle_file, encoding="utf-8") as f:
        objects = [o for o in json.load(f)["objects"] if o["type"] != "extension-definition"]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    manifest = []
    for i, obj in enumerate(objects):
        added = (start + datetime.timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        manifest.append({
            "id": obj["id"],
            "date_added": added,
            "version": obj.get("modified", obj.get("created", added)),
            "media_type": "application/stix+json;version=2.1",
        })
    base = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {"title": "medallion", "description": "reference server", "default": f"{base}/api1/",
                       "api_roots": [f"{base}/api1/"]},
        "api1": {
            "information": {"title": "api1", "versions": ["application/taxii+json;version=2.1"],
                            "max_content_length": 104857600},
            "status": [],
            "collections": [{
                "id": collection, "title": "events", "can_read": True, "can_write": True,
                "media_types": ["application/stix+json;version=2.1"], "objects": objects, "manifest": manifest,
            }],
        },
    }
    data_file = os.path.join(os.path.dirname(os.path.abspath(bundle_file)), "medallion-data.json")
    with open(data_file, "w", encoding="utf-8") as f:
        json.dump(data, f)
    config = {
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": data_file},
        "users": {user: password},
        "taxii": {"max_page_size": 1000},
    }
    set_config(application_instance, "users", config)
    set_config(application_instance, "taxii", config)
    set_config(application_instance, "backend", config)
    register_blueprints(application_instance)
    print(f"medallion listening on {base}", flush=True)
    application_instance.run(host="127.0.0.1", port=int(port), threaded=True)


main()
