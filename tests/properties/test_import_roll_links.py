"""How the roll importer links units on a re-import: changed addresses, several lots, a lot with
no parcel, and values it must refuse. Each test edits a copy of the 5-unit extract; expected
geometries are computed with shapely from the stored parcels and points, not by the importer."""
import xml.etree.ElementTree as ET

import pytest
import shapely
from django.utils import translation
from django.utils.translation import gettext as _

from geo.models import AddressPoint
from properties.importers.roll import import_roll
from properties.models import CivicAddress, Parcel, Property

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("extract_is_the_current_roll")]


def _matricule(unit):
    return "-".join(unit.findtext(f"RL0104/RL0104{c}") for c in "ABCDEF")


def _lot(unit):
    return unit.findtext("RL0103/RL0103x/RL0103Ax").replace(" ", "")


def _edited(data_dir, tmp_path, edit):
    """A copy of roll_small.xml after edit(root, units); its path and the units."""
    tree = ET.parse(data_dir / "roll_small.xml")
    units = tree.getroot().findall("RLUEx")
    edit(tree.getroot(), units)
    path = tmp_path / "roll.xml"
    tree.write(path, encoding="UTF-8", xml_declaration=True)
    return path, units


def _note(report, msgid, n):
    with translation.override("fr"):
        return _(msgid) % {"n": n} in report.notes


def _shape(geom):
    return shapely.from_wkb(bytes(geom.wkb))


def _set_address(unit, number, street):
    group = unit.find("RL0101/RL0101x")
    for child in list(group):
        group.remove(child)
    ET.SubElement(group, "RL0101Ax").text = number
    ET.SubElement(group, "RL0101Gx").text = street


def test_a_changed_address_is_rewritten_and_linked_to_its_point(data_dir, tmp_path):
    import_roll(data_dir / "roll_small.xml", commit=True)  # the extract as it is, first
    before = dict(CivicAddress.objects.values_list("property__matricule", "pk"))
    units = ET.parse(data_dir / "roll_small.xml").getroot().findall("RLUEx")
    current = Property.objects.get(matricule=_matricule(units[0])).address_point
    point = AddressPoint.objects.exclude(geom=current).exclude(street="").order_by("pk").first()

    path, units = _edited(data_dir, tmp_path,
                          lambda root, units: _set_address(units[0], point.civic_number,
                                                           point.street))
    report = import_roll(path, commit=True)

    moved = Property.objects.get(matricule=_matricule(units[0]))
    assert [a.label for a in moved.addresses.all()] == [f"{point.civic_number} {point.street}"]
    assert _shape(moved.address_point).equals(_shape(point.geom))
    assert _note(report, "Linked to an address point by civic address: %(n)d", 1)
    # the other units' addresses were left as they were (same rows)
    for unit in units[1:]:
        m = _matricule(unit)
        assert CivicAddress.objects.get(property__matricule=m).pk == before[m]


def test_a_unit_with_two_lots_gets_the_union_of_their_parcels(data_dir, tmp_path):
    def add_lot(root, units):
        group = units[0].find("RL0103")
        extra = ET.SubElement(group, "RL0103x")
        ET.SubElement(extra, "RL0103Ax").text = units[1].findtext("RL0103/RL0103x/RL0103Ax")

    path, units = _edited(data_dir, tmp_path, add_lot)
    report = import_roll(path, commit=True)

    prop = Property.objects.get(matricule=_matricule(units[0]))
    lots = [_lot(units[0]), _lot(units[1])]
    assert prop.lots == lots
    parcels = [_shape(p.geom) for p in Parcel.objects.filter(lot_number__in=lots)]
    assert len(parcels) == 2
    expected = shapely.union_all(parcels)
    assert _shape(prop.parcel).symmetric_difference(expected).area < 1e-6 * expected.area
    assert _note(report, "Linked to a parcel by lot number: %(n)d", 1)


def test_a_new_unit_with_an_unknown_lot_takes_the_parcel_under_its_address(data_dir, tmp_path):
    def add_unit(root, units):
        new = ET.fromstring(ET.tostring(units[0]))
        new.find("RL0104/RL0104C").text = "9876"
        new.find("RL0103/RL0103x/RL0103Ax").text = "9 999 999"
        root.append(new)

    path, units = _edited(data_dir, tmp_path, add_unit)
    report = import_roll(path, commit=True)

    new = Property.objects.get(matricule=_matricule(units[0]).replace("-1732-", "-9876-"))
    assert report.created == 1 and new.lots == ["9999999"]
    point = _shape(new.address_point)
    covering = [p for p in Parcel.objects.all() if _shape(p.geom).covers(point)]
    assert len(covering) == 1
    assert _shape(new.parcel).equals(_shape(covering[0].geom))
    assert _note(report, "Linked to the parcel under their address point: %(n)d", 1)


@pytest.mark.parametrize("value", ["1" * 25, "12,5,3", "NaN", "-Infinity"])
def test_a_value_postgresql_would_refuse_skips_the_unit_not_the_import(data_dir, tmp_path,
                                                                        value):
    def edit(root, units):
        units[2].find("RL0404A").text = value

    path, units = _edited(data_dir, tmp_path, edit)
    report = import_roll(path, commit=True)
    assert report.updated + report.created == 4
    [(ref, reason)] = report.skipped
    assert "3" in ref and "RL0404A" in reason


def test_digits_of_another_script_are_read_as_the_number(data_dir, tmp_path):
    def edit(root, units):
        units[2].find("RL0404A").text = "４７３３００"  # full-width digits

    path, units = _edited(data_dir, tmp_path, edit)
    report = import_roll(path, commit=True)
    assert report.skipped == []
    prop = Property.objects.get(matricule=_matricule(units[2]))
    assert prop.roll_entries.get(roll_year=2026).total_value == 473300
