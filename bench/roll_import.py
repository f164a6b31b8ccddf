"""Roll importer throughput and peak memory.

`write_roll` stream-writes a MAMH XML roll (the format data/pincourt/make_demo.py writes) for the
synthetic town: one <RLUEx> per lot, same matricules, lots and addresses, roll year 2026, so the
import is the town's yearly roll update (units updated, a new RollEntry each, re-linked).
`run_import` runs properties.importers.roll.import_roll(path, commit=True) in a child process
(this file, `child` mode) and reads back its wall time and its own peak RSS (ru_maxrss)."""
import json
import random
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import benchdb
import synthetic_town as town

ROLL_YEAR = 2026
PREVIOUS_YEAR_GROWTH = 1.12


def write_roll(path: Path, n: int, seed: int = 2026) -> int:
    """Write the roll of the n-lot town unit by unit (never the whole tree in memory)."""
    lay = town.layout(n)
    rng = random.Random(seed)
    streets = {}
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  f"<!-- SYNTHETIC roll for the Guichet benchmark (bench/roll_import.py), "
                  f"{n} units. -->\n<RL>\n  <RLM01A>{town.MUNICIPALITY_CODE}</RLM01A>\n"
                  f"  <RLM02A>{ROLL_YEAR}</RLM02A>\n")
        for i in range(n):
            lot = town.lot(i, lay)
            if lot["h"] not in streets:
                s = town.street(lot["h"])
                streets[lot["h"]] = "".join(
                    f"        <RL0101{tag}x>{escape(s[key])}</RL0101{tag}x>\n"
                    for tag, key in (("E", "generic"), ("F", "link"), ("G", "name")) if s[key])
            digits = lot["lot"]
            year_built = rng.randint(1940, 2023)
            land = round(600 * rng.uniform(80, 120), -2)
            building = round(rng.uniform(100, 220) * 2000, -2)
            matricule = "".join(f"      <RL0104{tag}>{value}</RL0104{tag}>\n" for tag, value in
                                zip("ABCDEF", (*lot["matricule"], "000", "0000"), strict=True))
            out.write(
                "  <RLUEx>\n    <RL0101>\n      <RL0101x>\n"
                f"        <RL0101Ax>{lot['civic']}</RL0101Ax>\n{streets[lot['h']]}"
                "      </RL0101x>\n    </RL0101>\n    <RL0103>\n      <RL0103x>\n"
                f"        <RL0103Ax>{digits[0]} {digits[1:4]} {digits[4:]}</RL0103Ax>\n"
                "      </RL0103x>\n    </RL0103>\n"
                f"    <RL0104>\n{matricule}    </RL0104>\n"
                "    <RL0105A>1000</RL0105A>\n"
                f"    <RL0301A>{town.LOT_W:.2f}</RL0301A>\n"
                f"    <RL0302A>{town.LOT_W * town.LOT_D:.1f}</RL0302A>\n"
                f"    <RL0306A>{rng.choice((1, 1, 2))}</RL0306A>\n"
                f"    <RL0307A>{year_built}</RL0307A>\n"
                f"    <RL0307B>{'E' if year_built < 1950 else 'R'}</RL0307B>\n"
                f"    <RL0308A>{rng.uniform(90, 200):.1f}</RL0308A>\n"
                f"    <RL0311A>{rng.choice((1, 1, 1, 2, 3))}</RL0311A>\n"
                f"    <RL0402A>{land:.0f}</RL0402A>\n"
                f"    <RL0403A>{building:.0f}</RL0403A>\n"
                f"    <RL0404A>{land + building:.0f}</RL0404A>\n"
                "    <RL0401A>2024-07-01</RL0401A>\n"
                f"    <RL0405A>{(land + building) / PREVIOUS_YEAR_GROWTH:.0f}</RL0405A>\n"
                "  </RLUEx>\n")
        out.write("</RL>\n")
    return path.stat().st_size


def run_child(mode: str, path: Path, *extra) -> dict:
    """mode: `import` (commit), `parse` (iter_roll only, no database) or `profile` (cProfile of
    an import rolled back at the end). Returns the child's JSON report."""
    proc = subprocess.run([benchdb.PY, __file__, mode, str(Path(path).resolve()),
                           *map(str, extra)],
                          cwd=benchdb.ROOT, env=benchdb.django_env(), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"roll import child ({mode}) failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_imported(n: int) -> dict:
    with benchdb.connect() as conn:
        entries = conn.execute("SELECT count(*) FROM properties_rollentry WHERE roll_year = %s",
                               [ROLL_YEAR]).fetchone()[0]
        linked = conn.execute("SELECT count(*) FROM properties_property WHERE parcel IS NOT NULL "
                              "AND address_point IS NOT NULL").fetchone()[0]
    if entries != n:
        raise RuntimeError(f"roll import: {entries} roll entries for {ROLL_YEAR}, expected {n}")
    return {"entries": entries, "linked": linked}


def _child(argv):
    """Runs in the child process: Django set up on the bench database (DATABASE_URL)."""
    import os
    import resource
    import time

    sys.path.insert(0, str(benchdb.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from properties.importers.roll import import_roll
    from properties.importers.roll_xml import iter_roll

    def maxrss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    mode, path = argv[0], Path(argv[1])
    out = {"mode": mode, "rss_after_setup_mb": maxrss_mb()}
    started = time.perf_counter()
    if mode == "parse":
        out["units"] = sum(1 for _ in iter_roll(path, lambda c, y: None, lambda p, r: None))
    elif mode == "import":
        phases = _time_phases()
        report = import_roll(path, commit=True)
        out["phases_s"] = phases
        out.update(units=report.created + report.updated, created=report.created,
                   updated=report.updated, skipped=len(report.skipped), unlinked=report.unlinked)
    elif mode == "profile":
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        report = import_roll(path, commit=False)
        profiler.disable()
        out["units"] = report.created + report.updated
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(int(argv[2]) if len(argv) > 2 else 25)
        stats.sort_stats("cumulative").print_stats(int(argv[2]) if len(argv) > 2 else 25)
        out["profile"] = text.getvalue()
    else:
        raise SystemExit(f"unknown mode {mode}")
    out["seconds"] = time.perf_counter() - started
    out["maxrss_mb"] = maxrss_mb()
    out["units_per_s"] = out["units"] / out["seconds"] if out["seconds"] else 0
    print(json.dumps(out))


def _time_phases() -> dict:
    """Wall time per phase of import_roll, without a profiler, wrapped in this process only:
    `stage` is _stage (the XML read and copied into the staging table as it is read: the
    server parses the COPY alongside); `write` is _write (the set-based statements, once over
    the staging table: duplicates, look-ups, inserts and updates, links, report queries). The
    rest of import_roll is the staging table's creation and drop, and the commit."""
    from properties.importers import roll

    phases = {"stage": 0.0, "write": 0.0}
    roll._stage = benchdb.timed(phases, "stage", roll._stage)
    roll._write = benchdb.timed(phases, "write", roll._write)
    return phases


def reset(year: int = ROLL_YEAR):
    """Undo a committed bench import: its roll year's entries deleted, the table vacuumed (the
    import changes nothing else: the bench roll has the town's own lots and addresses)."""
    with benchdb.connect(autocommit=True) as conn:
        conn.execute("DELETE FROM properties_rollentry WHERE roll_year = %s", [year])
        conn.execute("VACUUM ANALYZE properties_rollentry")


def empty_town():
    """The town without its properties (their addresses, roll entries and what refers to them:
    the synthetic reports' followers and events), its parcels and address points kept: the
    roll's first import. Analysed, so that statistics say the tables are empty."""
    tables = "properties_rollentry, properties_civicaddress, properties_property"
    with benchdb.connect(autocommit=True) as conn:
        conn.execute(f"TRUNCATE {tables} CASCADE")
        conn.execute(f"ANALYZE {tables}")


if __name__ == "__main__":
    _child(sys.argv[1:])
