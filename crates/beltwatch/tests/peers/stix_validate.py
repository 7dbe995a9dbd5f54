"""Validates a STIX 2.1 bundle with the OASIS stix2-validator.

usage: stix_validate.py BUNDLE_FILE
Prints one JSON object: whether the bundle is valid, its errors and how many warnings.
"""

import json
import sys

from stix2validator import ValidationOptions, validate_file


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        count = len(json.load(f)["objects"])
    results = validate_file(sys.argv[1], ValidationOptions(version="2.1"))
    errors, warnings = [], 0
    for result in results.object_results:
        errors.extend(f"{result.object_id}: {e}" for e in result.errors)
        warnings += len(result.warnings)
    errors.extend(str(e) for e in getattr(results, "errors", []) or [])
    print(json.dumps({"valid": results.is_valid, "objects": count, "errors": errors,
                      "warnings": warnings}))


main()
