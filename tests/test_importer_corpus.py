"""Importers as safe as the web: every import command, given a bad file, exits with a message
that says what to fix, and leaves the database exactly as it was; a huge file is refused quickly
in bounded memory (read as a stream, never whole).

One named file per failure (tests/data/README.md says how each was derived), the huge ones made
at test time in tmp_path. "Unchanged" is checked on every table an importer writes, after the
demo's first good import (tests/conftest.py): row counts and an md5 of the rows, before and
after an attempt with --commit."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["properties_property", "properties_civicaddress", "properties_rollentry",
          "properties_parcel", "taxes_taxbill", "taxes_taxinstalment", "taxes_taxpayment",
          "geo_territory", "geo_place", "geo_street", "geo_addresspoint",
          "collections_schedule_zoneset", "collections_schedule_zone", "leisure_season",
          "leisure_activitycategory", "leisure_activity", "leisure_group", "leisure_timeslot"]
MAX_RSS_MB = 250
GB = 1 << 30


def snapshot():
    """Each table's row count and the md5 of all its rows, in id order."""
    state = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) "
                        f"FROM {table} t")
            state[table] = cur.fetchone()
    return state


# (command, file in tests/data, options, words the message must hold: what to fix)
ZONES = ["--stream", "garbage", "--name", "corpus"]
CASES = [
    # import_roll: a roll never has a DTD; no entity is expanded, nothing is fetched
    ("import_roll", "roll_entity_address.xml", [], ["DOCTYPE", "Rien n'a été enregistré"]),
    ("import_roll", "roll_xxe.xml", [], ["DOCTYPE", "Rien n'a été enregistré"]),
    ("import_roll", "roll_billion_laughs.xml", [], ["DOCTYPE", "Rien n'a été enregistré"]),
    ("import_roll", "roll_truncated.xml", [], ["XML", "ligne"]),
    ("import_roll", "roll_malformed.xml", [], ["XML", "ligne"]),
    ("import_roll", "roll_empty.xml", [], ["vide"]),
    ("import_roll", "roll_not_a_roll.xml", [], ["RLUEx"]),
    ("import_roll", "roll_no_municipality.xml", [], ["RLM01A"]),
    ("import_roll", "roll_other_municipality.xml", [], ["66023", "71100"]),
    # import_tax_accounts
    ("import_tax_accounts", "taxes_windows1252.csv", [], ["UTF-8", "CSV UTF-8"]),
    ("import_tax_accounts", "taxes_truncated.csv", [], ["tronqué", "ligne 24"]),
    ("import_tax_accounts", "taxes_unclosed_quote.csv", [], ["guillemet", "Ligne 8"]),
    ("import_tax_accounts", "taxes_empty.csv", [], ["vide"]),
    ("import_tax_accounts", "taxes_not_a_csv.csv", [], ["UTF-8"]),
    # the GIS importers
    ("import_places", "places_ring_3_points.geojson", ["--category", "park"],
     ["entité 2", "4 points"]),
    ("import_places", "places_mtm_without_crs.geojson", ["--category", "park"],
     ["--srid", "longitude"]),
    ("import_places", "places_out_of_range.geojson", ["--category", "park"],
     ["--srid", "longitude"]),
    ("import_places", "places_malformed.geojson", ["--category", "park"], ["lisible"]),
    ("import_places", "places_empty.geojson", ["--category", "park"], ["aucune entité"]),
    ("import_parcels", "places_ring_3_points.geojson", [], ["entité 2", "4 points"]),
    ("import_parcels", "places_mtm_without_crs.geojson", [], ["--srid"]),
    ("import_territory", "places_mtm_without_crs.geojson", ["--name", "Pincourt"], ["--srid"]),
    ("import_territory", "places_ring_3_points.geojson", ["--name", "Pincourt"],
     ["entité 2", "4 points"]),
    ("import_territory", "places_out_of_range.geojson", ["--name", "Pincourt"], ["--srid"]),
    ("import_osm", "places_mtm_without_crs.geojson", [], ["--srid"]),
    ("import_osm", "places_malformed.geojson", [], ["lisible"]),
    ("import_zones", "places_mtm_without_crs.geojson", ZONES, ["--srid"]),
    ("import_zones", "places_ring_3_points.geojson", ZONES, ["entité 2", "4 points"]),
    ("import_zones", "zones_malformed.geojson", ZONES, ["lisible"]),
    # import_leisure: each problem named with its line, its column and the fix
    ("import_leisure", "leisure_unknown_place.csv", [], ["ligne 5, lieu", "import_places"]),
    ("import_leisure", "leisure_overlapping_slots.csv", [], ["ligne 5", "chevauche"]),
    ("import_leisure", "leisure_bad_rrule.csv", [], ["ligne 5, rrule", "BYDAY=LU,ME"]),
    ("import_leisure", "leisure_ages_reversed.csv", [], ["ligne 5, age_min", "inversés"]),
    ("import_leisure", "leisure_duplicate_group_code.csv", [], ["ligne 6, groupe", "KARATE-A"]),
    ("import_leisure", "leisure_windows1252.csv", [], ["UTF-8", "CSV UTF-8"]),
]


@pytest.mark.parametrize(("command", "name", "options", "words"), CASES,
                         ids=[f"{c}-{n}" for c, n, *_ in CASES])
def test_a_bad_file_is_refused_with_a_message_and_changes_nothing(data_dir, command, name,
                                                                  options, words):
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command(command, str(data_dir / name), *options, "--commit")
    message = str(err.value)
    assert all(word in message for word in words), message
    assert snapshot() == before


def test_places_with_an_id_twice_keep_the_first_and_report_the_second(data_dir):
    """places_duplicate_ids.geojson: features 1 and 2 have the same osm_id. The second used to
    overwrite the first (reported as "updated"); it is skipped and reported, like a lot twice in
    a parcels file or a zone code twice."""
    from geo.importers.places import import_places
    from geo.models import Place

    report = import_places(data_dir / "places_duplicate_ids.geojson", category="park",
                           id_field="osm_id", commit=True)
    assert (report.created, report.updated) == (2, 0)
    assert [ref for ref, _reason in report.skipped] == ["entité 2"]
    assert "way/51539336" in report.skipped[0][1]
    place = Place.objects.get(source="file:places_duplicate_ids.geojson",
                              source_id="way/51539336")
    assert place.name == "Parc Shamrock"


def test_a_latin1_tax_file_names_the_line_and_the_fix(data_dir):
    with pytest.raises(CommandError) as err:
        call_command("import_tax_accounts", str(data_dir / "taxes_windows1252.csv"))
    assert "ligne 6" in str(err.value)


def test_a_csv_field_longer_than_the_csv_module_allows_is_refused(tmp_path):
    path = tmp_path / "taxes_long_field.csv"
    path.write_text("matricule;annee;no_compte;type;date;montant;no_versement;reference;"
                    "taux_interet\n" + "x" * 200_000 + ";2026\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_tax_accounts", str(path), "--commit")
    assert "ligne 2" in str(err.value)
    assert snapshot() == before


# --- huge files: a subprocess each, its peak memory measured ------------------------------

def _huge(path: Path, head: bytes, size: int = GB, fill: bytes | None = None):
    """`head`, then `fill` repeated up to 8 MB (written), then a sparse hole up to `size`."""
    with open(path, "wb") as fh:
        fh.write(head)
        if fill:
            block = fill * max(1, (1 << 20) // len(fill))
            for _ in range(8):
                fh.write(block)
        fh.truncate(size)
    return path


# Run by a small launcher: a process forked from pytest's starts with pytest's memory as its
# peak (Linux keeps the peak across exec); the launcher's child starts from the launcher's.
LAUNCHER = ("import resource, subprocess, sys\n"
            "code = subprocess.run([sys.executable, *sys.argv[1:]]).returncode\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "sys.stderr.write(f'\\nPEAK_RSS_KB {peak}\\n')\n"
            "sys.exit(code)\n")


def _run(tmp_path, command, path, *options):
    """Run the command in a process of its own on the test database: (exit code, stderr, its
    peak RSS in MB, seconds)."""
    settings = connection.settings_dict
    env = dict(os.environ, DATABASE_URL=(
        f"postgis://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, "manage.py", command, str(path),
                           *options, "--commit"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    seconds = time.monotonic() - start
    stderr, _, peak = proc.stderr.rpartition("PEAK_RSS_KB ")
    return proc.returncode, stderr, int(peak) / 1024, seconds


# (command, file name, options, how the file is made, words of the message)
HUGE = [
    ("import_roll", "roll.xml", [],
     {"head": b"<?xml version='1.0'?>\n<RL><RLM01A>71100</RLM01A><RLM02A>2026</RLM02A>",
      "fill": b"<RL0101/>"}, ["RLUEx"]),  # elements, never a unit: used to take 30x their size
    ("import_roll", "roll_text.xml", [],
     {"head": b"<RL><RLM01A>71100</RLM01A><RLM02A>2026</RLM02A><RLUEx><RL0101Gx>",
      "fill": b"x"}, ["RLUEx"]),  # one text node, stopped before libxml2's 10 MB limit
    ("import_roll", "roll_zeros.xml", [], {"head": b""}, ["XML"]),  # a sparse file: NUL bytes
    ("import_tax_accounts", "taxes_zeros.csv", [], {"head": b""}, ["UTF-8"]),
    ("import_tax_accounts", "taxes_garbage.csv", [],
     {"head": b"matricule;annee;no_compte;type;date;montant;no_versement;reference;"
              b"taux_interet\n", "fill": b"garbage;line;of;a;file;that;is;not;it\n"},
     ["1000"]),
    ("import_places", "places.geojson", ["--category", "park"], {"head": b""}, ["lisible"]),
    ("import_places", "places.csv", ["--category", "park"],
     {"head": b"lon,lat,name\n", "fill": b"garbage,more garbage,and more\n"},
     ["géométrie"]),
    ("import_parcels", "parcels.geojson", [],
     {"head": b'{"type": "FeatureCollection", "features": [', "fill": b" "}, ["lisible"]),
    ("import_territory", "territory.gpkg", ["--name", "Pincourt"], {"head": b""}, ["lisible"]),
    ("import_osm", "osm.geojson", [], {"head": b"\x00"}, ["lisible"]),
    ("import_zones", "zones.geojson", ZONES, {"head": b"{"}, ["lisible"]),
    ("import_leisure", "leisure_zeros.csv", [], {"head": b""}, ["UTF-8"]),
    ("import_leisure", "leisure_garbage.csv", [],
     {"head": b"saison;saison_fr;saison_debut;saison_fin;inscription_residents;inscription_tous;"
              b"inscription_fin;categorie;categorie_fr;activite;activite_fr;groupe;lieu;"
              b"age_min;age_max;places;tarif_resident;tarif_non_resident;rrule;date_debut;"
              b"date_fin;heure_debut;heure_fin\n", "fill": b"garbage;line;of;a;file\n"},
     ["10000"]),
]


@pytest.mark.parametrize(("command", "name", "options", "make", "words"), HUGE,
                         ids=[f"{c}-{n}" for c, n, *_ in HUGE])
def test_a_1_gb_bad_file_is_refused_quickly_in_bounded_memory(tmp_path, command, name, options,
                                                              make, words):
    """The test database is the session's (committed demo), read by a second process: the
    refused import must leave it as it was, seen from here too."""
    path = _huge(tmp_path / name, make["head"], fill=make.get("fill"))
    assert path.stat().st_size == GB
    before = snapshot()
    code, stderr, peak_mb, seconds = _run(tmp_path, command, path, *options)
    assert code != 0, stderr
    assert "Traceback" not in stderr, stderr
    assert all(word in stderr for word in words), stderr
    assert peak_mb < MAX_RSS_MB, f"{peak_mb:.0f} MB"
    assert seconds < 20, f"{seconds:.1f} s"
    assert snapshot() == before
    print(f"{command} {name}: {peak_mb:.0f} MB, {seconds:.1f} s")
