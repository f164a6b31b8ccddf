"""The MAMH roll importer on an extract of the demo roll and on one named broken file each."""
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.importers.report import ImportFailed
from properties.importers.roll import import_roll
from properties.models import CivicAddress, Property, RollEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("extract_is_the_current_roll")]


def _units(path):
    """Read the file with ElementTree, independently of the importer."""
    out = {}
    for ue in ET.parse(path).getroot().iter("RLUEx"):
        m = ue.find("RL0104")
        key = "-".join(m.findtext(f"RL0104{c}") for c in "ABCDEF")
        out[key] = ue
    return out


def _snapshot():
    return (Property.objects.count(), RollEntry.objects.count(), CivicAddress.objects.count(),
            sorted(RollEntry.objects.values_list("pk", "total_value")))


def test_import_creates_units_with_the_roll_values(data_dir):
    units = _units(data_dir / "roll_small.xml")
    Property.objects.filter(matricule__in=units).delete()
    report = import_roll(data_dir / "roll_small.xml", commit=True)
    assert (report.created, report.updated, report.skipped) == (5, 0, [])
    for matricule, ue in units.items():
        entry = RollEntry.objects.get(property__matricule=matricule, roll_year=2026)
        assert entry.land_value == int(ue.findtext("RL0402A"))
        assert entry.building_value == int(ue.findtext("RL0403A"))
        assert entry.total_value == int(ue.findtext("RL0404A"))
        assert entry.previous_total_value == int(ue.findtext("RL0405A"))
        assert entry.lot_area == Decimal(ue.findtext("RL0302A"))
        assert entry.year_built == int(ue.findtext("RL0307A"))
        assert entry.use_code == ue.findtext("RL0105A")
        prop = entry.property
        lot = ue.findtext("RL0103/RL0103x/RL0103Ax").replace(" ", "")
        assert prop.lots == [lot]
        assert prop.parcel is not None, "linked to its parcel by lot number"
        assert prop.address_point is not None, "linked to its address point by civic address"
        assert prop.addresses.get().civic_number == ue.findtext("RL0101/RL0101x/RL0101Ax")


def test_reimport_is_an_upsert(data_dir):
    before = _snapshot()
    report = import_roll(data_dir / "roll_small.xml", commit=True)
    assert (report.created, report.updated) == (0, 5)
    assert _snapshot()[:3] == before[:3]


def test_dry_run_reports_but_saves_nothing(data_dir):
    units = _units(data_dir / "roll_small.xml")
    Property.objects.filter(matricule__in=units).delete()
    before = _snapshot()
    report = import_roll(data_dir / "roll_small.xml")
    assert report.created == 5 and not report.committed
    assert _snapshot() == before


@pytest.mark.parametrize("name", ["roll_truncated.xml", "roll_malformed.xml", "roll_empty.xml",
                                  "roll_not_a_roll.xml"])
def test_broken_files_change_nothing(data_dir, name):
    units = _units(data_dir / "roll_small.xml")
    RollEntry.objects.filter(property__matricule__in=units).update(total_value=1)
    before = _snapshot()
    with pytest.raises(ImportFailed):
        import_roll(data_dir / name, commit=True)
    assert _snapshot() == before


def test_truncated_file_error_says_where(data_dir):
    with pytest.raises(ImportFailed) as err:
        import_roll(data_dir / "roll_truncated.xml", commit=True)
    assert "ligne" in str(err.value) or "line" in str(err.value)


def test_a_bad_unit_is_skipped_with_its_number_and_the_rest_imported(data_dir):
    report = import_roll(data_dir / "roll_bad_value.xml", commit=True)
    assert report.updated == 4
    [(ref, reason)] = report.skipped
    assert "1" in ref and "RL0404A" in reason


def test_unit_without_matricule_is_skipped(data_dir):
    report = import_roll(data_dir / "roll_no_matricule.xml", commit=True)
    assert report.updated == 4 and len(report.skipped) == 1


def test_demo_roll_reports_the_units_it_could_not_link(demo_dir):
    report = import_roll(demo_dir / "roll-2026-generated.xml")
    assert report.unlinked == 2  # the two units the generator made with no lot and no address
    assert "8999-99-0000-0-000-0000" in report.render()


def test_command_is_thin_and_speaks_french(data_dir):
    with pytest.raises(CommandError) as err:
        call_command("import_roll", str(data_dir / "roll_truncated.xml"), "--commit")
    assert "ligne" in str(err.value)


def test_a_matricule_twice_keeps_the_first_and_reports_the_second(data_dir):
    report = import_roll(data_dir / "roll_duplicate_matricule.xml", commit=True)
    assert report.updated == 5
    [(ref, reason)] = report.skipped
    assert ref == "unité 6" and "deux fois" in reason


@pytest.mark.parametrize("chunk", [1, 2, 4])
def test_chunks_give_the_same_report_as_one_chunk(data_dir, monkeypatch, chunk):
    """Units are copied into the staging table CHUNK_UNITS lines per write: a matricule in
    an earlier write is still a duplicate, and the counts, skips and notes are those of one
    write."""
    from properties.importers import roll

    reports = []
    for size in (10_000, chunk):
        monkeypatch.setattr(roll, "CHUNK_UNITS", size)
        reports.append(import_roll(data_dir / "roll_duplicate_matricule.xml"))
    whole, chunked = reports
    assert (chunked.created, chunked.updated, chunked.unlinked) == (
        whole.created, whole.updated, whole.unlinked)
    assert chunked.skipped == whole.skipped and len(chunked.skipped) == 1
    assert chunked.notes == whole.notes


def test_small_chunks_import_every_unit(data_dir, monkeypatch):
    from properties.importers import roll

    monkeypatch.setattr(roll, "CHUNK_UNITS", 2)
    units = _units(data_dir / "roll_small.xml")
    Property.objects.filter(matricule__in=units).delete()
    report = import_roll(data_dir / "roll_small.xml", commit=True)
    assert (report.created, report.updated, report.skipped) == (5, 0, [])
    for matricule in units:
        prop = Property.objects.get(matricule=matricule)
        assert prop.parcel is not None and prop.address_point is not None
        assert prop.roll_entries.filter(roll_year=2026).exists()


def test_a_broken_file_after_a_loaded_chunk_changes_nothing(data_dir, monkeypatch):
    from properties.importers import roll

    monkeypatch.setattr(roll, "CHUNK_UNITS", 1)
    before = _snapshot()
    with pytest.raises(ImportFailed):
        import_roll(data_dir / "roll_truncated.xml", commit=True)
    assert _snapshot() == before
