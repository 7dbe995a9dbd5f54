"""Second-level divisions (districts, counties) for places.tsv, from Who's On First.

Used by build.py (`--wof DIR`); standard library only. Who's On First (WOF) keeps one
GeoJSON file per place in a repository per country; this module reads the `county`
records (WOF's name for second-level divisions: Afghan woluswalis, Tajik and Kyrgyz
nohiya/raions, Pakistani districts, Iranian shahrestans) and their `region` parents.

Each row's point is WOF's label centroid (`lbl:longitude`/`lbl:latitude`, a point inside
the polygon computed by mapshaper), or the polygon's centroid (`geom:*`) where a record
has no label point. Names: the WOF name, its English names, and its Russian names (plus
Tajik names for TJ, Kyrgyz for KG) -- each alternate kept only if it spells the same name
(`same_name`): WOF's name lists carry mistakes (Charsadda with the Russian name of
Peshawar, Kuf Ab with the English name of Khwahan), and a wrong alternate is a false place
in every report that names the other one.

Nothing here is guessed: every row is a WOF record; the tables below only add spelling
variants of names and map WOF's regions onto the provinces of places.tsv.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

# The WOF repositories read, with the commits the data were taken from.
WOF_REPOS = {
    "AF": ("whosonfirst-data/whosonfirst-data-admin-af", "948432c281d6d8b4d3994ce3b938e82b775d9078"),
    "TJ": ("whosonfirst-data/whosonfirst-data-admin-tj", "2f44379f3dbcec41293ae033d15f55535d5da054"),
    "KG": ("whosonfirst-data/whosonfirst-data-admin-kg", "8d126343dd9220dc59f0cc5ef214781d484acd84"),
    "PK": ("whosonfirst-data/whosonfirst-data-admin-pk", "c2e513fafbf0def04ca4b89c421a5b79fa0bb2ec"),
    "IR": ("whosonfirst-data/whosonfirst-data-admin-ir", "3374f3dc7f5fa134d1494a066006167db5c67c14"),
}

# WOF region name -> (country, GeoNames admin1 code of the province in places.tsv).
# Only these regions' districts are taken: every region of AF, TJ and KG; the Pakistani
# provinces on the Afghan border (the former FATA agencies are districts of Khyber
# Pakhtunkhwa in WOF, as they have been since 2018) and Gilgit-Baltistan; Iran's
# provinces on the Afghan border.
REGIONS = {
    "AF": {
        "Badakhshan": "01", "Badghis": "02", "Baghlan": "03", "Bamian": "05", "Farah": "06",
        "Faryab": "07", "Ghazni": "08", "Ghowr": "09", "Helmand": "10", "Herat": "11",
        "Kabul": "13", "Kapisa": "14", "Lowgar": "17", "Nangarhar": "18", "Nimruz": "19",
        "Kandahar": "23", "Konduz": "24", "Takhar": "26", "Wardak": "27", "Zabol": "28",
        "Paktika": "29", "Balkh": "30", "Jowzjan": "31", "Samangan": "32", "Sar-e Pol": "33",
        "Kunar": "34", "Laghman": "35", "Paktia": "36", "Khowst": "37", "Nurestan": "38",
        "Oruzgan": "39", "Parwan": "40", "Daikondi": "41", "Panjshir": "42",
    },
    "TJ": {
        "Gorno-Badakhshan": "01", "Khatlon": "02", "Leninabad": "03",
        "Tadzhikistan Territories": "RR",
    },
    "KG": {
        "Batken": "09", "Chuy": "02", "Ysyk-Köl": "07", "Jalal-Abad": "03", "Naryn": "04",
        "Osh": "08", "Talas": "06",
    },
    "PK": {"Khyber Pakhtunkhwa": "03", "Balochistan": "02", "Gilgit-Baltistan": "07"},
    "IR": {"Sistan and Baluchestan": "04", "Razavi Khorasan": "42", "South Khorasan": "41"},
}

# Cyrillic names of other languages kept besides Russian, per country.
EXTRA_CYRILLIC = {"TJ": ["tgk"], "KG": ["kir"]}

# The word a row's English name ends in.
SUFFIX = {"IR": "County"}

# WOF districts that share a name with a curated.tsv district in their province but are
# other districts: Reg (Khanashin) in Helmand is not Dishu, whose other name is Reg(istan).
NOT_CURATED_TWINS = {1108562407}

# Extra names for WOF districts (WOF id -> (English name to use instead of WOF's, or
# None; extra names)): current names of renamed districts, the spellings English and
# Russian reports use, former names. Source: the districts' articles in the English and
# Russian Wikipedia, and press usage.
DISTRICT_NAMES: dict[int, tuple[str | None, list[str]]] = {
    # Tajikistan: districts renamed since WOF's 2014 list.
    1091917913: ("Shamsiddin Shohin", ["Shuroobod", "Shurobod", "Shuroabad", "Shamsiddin Shohin District",
                                       "Шамсиддин Шохин", "Шуроабад", "Шурообод", "Шамсиддиншохинский район",
                                       "Шуроабадский район"]),
    1091917135: ("Jayhun", ["Qumsangir", "Kumsangir", "Jayhun District", "Джайхун", "Кумсангир",
                            "Джайхунский район", "Кумсангирский район"]),
    1091917079: ("Jaloliddini Balkhi", ["Jaloliddini Rumi", "Jaloliddin Balkhi", "Rumi District",
                                        "Kolkhozobod", "Джалолиддини Балхи", "Колхозабад",
                                        "Румийский район"]),
    1091917249: ("Hamadoni", ["Mir Said Ali Hamadoni", "Moskovsky District", "Хамадони",
                              "Хамадонийский район", "Московский район"]),
    1091691579: ("Moskovsky", ["Московский район"]),
    1108692291: ("Malakand", ["Malakand Agency"]),
    1091917957: ("Temurmalik", ["Sovetsky District", "Темурмалик", "Темурмаликский район",
                                "Советский район"]),
    1091917547: (None, ["Pyanj", "Pyandzh", "Пяндж", "Пянджский район"]),
    1091917463: (None, ["Parkhar", "Фархор", "Фархорский район"]),
    1091917765: (None, ["Shaartuz", "Шаартуз", "Шахритус", "Шаартузский район"]),
    1091916975: (None, ["Kabodiyon", "Qabodiyon", "Кабодиён", "Кубодиён", "Кабодиёнский район"]),
    1091918261: (None, ["Vose'", "Восе", "Восейский район"]),
    1091917109: (None, ["Kulyab", "Куляб", "Кулоб", "Кулябский район"]),
    1091917295: (None, ["Muminabad", "Муминабад", "Муминабадский район"]),
    1091916813: (None, ["Ховалинг", "Ховалингский район"]),
    1091916409: (None, ["Baljuvan", "Бальджуван", "Бальджуванский район"]),
    1091916489: (None, ["Dangara", "Дангара", "Дангаринский район"]),
    1091916705: (None, ["Khurason", "Ghozimalik", "Хуросон", "Хуросонский район"]),
    1091916897: (None, ["Jilikul", "Джиликуль", "Джиликульский район"]),
    1091918141: (None, ["Вахш", "Вахшский район"]),
    1091918301: (None, ["Yavan", "Яван", "Яванский район"]),
    1091917021: (None, ["Darvaz", "Дарваз", "Дарвазский район"]),
    1091918175: (None, ["Vanch", "Ванч", "Ванчский район"]),
    1091917707: (None, ["Rushan", "Рушан", "Рушанский район"]),
    1091917883: (None, ["Shugnan", "Shughnan", "Шугнан", "Шугнанский район"]),
    1091917661: (None, ["Roshtkala", "Рошткала", "Рошткалинский район"]),
    1091916859: (None, ["Ishkashim", "Ишкашим", "Ишкашимский район"]),
    1091917339: (None, ["Murgab", "Мургаб", "Мургабский район"]),
    1091918381: (None, ["Рудаки", "Рудакийский район", "Leninsky District", "Ленинский район"]),
    1091916749: (None, ["Hisor", "Gissar", "Гиссар", "Гиссарский район"]),
    1091917077: (None, ["Vakhdat", "Вахдат", "Вахдатский район"]),
    1091916659: (None, ["Gharm", "Рашт", "Гарм", "Раштский район"]),
    1091917993: (None, ["Тавильдара", "Тавильдаринский район"]),
    1091916939: (None, ["Jirgatal", "Джиргаталь", "Джиргатальский район"]),
    # Afghanistan: the press spellings of districts on the borders and in the south.
    1108562291: (None, ["Musa Qaleh", "Мусакала"]),
    1108562295: (None, ["Nad-e Ali", "Nad-i-Ali", "Nad-e-Ali", "Nadali", "Над-Али", "Над Али"]),
    1108562019: (None, ["Garmsir", "Garmsir District", "Гармсир"]),
    1108562407: ("Reg", ["Khanashin", "Khan Neshin", "Khanneshin", "Ханешин"]),
}

# Names a district is not given on its own (without "District"/"County"): ordinary
# English words and personal names that are also district names here, found by checking
# every bare name against an English word list (Debian `wamerican` 2020.12.07) and by
# reading the list. "Panfilov" and "Manas" are people as often as places.
BARE_NAME_STOPLIST = set("""
tank kot chal dara khash obe bangi shamal omna salang nesh farsi khost andar
gomal karak jam aksy alai chui chuy ton tong tup manas panfilov moscow moskva sayyad sabri
saghar tani nari musayi dila kakar baharak azra burka zari marmul washer rudaki aini
танк бурка сабри рудаки айни манас панфилов москва
""".split())

# Countries whose districts are given under their full names only ("North Waziristan
# District", "Khyber Agency"), never bare: Pakistan's district names are also the names of
# tribes, valleys, rivers, passes and regions (the Mohmand and Orakzai tribes, the Kurram
# river, the Khyber Pass, Waziristan), and a report that names one of them bare is as
# often about the larger area. On the development set bare names cost two places that the
# gold set does not list ("near Angoor Adda in South Waziristan", "an ambush in North
# Waziristan" near Mir Ali): see data/gazetteer/README.md. A bare name that is also the
# name of a town in places.tsv is kept (build.py): the town is preferred for it, and the
# district gives way to its town of the same name.
FULL_NAMES_ONLY = {"PK"}

# Russian (and other Cyrillic) name parts that say what kind of division a name is.
_CYR_KIND_WORDS = re.compile(r"\b(район|району|уезд|шахрестан|этрап|область|округ|нохия|ноҳия)\b", re.IGNORECASE)
# Names of parts of a district (a jamoat is a Tajik rural municipality).
_PART_WORDS = re.compile(r"(ҷамоат|джамоат|jamoat|\bcity\b)", re.IGNORECASE)
_CYR_ADJ = re.compile(r"(ский|ская|ское|ской|ского|ский)$")
_LAT_KIND_WORDS = re.compile(r"\b(district|county|agency|tumani|etrap|rayon|woluswali|shahrestan)\b", re.IGNORECASE)

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ӯ": "u",
    "ү": "u", "ф": "f", "х": "kh", "ҳ": "h", "ц": "ts", "ч": "ch", "ҷ": "j", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}


def _translit(name: str) -> str:
    out = []
    for ch in name.lower():
        out.append(_CYR_TO_LAT.get(ch, ch))
    return "".join(out)


def skeleton(name: str) -> str:
    """A rough phonetic key: consonants in order, the first letter kept, after the usual
    Russian/English/Persian transcription differences are evened out ("Пяндж" and "Panj"
    are both `pnj`, "Чехбехар" and "Chabahar" `cbhr`)."""
    s = unicodedata.normalize("NFC", name)
    if re.search("[\u0400-\u04ff]", s):
        s = _CYR_KIND_WORDS.sub(" ", s)
        s = " ".join(_CYR_ADJ.sub("", w) for w in s.split())
        s = _translit(s)
    else:
        s = _LAT_KIND_WORDS.sub(" ", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z]", "", s)
    for a, b in (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("q", "k"),
                 ("ph", "f"), ("ts", "s"), ("sh", "s"), ("ch", "c"), ("w", "v"), ("y", "i"), ("x", "h")):
        s = s.replace(a, b)
    if not s:
        return ""
    rest = re.sub(r"[aeiou]", "", s[1:])
    s = s[0] + rest
    return re.sub(r"(.)\1+", r"\1", s)


def same_name(a: str, b: str) -> bool:
    """Whether two spellings (any script) plausibly write the same name."""
    ka, kb = skeleton(a), skeleton(b)
    if not ka or not kb:
        return False
    # Only whole names: a word of a longer name ("Murghab" of "Bala Murghab", "Гафуров" of
    # "Bobojon Ghafurov") is another place or a person.
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= 0.75 * len(long_) and SequenceMatcher(None, ka, kb).ratio() >= 0.75


def _cyrillic(s: str) -> bool:
    return bool(re.search("[\u0400-\u04ff]", s))


def _listed(p: dict, key: str) -> list[str]:
    v = p.get(key)
    if isinstance(v, str):
        return [v]
    return [x for x in (v or []) if isinstance(x, str)]


def _split_parenthesis(name: str) -> tuple[str, list[str]]:
    """"Ali Khail (Jaji)" -> ("Ali Khail", ["Jaji"])."""
    m = re.fullmatch(r"\s*(.*?)\s*\(\s*(.*?)\s*\)\s*", name)
    if m and m.group(1):
        return m.group(1), [m.group(2)] if m.group(2) else []
    return name.strip(), []


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s*-\s*", "-", name) if re.search(r"\w-\s|\s-\w", name) else name
    return re.sub(r"\s+", " ", name).strip()


def repo_commit(path: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def read_records(data_dir: Path, placetypes: tuple[str, ...]) -> dict[int, dict]:
    """The properties of every WOF record of these placetypes under `data_dir`. Only a
    file's head is read first: properties come before the geometry."""
    wanted = tuple(f'"wof:placetype":"{pt}"' for pt in placetypes)
    records = {}
    for f in sorted(data_dir.rglob("*.geojson")):
        if "-alt-" in f.name:
            continue
        with open(f, encoding="utf-8") as fh:
            head = fh.read(65536)
            if not any(w in head for w in wanted):
                continue
            text = head + fh.read()
        p = json.loads(text)["properties"]
        records[int(p["wof:id"])] = p
    return records


def current(p: dict) -> bool:
    return p.get("mz:is_current") == 1 and not p.get("edtf:deprecated") and not p.get("wof:superseded_by")


def district_rows(wof_dir: Path, province_names: dict[str, str], acceptable, merge_alternates, fmt_coord,
                  ascii_fold) -> list[dict]:
    """places.tsv rows (kind `district`) for the regions in REGIONS.

    `province_names` maps "CC.code" to the province names of places.tsv; the other
    arguments are build.py's name filter (`acceptable(alt, from_geonames=...)`), alternate
    merger and coordinate formatter."""
    rows = []
    for cc, (repo, pinned) in sorted(WOF_REPOS.items()):
        base = wof_dir / repo.split("/")[1]
        data = base / "data"
        if not data.is_dir():
            raise SystemExit(f"error: {data} not found (clone {repo} at {pinned} into {wof_dir})")
        got = repo_commit(base)
        if got is not None and got != pinned:
            print(f"warning: {repo} is at {got}, this script was written against {pinned}; output may differ",
                  file=sys.stderr)
        records = read_records(data, ("county", "region"))
        regions = {i: p for i, p in records.items() if p["wof:placetype"] == "region" and current(p)}
        by_name: dict[tuple[int, str], dict] = {}
        for wid, p in sorted(records.items()):
            if p["wof:placetype"] != "county" or not current(p):
                continue
            if p.get("wof:placetype_local") in ("city", "town"):
                continue  # cities of regional subordination: towns, in places.tsv already
            region = regions.get(p.get("wof:parent_id"))
            if region is None or region["wof:name"] not in REGIONS[cc]:
                continue
            key = (region["wof:id"], p["wof:name"].casefold())
            # Two counties of one name in one region (Pakistan's districts and the
            # former Frontier Regions beside them; a Kyrgyz district and its town): the
            # larger is the district.
            if key in by_name and by_name[key].get("geom:area", 0) >= p.get("geom:area", 0):
                continue
            by_name[key] = p
        for p in by_name.values():
            region = regions[p["wof:parent_id"]]
            admin1 = province_names[f"{cc}.{REGIONS[cc][region['wof:name']]}"]
            rows.append(_row(cc, p, admin1, acceptable, merge_alternates, fmt_coord))
    return rows


def _row(cc: str, p: dict, admin1: str, acceptable, merge_alternates, fmt_coord) -> dict:
    wid = int(p["wof:id"])
    wof_name, inner = _split_parenthesis(_clean(p["wof:name"]))
    override, extras = DISTRICT_NAMES.get(wid, (None, []))
    english = override or wof_name
    suffix = SUFFIX.get(cc, "District")
    name = f"{english} {suffix}"
    latin = [wof_name] + inner
    for key in ("name:eng_x_preferred", "name:eng_x_variant", "name:eng_x_colloquial",
                "label:eng_x_preferred_longname"):
        for n in _listed(p, key):
            outer, more = _split_parenthesis(_clean(n))
            latin.extend([outer] + more)
    cyrillic = []
    for lang in ["rus"] + EXTRA_CYRILLIC.get(cc, []):
        for key in (f"name:{lang}_x_preferred", f"name:{lang}_x_variant"):
            cyrillic.extend(_clean(n) for n in _listed(p, key) if _cyrillic(n))
    # Keep only spellings of the district's own name.
    refs = [wof_name, english] + inner
    latin = [n for n in latin if not _cyrillic(n) and any(same_name(n, r) for r in refs)]
    cyrillic = [n for n in cyrillic if any(same_name(n, r) for r in refs)]
    latin = [n for n in latin if not _PART_WORDS.search(n)]
    cyrillic = [n for n in cyrillic if not _PART_WORDS.search(n)]
    bare = [n for n in [english] + latin if not _LAT_KIND_WORDS.search(n)]
    bare = [n for n in bare if n.casefold() not in BARE_NAME_STOPLIST]
    bare_cyr = [n for n in cyrillic if not _CYR_KIND_WORDS.search(n)]
    bare_cyr = [n for n in bare_cyr if n.casefold() not in BARE_NAME_STOPLIST]
    held_back = []
    if cc in FULL_NAMES_ONLY:
        held_back, bare, bare_cyr = bare + bare_cyr, [], []
    with_kind = [n for n in latin + cyrillic if n not in bare and n not in bare_cyr]
    with_kind = [n for n in with_kind if _LAT_KIND_WORDS.search(n) or _CYR_KIND_WORDS.search(n)]
    for n in [english] + [wof_name] + inner:
        with_kind.append(f"{n} {suffix}")
    candidates = bare + bare_cyr + with_kind + extras
    alts = merge_alternates(name, candidates, [])
    lon = p.get("lbl:longitude", p.get("geom:longitude"))
    lat = p.get("lbl:latitude", p.get("geom:latitude"))
    return {
        "id": f"wof:{wid}",
        "name": name,
        "kind": "district",
        "country": cc,
        "lon": fmt_coord(float(lon)),
        "lat": fmt_coord(float(lat)),
        "population": "",
        "admin1": admin1,
        "alternate_names": alts,
        "_bare": [n.casefold() for n in bare + bare_cyr],
        "_held_back": held_back,
        "_names": [english, wof_name] + inner,
        "_area_km2": float(p.get("geom:area_square_m") or 0) / 1e6,
    }
