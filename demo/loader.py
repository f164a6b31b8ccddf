"""Load the demo municipality (Pincourt) through the real importers, in dependency order."""
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction

from citizens.models import AccessCode
from geo.importers.osm import import_osm
from geo.importers.territory import import_territory
from geo.models import Territory
from properties.importers.parcels import import_parcels
from properties.importers.roll import import_roll
from properties.models import RollEntry
from service_requests.models import Category
from taxes.importers.tax_accounts import import_tax_accounts

DEMO_DIR = Path(settings.BASE_DIR) / "data" / "pincourt"
DEMO_STREAMS = ["garbage", "recycling", "organics", "green-waste", "bulky", "christmas-trees"]
STEPS = [
    ("territory", lambda: import_territory(DEMO_DIR / "territory-generated.geojson",
                                           name="Pincourt", code="71100", commit=True)),
    # Two overpass queries of the town: one extract (what neither holds is retired).
    ("osm", lambda: import_osm([DEMO_DIR / "pincourt-osm-2022-10-29.geojson",
                                DEMO_DIR / "pincourt-amenities-osm-2022-10-24.geojson"],
                               commit=True)),
    ("parcels", lambda: import_parcels(DEMO_DIR / "parcels-generated.geojson", commit=True)),
    ("roll 2023", lambda: import_roll(DEMO_DIR / "roll-2023-generated.xml", commit=True)),
    ("roll 2026", lambda: import_roll(DEMO_DIR / "roll-2026-generated.xml", commit=True)),
    ("holidays", lambda: _holidays()),
    ("watering by-law", lambda: _watering()),
    *[(f"zones {stream}", (lambda stream=stream: _zones(stream))) for stream in DEMO_STREAMS],
    ("tax accounts", lambda: import_tax_accounts(DEMO_DIR / "taxes-2026-generated.csv",
                                                 commit=True)),
    ("demo access code", lambda: _demo_access_code()),
    ("request categories", lambda: _request_categories()),
    ("alert topics", lambda: _alert_topics()),
    ("leisure", lambda: _leisure()),
]


def _holidays():
    from collections_schedule.holidays import load_holidays
    from collections_schedule.models import Holiday

    this = dt.date.today().year
    return _Note(f"{load_holidays(Holiday, range(this - 1, this + 3))} holidays")


def _watering():
    from collections_schedule.importers.watering_bylaw import load_watering_bylaw

    rules, bans = load_watering_bylaw(DEMO_DIR / "watering-bylaw-generated.json")
    return _Note(f"{rules} watering rules, {bans} bans")


def _zones(stream):
    """Import the stream's generated zones as a draft set, then activate it through the
    planner's checks (the generated zones partition the territory: they pass)."""
    from collections_schedule.importers.zones import import_zones
    from collections_schedule.models import ZoneSet
    from collections_schedule.planning import activate_zone_set

    name = "Démo 2026 (généré)"
    if ZoneSet.objects.filter(stream__slug=stream, name=name).exists():
        return _Note("already loaded")
    report = import_zones(DEMO_DIR / f"zones-{stream}-generated.geojson", stream=stream,
                          name=name, commit=True)
    zone_set = ZoneSet.objects.filter(stream__slug=stream).latest("pk")
    activate_zone_set(zone_set=zone_set, effective_from=dt.date(2026, 1, 1), user=None)
    return report


def _request_categories():
    from service_requests.importers.categories import load_categories

    counts = load_categories(DEMO_DIR / "request-categories.json")
    return _Note(", ".join(f"{n} {kind}" for kind, n in counts.items()))


def _alert_topics():
    from alerts.importers.topics import load_topics

    counts = load_topics(DEMO_DIR / "alert-topics.json")
    return _Note(", ".join(f"{n} {kind}" for kind, n in counts.items()))


def _leisure():
    """A generated winter season at the town's real places, through the leisure importer
    (data/pincourt/make_leisure.py says how it was made). A second run changes nothing."""
    from leisure.importers.catalogue import import_leisure

    return import_leisure(DEMO_DIR / "leisure-winter-2027-generated.csv", commit=True)


def _demo_access_code():
    from demo.access_code import set_demo_access_code

    return _Note(set_demo_access_code())


class _Note:
    def __init__(self, text):
        self.text = text

    def render(self):
        return self.text


def demo_loaded() -> bool:
    from collections_schedule.models import ZoneSet
    from leisure.models import Season

    return (Territory.objects.filter(name="Pincourt").exists()
            and RollEntry.objects.filter(roll_year=2026).exists()
            and ZoneSet.objects.filter(status="active").exists()
            and AccessCode.objects.exists()
            and Category.objects.exists()
            and Season.objects.exists())


@transaction.atomic
def load_demo(log=print):
    reports = {}
    for name, step in STEPS:
        reports[name] = step()
        log(f"== {name}\n{reports[name].render()}")
    return reports
