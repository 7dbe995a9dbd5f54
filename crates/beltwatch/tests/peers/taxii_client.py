"""Reads a beltwatch TAXII 2.1 server with the OASIS taxii2-client, then posts an envelope.

usage: taxii_client.py BASE_URL TOKEN ENVELOPE_FILE
Prints one JSON object: what discovery, the API root and the collection said, every
object id read page by page, the manifest's size, and the status of the post.
"""

import json
import sys

import requests
from taxii2client.v21 import Server, as_pages


class Bearer(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = "Bearer " + self.token
        return request


def main():
    base, token, envelope_file = sys.argv[1], sys.argv[2], sys.argv[3]
    auth = Bearer(token)
    server = Server(base + "/taxii2/", auth=auth)
    root = server.default
    collection = root.collections[0]
    ids, pages = [], 0
    for envelope in as_pages(collection.get_objects, per_request=25):
        pages += 1
        ids.extend(o["id"] for o in envelope.get("objects", []))
    manifest = collection.get_manifest()
    with open(envelope_file, encoding="utf-8") as f:
        envelope = json.load(f)
    status = collection.add_objects(envelope, wait_for_completion=False)
    one = ids[0] if ids else None
    got = collection.get_object(one)["objects"][0]["id"] if one else None
    print(json.dumps({
        "title": server.title,
        "api_roots": [r.url for r in server.api_roots],
        "root_versions": root.versions,
        "collection": {"id": collection.id, "can_read": collection.can_read, "can_write": collection.can_write},
        "pages": pages,
        "ids": ids,
        "manifest_count": len(manifest.get("objects", [])),
        "get_object": got,
        "status": {
            "status": status.status,
            "total_count": status.total_count,
            "success_count": status.success_count,
            "failure_count": status.failure_count,
            "failures": status.failures,
        },
    }))


main()
