#!/usr/bin/env python3
"""beltwatch's real-report evaluation: split the local working set, score every set.

The real reports' texts are other people's work and stay in the git-ignored
testdata/eval/real/local/<batch>/{articles,gold}.jsonl. What is committed is
testdata/eval/real/manifest.jsonl (id, url, outlet, published, language, split) and the gold
annotations (testdata/eval/real/gold.jsonl), so that the same reports can be gathered again
and scored the same way.

  scripts/eval/real.py split            # local batches -> local/{working,heldback}/, manifest, gold
  scripts/eval/real.py restore          # re-gathered texts -> local/{working,heldback}/, using the
                                        # committed manifest and gold (neither is rewritten)
  scripts/eval/real.py score [SET...]   # dev, working, heldback, licensed (default: all there are)
        [--binary target/release/beltwatch] [--markdown] [--misses]

The split is fixed by a rule chosen before any tuning: a report is held back when the first
byte of the SHA-256 of its URL (or, without one, its id) is below 0x60 (3 in 8 reports).
Held-back reports are scored, never read while correcting the dictionaries.
"""

import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
REAL = os.path.join(ROOT, "testdata", "eval", "real")
LOCAL = os.path.join(REAL, "local")
FIELDS = ["categories", "actors", "locations", "location_countries", "quantities", "denials"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def held_back(article):
    key = (article.get("url") or article["id"]).encode("utf-8")
    return hashlib.sha256(key).digest()[0] < 0x60


def split():
    batches = sorted(
        d for d in os.listdir(LOCAL)
        if d not in ("working", "heldback") and os.path.isfile(os.path.join(LOCAL, d, "articles.jsonl"))
    )
    sets = {"working": ([], []), "heldback": ([], [])}
    manifest, all_gold, seen = [], [], set()
    for batch in batches:
        articles = read_jsonl(os.path.join(LOCAL, batch, "articles.jsonl"))
        gold = {g["id"]: g for g in read_jsonl(os.path.join(LOCAL, batch, "gold.jsonl"))}
        for article in articles:
            key = article.get("url") or article["id"]
            if key in seen:
                print(f"{batch}: {article['id']} repeats {key}; left out", file=sys.stderr)
                continue
            if article["id"] not in gold:
                print(f"{batch}: {article['id']} has no gold line; left out", file=sys.stderr)
                continue
            seen.add(key)
            which = "heldback" if held_back(article) else "working"
            sets[which][0].append(article)
            sets[which][1].append(gold[article["id"]])
            manifest.append({k: article.get(k) for k in ("id", "url", "outlet", "published", "language")} | {"split": which})
            all_gold.append(gold[article["id"]])
    for which, (articles, gold) in sets.items():
        write_jsonl(os.path.join(LOCAL, which, "articles.jsonl"), articles)
        write_jsonl(os.path.join(LOCAL, which, "gold.jsonl"), gold)
    write_jsonl(os.path.join(REAL, "manifest.jsonl"), manifest)
    write_jsonl(os.path.join(REAL, "gold.jsonl"), all_gold)
    for which, (articles, _) in sets.items():
        by_language = {}
        for a in articles:
            by_language[a["language"]] = by_language.get(a["language"], 0) + 1
        print(f"{which}: {len(articles)} reports {dict(sorted(by_language.items()))}")


def restore():
    """Place re-gathered texts under the committed split, with the committed gold."""
    manifest = {m["id"]: m for m in read_jsonl(os.path.join(REAL, "manifest.jsonl"))}
    gold = {g["id"]: g for g in read_jsonl(os.path.join(REAL, "gold.jsonl"))}
    batches = sorted(
        d for d in os.listdir(LOCAL)
        if d not in ("working", "heldback") and os.path.isfile(os.path.join(LOCAL, d, "articles.jsonl"))
    )
    found = {}
    for batch in batches:
        for line_no, article in enumerate(read_jsonl(os.path.join(LOCAL, batch, "articles.jsonl")), 1):
            entry = manifest.get(article.get("id"))
            if entry is None:
                print(f"{batch}/articles.jsonl:{line_no}: id {article.get('id')!r} is not in the manifest; left out", file=sys.stderr)
            elif not (article.get("text") or "").strip():
                print(f"{batch}/articles.jsonl:{line_no}: {entry['id']} has no text; left out", file=sys.stderr)
            else:
                found[entry["id"]] = article
    for which in ("working", "heldback"):
        ids = [i for i, m in manifest.items() if m["split"] == which and i in found]
        write_jsonl(os.path.join(LOCAL, which, "articles.jsonl"), [found[i] for i in ids])
        write_jsonl(os.path.join(LOCAL, which, "gold.jsonl"), [gold[i] for i in ids])
        wanted = sum(1 for m in manifest.values() if m["split"] == which)
        print(f"{which}: {len(ids)} of {wanted} reports restored")
    missing = sorted(set(manifest) - set(found))
    if missing:
        print(f"not gathered ({len(missing)}): {' '.join(missing)}", file=sys.stderr)


SETS = {
    "dev": os.path.join(ROOT, "testdata", "eval", "dev"),
    "working": os.path.join(LOCAL, "working"),
    "heldback": os.path.join(LOCAL, "heldback"),
    "licensed": os.path.join(REAL, "licensed"),
}


def score(names, binary, markdown, misses):
    for name in names:
        folder = SETS[name]
        articles, gold = os.path.join(folder, "articles.jsonl"), os.path.join(folder, "gold.jsonl")
        if not os.path.isfile(articles):
            print(f"{name}: {articles} is not there (run `split` after gathering)", file=sys.stderr)
            continue
        command = [binary, "eval", "--articles", articles, "--gold", gold, "--json"] + (["--misses"] if misses else [])
        report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        groups = [("all", report["overall"])] + sorted(report.get("by_language", {}).items())
        for language, s in groups:
            title = f"{name} / {language}: {s['documents']} reports"
            date = s["event_date"]
            if markdown:
                print(f"\n**{title}**\n\n| field | P | R | F1 |\n|---|---|---|---|")
                for field in FIELDS:
                    f = s[field]
                    print(f"| {field.replace('_', ' ')} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1']:.3f} |")
                print(f"| event date (accuracy) | | | {date['accuracy']:.3f} ({date['correct']}/{date['with_gold_date']}) |")
            else:
                cells = "  ".join(f"{field[:10]:>10} {s[field]['f1']:.3f}" for field in FIELDS)
                print(f"{title:<34} {cells}  {'date':>10} {date['accuracy']:.3f}")
        if misses:
            for m in report.get("misses", []):
                print(f"  {m['id']}  {m['field']:<11} {m['detail']}")


def main(argv):
    if not argv or argv[0] not in ("split", "restore", "score"):
        print(__doc__)
        return 2
    if argv[0] == "split":
        split()
        return 0
    if argv[0] == "restore":
        restore()
        return 0
    binary = os.path.join(ROOT, "target", "release", "beltwatch")
    names, markdown, misses = [], False, False
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--binary":
            binary = next(rest)
        elif arg == "--markdown":
            markdown = True
        elif arg == "--misses":
            misses = True
        elif arg in SETS:
            names.append(arg)
        else:
            print(f"unknown argument {arg!r}", file=sys.stderr)
            return 2
    score(names or list(SETS), binary, markdown, misses)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
