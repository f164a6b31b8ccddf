"""The roll tests import a 5-unit extract of the demo's 2026 roll (tests/data/roll_small.xml)
into the demo town. A roll file is the whole roll: imported as it is, the extract would retire
the town's 500 other units (and be refused for it). These tests are about the extract's units,
so their town's current roll is the extract: the other units are marked retired first."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

EXTRACT = Path(__file__).parents[1] / "data" / "roll_small.xml"


@pytest.fixture
def extract_is_the_current_roll():
    from properties.models import Property

    matricules = ["-".join(ue.find("RL0104").findtext(f"RL0104{c}") for c in "ABCDEF")
                  for ue in ET.parse(EXTRACT).getroot().iter("RLUEx")]
    Property.objects.exclude(matricule__in=matricules).update(retired_roll_year=2026)
