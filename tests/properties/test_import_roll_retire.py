"""Issue 12, "nothing ever leaves": units that a newer roll no longer holds (demolished,
merged, renumbered) are reported and, on --commit, marked retired from that roll year, kept
with their history, links and requests; a unit listed again is current again; a roll that would
retire or change more than 30 % of the current units (a partial export) is refused unless
--force; an older roll than the latest one loaded retires nothing. The variants of the demo's
2026 roll are made here with ElementTree (units removed), the expected matricules read from the
files the same way, independently of the importer."""
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command

from core.importers.report import ImportFailed
from properties.importers.roll import import_roll
from properties.models import Property

pytestmark = pytest.mark.django_db


def matricule(ue):
    return "-".join(ue.find("RL0104").findtext(f"RL0104{c}") for c in "ABCDEF")


def without(demo_dir, tmp_path, share=None, count=None):
    """The 2026 demo roll without its first `count` units (or `share` of them): (path, removed
    matricules)."""
    tree = ET.parse(demo_dir / "roll-2026-generated.xml")
    root = tree.getroot()
    units = list(root.iter("RLUEx"))
    n = count if count is not None else int(len(units) * share)
    removed = [matricule(ue) for ue in units[:n]]
    for ue in units[:n]:
        root.remove(ue)
    path = tmp_path / "roll.xml"
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path, removed


def current():
    return set(Property.objects.filter(retired_roll_year=None, municipality_code="71100")
               .values_list("matricule", flat=True))


def test_units_no_longer_on_the_roll_are_reported_then_retired_on_commit(demo_dir, tmp_path):
    path, removed = without(demo_dir, tmp_path, count=7)
    before = current()
    assert set(removed) <= before
    dry = import_roll(path)
    assert dry.retired == 7 and removed[0] in dry.render()
    assert current() == before
    done = import_roll(path, commit=True)
    assert done.retired == 7
    assert current() == before - set(removed)
    gone = Property.objects.get(matricule=removed[0])
    assert gone.retired_roll_year == 2026 and gone.roll_entries.exists()  # history kept
    # Listed again (the full roll): current again.
    import_roll(demo_dir / "roll-2026-generated.xml", commit=True)
    assert current() == before


def test_a_partial_roll_is_refused_unless_forced(demo_dir, tmp_path):
    path, removed = without(demo_dir, tmp_path, share=0.4)
    before = current()
    with pytest.raises(ImportFailed, match="--force"):
        import_roll(path, commit=True)
    assert current() == before
    with pytest.raises(CommandError, match="--force"):
        call_command("import_roll", str(path), "--commit")
    call_command("import_roll", str(path), "--commit", "--max-change", "50")
    assert current() == before - set(removed)


def test_force_accepts_it(demo_dir, tmp_path):
    path, removed = without(demo_dir, tmp_path, share=0.4)
    before = current()
    call_command("import_roll", str(path), "--commit", "--force")
    assert current() == before - set(removed)


def test_an_older_roll_retires_nothing(demo_dir):
    before = current()
    report = import_roll(demo_dir / "roll-2023-generated.xml", commit=True)
    assert report.retired == 0 and "2023" in report.render()
    assert current() >= before


def test_the_page_of_a_retired_unit_says_so(client, demo_dir, tmp_path):
    path, removed = without(demo_dir, tmp_path, count=1)
    import_roll(path, commit=True)
    gone = Property.objects.get(matricule=removed[0])
    page = client.get(f"/propriete/{gone.pk}/").content.decode()
    assert 'data-testid="retired"' in page and "2026" in page
