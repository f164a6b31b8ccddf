"""import_leisure on the generated demo season (loaded by the test database's demo load,
through the importer), on its extract, and on one named broken file per failure
(tests/data/leisure_*.csv, made by tests/data/make_leisure_files.py): each refused with its line,
its column and the fix, nothing saved."""
import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.importers.report import ImportFailed
from leisure.importers.catalogue import import_leisure
from leisure.models import Activity, ActivityCategory, Group, Season, TimeSlot

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/Montreal")
TABLES = ["leisure_season", "leisure_activitycategory", "leisure_activity", "leisure_group",
          "leisure_timeslot"]


def snapshot():
    state = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) "
                        f"FROM {table} t")
            state[table] = cur.fetchone()
    return state


def test_the_demo_season_is_loaded_through_the_importer():
    """data/pincourt/leisure-winter-2027-generated.csv: 11 groups, 12 lines (HPN-A has two
    slots), at the town's real places (values as written by data/pincourt/make_leisure.py)."""
    season = Season.objects.get(code="H2027")
    assert (season.name_fr, season.name_en) == ("Hiver 2027", "Winter 2027")
    assert (season.starts_on, season.ends_on) == (dt.date(2027, 1, 11), dt.date(2027, 3, 28))
    assert season.residents_from == dt.datetime(2026, 12, 8, 19, 0, tzinfo=TZ)
    assert season.everyone_from == dt.datetime(2026, 12, 10, 19, 0, tzinfo=TZ)
    assert season.closes_at == dt.datetime(2027, 1, 15, 23, 59, tzinfo=TZ)
    assert season.groups.count() == 11
    assert TimeSlot.objects.filter(group__season=season).count() == 12
    assert ActivityCategory.objects.filter(code__in=["glace", "sports", "plein-air", "camps"]
                                           ).count() == 4

    hockey = Group.objects.get(season=season, code="HPN-A")
    assert (hockey.place.source, hockey.place.source_id) == ("osm", "way/771153846")
    assert hockey.place.category.slug == "arena"
    assert [(s.rule, s.weekdays, s.start_time) for s in hockey.slots.order_by("start_time")] == [
        ("FREQ=WEEKLY;BYDAY=SA", [6], dt.time(12, 0)),
        ("FREQ=WEEKLY;BYDAY=WE", [3], dt.time(17, 30))]
    assert (hockey.fee_resident, hockey.fee_non_resident) == (Decimal("95.00"),
                                                              Decimal("142.50"))
    assert (hockey.age_min, hockey.age_max, hockey.age_on) == (5, 6, dt.date(2026, 12, 31))

    yoga = Group.objects.get(season=season, code="YOGA-A")
    assert yoga.place.name == "École primaire Edgewater" and yoga.room == "Gymnase"
    assert yoga.age_on == season.starts_on  # age_au empty: the season's first day
    assert yoga.slots.get().exceptions == [dt.date(2027, 3, 2)]  # spring break
    assert Group.objects.get(season=season, code="MARCHE55-A").counter_only
    level_2 = Group.objects.get(season=season, code="PAT2-A")
    assert level_2.prerequisite.code == "PATIN-1"
    assert level_2.prerequisite_note_fr == "Avoir réussi le niveau 1 de patin."
    snowshoe = Group.objects.get(season=season, code="RAQUETTE-A").slots.get()
    assert snowshoe.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU"


def test_the_same_file_again_changes_nothing(demo_dir):
    before = snapshot()
    report = import_leisure(demo_dir / "leisure-winter-2027-generated.csv", commit=True)
    assert (report.created, report.updated, report.retired) == (0, 0, 0)
    assert "Groupes : 0 créés, 0 mis à jour, 11 inchangés." in report.notes
    assert snapshot() == before


def test_a_partial_file_of_a_season_needs_force_then_retires_the_rest(data_dir):
    """leisure_extract.csv holds 4 of the season's 11 groups: as a new export of the season it
    would remove 7 (64 %, over the 30 % threshold)."""
    before = snapshot()
    with pytest.raises(ImportFailed) as err:
        import_leisure(data_dir / "leisure_extract.csv", commit=True)
    assert "--force" in str(err.value) and "7" in str(err.value)
    assert snapshot() == before

    report = import_leisure(data_dir / "leisure_extract.csv", commit=True, force=True)
    assert report.retired == 7
    assert sorted(Group.objects.filter(season__code="H2027").values_list("code", flat=True)) \
        == ["HPN-A", "KARATE-A", "MARCHE55-A", "PAT1-A"]


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        return reader.fieldnames, list(reader)


def _write(path, columns, rows, delimiter=";"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_new_export_updates_the_group_and_replaces_its_slots(demo_dir, tmp_path):
    columns, rows = _rows(demo_dir / "leisure-winter-2027-generated.csv")
    for row in rows:
        if row["groupe"] == "KARATE-A":
            row.update(tarif_resident="125,00", heure_debut="18h15", heure_fin="19h15",
                       rrule="RRULE:FREQ=WEEKLY;BYDAY=MO,WE")
    report = import_leisure(_write(tmp_path / "next.csv", columns, rows), commit=True)
    assert "Groupes : 0 créés, 1 mis à jour, 10 inchangés." in report.notes
    assert "Plages horaires : 1 créées, 0 mises à jour, 11 inchangées." in report.notes
    karate = Group.objects.get(season__code="H2027", code="KARATE-A")
    assert karate.fee_resident == Decimal("125.00")
    slot = karate.slots.get()
    assert (slot.rule, slot.start_time, slot.end_time) == (
        "FREQ=WEEKLY;BYDAY=MO,WE", dt.time(18, 15), dt.time(19, 15))


def test_a_comma_separated_file_with_an_upper_case_header(data_dir, tmp_path):
    columns, rows = _rows(data_dir / "leisure_extract.csv")
    for row in rows:
        row["saison"] = "TEST"
        row["tarif_resident"] = "1 234,50"
    path = _write(tmp_path / "comma.csv", [c.upper() for c in columns],
                  [{c.upper(): v for c, v in row.items()} for row in rows], delimiter=",")
    report = import_leisure(path, commit=True)
    assert "Groupes : 4 créés, 0 mis à jour, 0 inchangés." in report.notes
    assert Group.objects.get(season__code="TEST", code="PAT1-A").fee_resident == \
        Decimal("1234.50")


# (file, the words the message must hold: the line, the column and what to do)
BROKEN = [
    ("leisure_unknown_place.csv",
     ["ligne 5, lieu", "Centre communautaire de Pincourt", "osm:way/", "import_places"]),
    ("leisure_overlapping_slots.csv",
     ["ligne 5", "HPN-A", "ligne 3", "2027-01-16", "12:00–13:00", "12:30–13:30"]),
    ("leisure_bad_rrule.csv", ["ligne 5, rrule", "BYDAY=LU,ME", "MO, TU, WE, TH, FR, SA, SU"]),
    ("leisure_ages_reversed.csv", ["ligne 5, age_min, age_max", "12", "7", "age_min"]),
    ("leisure_duplicate_group_code.csv", ["ligne 6, groupe", "KARATE-A", "ligne 5", "code"]),
    ("leisure_windows1252.csv", ["UTF-8", "ligne 2", "CSV UTF-8"]),
]


@pytest.mark.parametrize(("name", "words"), BROKEN, ids=[name for name, _ in BROKEN])
def test_a_broken_file_is_refused_with_the_fix_and_nothing_saved(data_dir, name, words):
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("import_leisure", str(data_dir / name), "--commit", "--force")
    message = str(err.value)
    assert all(word in message for word in words), message
    assert "Rien n'a été enregistré" in message or "rien n'a été enregistré" in message
    assert snapshot() == before


def _one_change(data_dir, tmp_path, group, **changes):
    columns, rows = _rows(data_dir / "leisure_extract.csv")
    for row in rows:
        row["saison"] = "EDGE"
    next(r for r in rows if r["groupe"] == group).update(changes)
    return _write(tmp_path / "edge.csv", columns, rows)


EDGES = [
    ({"date_debut": "2027-01-12"}, "KARATE-A", ["ligne 5", "2027-01-12", "premier cours"]),
    ({"date_fin": "2027-04-30"}, "KARATE-A", ["ligne 5, date_debut, date_fin", "EDGE"]),
    ({"exceptions": "2027-03-02"}, "KARATE-A", ["ligne 5", "2027-03-02"]),
    ({"rrule": "FREQ=DAILY"}, "KARATE-A", ["ligne 5, rrule", "FREQ=WEEKLY"]),
    ({"rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301"}, "KARATE-A", ["ligne 5, rrule", "UNTIL"]),
    ({"rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=18"}, "KARATE-A", ["ligne 5, rrule", "BYHOUR"]),
    ({"heure_debut": "19:00", "heure_fin": "18:00"}, "KARATE-A", ["ligne 5", "19:00"]),
    ({"places": "0"}, "PAT1-A", ["ligne 2, places", "1", "500"]),
    ({"places": "10000"}, "PAT1-A", ["ligne 2, places", "500"]),
    ({"age_max": "150"}, "PAT1-A", ["ligne 2, age_max", "99"]),
    ({"tarif_resident": "1,234.50"}, "PAT1-A", ["ligne 2, tarif_resident", "1,234.50"]),
    ({"tarif_resident": "-5"}, "PAT1-A", ["ligne 2, tarif_resident"]),
    ({"tarif_non_resident": "20000"}, "PAT1-A", ["ligne 2, tarif_non_resident", "10000"]),
    ({"prealable": "NAGE-9"}, "PAT1-A", ["ligne 2, prealable", "NAGE-9"]),
    ({"saison_fin": "2026-01-01"}, "PAT1-A", ["ligne 2, saison_debut, saison_fin"]),
    ({"inscription_tous": "2026-12-01 19:00"}, "PAT1-A", ["ligne 2, inscription_residents"]),
    ({"inscription_fin": "2027-01-15"}, "PAT1-A", ["ligne 2, inscription_fin", "HH:MM"]),
    ({"saison_fr": "Hiver 27"}, "PAT1-A", ["ligne 3, saison", "EDGE", "ligne 2", "saison_fr"]),
    ({"activite_fr": "Hockey"}, "HPN-A", ["ligne 4", "HOCKEY-PN", "ligne 3", "activite_fr"]),
    ({"lieu": "Soccer"}, "PAT1-A", ["ligne 2, lieu", "Soccer", "osm:way/"]),
    ({"comptoir_seulement": "peut-être"}, "PAT1-A", ["ligne 2, comptoir_seulement", "oui"]),
]


@pytest.mark.parametrize(("changes", "group", "words"), EDGES,
                         ids=[",".join(c) + "=" + "|".join(c.values()) for c, *_ in EDGES])
def test_every_other_problem_is_refused_with_its_line_and_fix(data_dir, tmp_path, changes,
                                                              group, words):
    before = snapshot()
    path = _one_change(data_dir, tmp_path, group, **changes)
    with pytest.raises(ImportFailed) as err:
        import_leisure(path, commit=True)
    assert all(word in str(err.value) for word in words), str(err.value)
    assert snapshot() == before


def test_every_problem_of_a_file_is_listed_at_once(data_dir, tmp_path):
    columns, rows = _rows(data_dir / "leisure_extract.csv")
    rows[0]["places"] = "zéro"
    rows[3]["lieu"] = "Nulle part"
    with pytest.raises(ImportFailed) as err:
        import_leisure(_write(tmp_path / "two.csv", columns, rows))
    assert "2 problèmes" in str(err.value)
    assert "ligne 2, places" in str(err.value) and "ligne 5, lieu" in str(err.value)


def test_the_extract_into_an_empty_catalogue(data_dir):
    Group.objects.all().delete()
    Activity.objects.all().delete()
    report = import_leisure(data_dir / "leisure_extract.csv", commit=True)
    assert "Groupes : 4 créés, 0 mis à jour, 0 inchangés." in report.notes
    assert report.committed


def test_a_place_that_groups_meet_at_is_not_retired_by_a_place_import():
    """core.importers.sync: a newer extract without the rink would delete the place (PROTECT:
    the groups keep it); the import is refused, naming the groups, in a dry run as on commit."""
    from core.importers.report import ImportReport
    from core.importers.sync import Syncer
    from geo.models import Place

    rink = Place.objects.get(source="osm", source_id="way/771153846")
    for commit in (False, True):
        syncer = Syncer(Place.objects.filter(pk=rink.pk), "source_id", ImportReport(), "lieux",
                        force=True)
        with pytest.raises(ImportFailed) as err:
            syncer.finish(commit=commit)
        assert "groupes" in str(err.value) and "Hockey — pré-novice (HPN-A)" in str(err.value)
    assert Place.objects.filter(pk=rink.pk).exists()


def _registered(group, n):
    """`n` people registered in `group` (through the clerk's service: any window)."""
    from django.contrib.auth import get_user_model

    from citizens.models import HouseholdMember
    from leisure import services

    clerk = get_user_model().objects.create_user("desk@example.org", "desk@example.org", "x")
    for i in range(n):
        user = get_user_model().objects.create_user(f"p{i}@example.org", f"p{i}@example.org",
                                                    "x")
        born = group.age_on.replace(year=group.age_on.year - group.age_min - 1)
        member = HouseholdMember.objects.create(user=user, first_name=f"K{i}", last_name="T",
                                                birth_year=born.year, birth_date=born)
        services.register_for(clerk, member, group.pk)


def test_a_new_export_may_not_leave_registered_people_without_a_seat(demo_dir, tmp_path):
    """The leisure software's export lowers PAT1-A to 2 seats while 3 children are registered:
    refused, with the group, the numbers and the fix; nothing saved."""
    _registered(Group.objects.get(season__code="H2027", code="PAT1-A"), 3)
    columns, rows = _rows(demo_dir / "leisure-winter-2027-generated.csv")
    for row in rows:
        if row["groupe"] == "PAT1-A":
            row["places"] = "2"
    before = snapshot()
    with pytest.raises(ImportFailed) as err:
        import_leisure(_write(tmp_path / "fewer-seats.csv", columns, rows), commit=True)
    message = str(err.value)
    assert "PAT1-A" in message and "2" in message and "3" in message and "au moins 3" in message
    assert snapshot() == before


def test_a_new_export_may_not_retire_a_group_people_are_registered_in(data_dir):
    _registered(Group.objects.get(season__code="H2027", code="YOGA-A"), 1)
    before = snapshot()
    with pytest.raises(ImportFailed) as err:
        import_leisure(data_dir / "leisure_extract.csv", commit=True, force=True)
    assert "YOGA-A" in str(err.value)
    assert snapshot() == before
