"""A value the roll reader accepts but the database refuses, in the middle of the file: the
import fails as a whole (ImportFailed with the database's reason), and the database is left
exactly as it was, whatever the import had already staged or written."""
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.importers.report import ImportFailed
from properties.importers.roll import import_roll
from properties.models import CivicAddress, Property, RollEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("extract_is_the_current_roll")]


def _state():
    """Every row the importer may write, with its values."""
    return (
        sorted((p.pk, p.matricule, p.municipality_code, tuple(p.lots),
                p.parcel.wkb.hex() if p.parcel else None,
                p.address_point.wkb.hex() if p.address_point else None)
               for p in Property.objects.all()),
        sorted(CivicAddress.objects.values_list("pk", "property_id", "label", "search_text")),
        sorted(RollEntry.objects.values_list("pk", "property_id", "roll_year", "total_value",
                                             "year_built")),
    )


def _no_staging_table_left():
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'roll\\_%%' "
                    "AND relpersistence = 't'")
        return cur.fetchone()[0] == 0


def test_a_value_the_database_refuses_in_mid_file_changes_nothing(data_dir):
    """roll_year_built_out_of_range.xml: the third of five units has a year built of 19951996
    (the reader drops the space as a thousands separator); the COPY into the staging table
    refuses it. The units before it were staged already; nothing may remain of them."""
    RollEntry.objects.filter(roll_year=2026).update(total_value=1)  # so an upsert would show
    before = _state()
    with pytest.raises(ImportFailed) as err:
        import_roll(data_dir / "roll_year_built_out_of_range.xml", commit=True)
    message = str(err.value)
    assert "3" in message and "19951996" in message, message  # the unit and its value
    assert _state() == before
    assert _no_staging_table_left()


def test_the_command_reports_the_refused_value(data_dir):
    with pytest.raises(CommandError) as err:
        call_command("import_roll", str(data_dir / "roll_year_built_out_of_range.xml"),
                     "--commit")
    assert "19951996" in str(err.value)


def test_a_refusal_after_properties_were_written_rolls_them_back(data_dir, tmp_path):
    """A new unit (its property inserted, then linked) and a changed address whose civic number
    is longer than the column holds: the database refuses it when the addresses are written,
    after the properties were inserted and updated. Nothing of it remains."""
    tree = ET.parse(data_dir / "roll_small.xml")
    units = tree.getroot().findall("RLUEx")
    new = ET.fromstring(ET.tostring(units[0]))
    new.find("RL0104/RL0104C").text = "9877"
    tree.getroot().insert(2, new)  # a new unit in mid-file
    units[3].find("RL0101/RL0101x/RL0101Ax").text = "12345678901"  # 11 digits: too long
    units[4].find("RL0404A").text = "1"  # a changed roll value, after the refused address
    path = tmp_path / "roll.xml"
    tree.write(path, encoding="UTF-8", xml_declaration=True)

    before = _state()
    with pytest.raises(ImportFailed) as err:
        import_roll(path, commit=True)
    assert "12345678901" in str(err.value) or "10" in str(err.value), str(err.value)
    assert _state() == before
    assert not Property.objects.filter(matricule__contains="-9877-").exists()
    assert _no_staging_table_left()


def test_a_dry_run_fails_the_same_way(data_dir):
    before = _state()
    with pytest.raises(ImportFailed):
        import_roll(data_dir / "roll_year_built_out_of_range.xml")
    assert _state() == before


def test_an_import_after_a_refused_one_works(data_dir):
    """The failed import leaves the connection usable and no staging table behind."""
    with pytest.raises(ImportFailed):
        import_roll(data_dir / "roll_year_built_out_of_range.xml", commit=True)
    report = import_roll(data_dir / "roll_small.xml", commit=True)
    assert (report.created + report.updated, report.skipped) == (5, [])
