"""Collection days written as text (published zone layers), in French and English. Expected
weekdays are ISO (1 = Monday); anything the parser cannot be sure of must give None."""
import calendar
import csv
import datetime as dt
import json
import re

import pytest
from dateutil.rrule import rrulestr

from collections_schedule.importers.day_text import (
    ParsedSchedule,
    Refusal,
    parse_collection_text,
    read_collection_text,
)
from collections_schedule.importers.zones import import_zones
from collections_schedule.models import Zone
from tests.conftest import DATA


@pytest.mark.parametrize(("text", "weekdays", "interval"), [
    # Montréal's phrasing, upper case, plural
    ("La collecte a lieu les MARDIS", [2], 1),
    ("Collections take place on TUESDAYS", [2], 1),
    ("Collecte le lundi et le jeudi", [1, 4], 1),
    ("Tous les mercredis, aux deux semaines", [3], 2),
    # English, singular and plural
    ("Collection on Tuesdays", [2], 1),
    ("Mondays and Thursdays", [1, 4], 1),
    ("Friday", [5], 1),
    ("weekly, Sunday", [7], 1),
    ("every week on Monday", [1], 1),
    # accents or not, any case
    ("Collecte le MERCREDI", [3], 1),
    ("Collecte le mercredi", [3], 1),
    ("Sortez vos bacs le lundi à 7 h et le jeudi", [1, 4], 1),
    ("DIMANCHE", [7], 1),
    ("Tous les samedis", [6], 1),
    ("Mardi / Tuesday", [2], 1),   # bilingual: one day
    # abbreviations
    ("lun.", [1], 1),
    ("mer. et sam.", [3, 6], 1),
    ("Mon", [1], 1),
    ("tue and fri", [2, 5], 1),
    ("Thurs", [4], 1),
    ("Collecte : mon bac, le mardi", [2], 1),  # "mon" is "my" in a French text
    # every other week, every N weeks
    ("Jeudi, une semaine sur deux", [4], 2),
    ("toutes les deux semaines le vendredi", [5], 2),
    ("Toutes les 2 semaines, le lundi et le jeudi", [1, 4], 2),
    ("un lundi sur deux", [1], 2),
    ("Tous les 15 jours, le jeudi", [4], 2),
    ("Aux 2 semaines (jeudi)", [4], 2),
    ("every other Monday", [1], 2),
    ("every other week on Wednesday", [3], 2),
    ("every two weeks on Friday", [5], 2),
    ("every second Tuesday", [2], 2),
    ("Biweekly, Wednesday", [3], 2),
    ("bi-weekly on wed", [3], 2),
    ("fortnightly on Thursday", [4], 2),
    ("Thursday, every 3 weeks", [4], 3),
    # "twice a week" with as many days
    ("deux fois par semaine, lundi et jeudi", [1, 4], 1),
    ("twice a week: Monday and Thursday", [1, 4], 1),
    # a season in whole months, a weekday of the month (RRULEs in test_rrule)
    ("Le mardi, d'avril à novembre", [2], 1),
    ("premier lundi du mois", [1], 1),
    ("First Monday of the month", [1], 1),
    # glued to the next word (a real file, issue 12)
    ("Collecte le mercrediHeures : 7 h à 19 h", [3], 1),
    ("LUNDIMATIN", [1], 1),
    # incidental phrases about something else
    ("Le mardi. Les sacs de plastique ne sont pas acceptés.", [2], 1),
    ("Lundi, selon le cas", [1], 1),
    ("Le bac brun remplace le sac vert. Collecte le mardi.", [2], 1),
])
def test_readable_texts(text, weekdays, interval):
    parsed = parse_collection_text(text)
    assert parsed is not None
    assert (parsed.weekdays, parsed.interval_weeks) == (weekdays, interval)


@pytest.mark.parametrize(("text", "rrule"), [
    ("La collecte a lieu les MARDIS", "RRULE:FREQ=WEEKLY;BYDAY=TU"),
    ("Collecte le jeudi et le lundi", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"),
    ("Tous les mercredis, aux deux semaines", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("le premier lundi du mois", "RRULE:FREQ=MONTHLY;BYDAY=1MO"),
    ("le dernier vendredi de chaque mois", "RRULE:FREQ=MONTHLY;BYDAY=-1FR"),
    ("le premier et le troisième lundi du mois", "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO"),
    ("premier et troisième lundis du mois", "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO"),
    ("Le mardi, d'avril à novembre", "RRULE:FREQ=WEEKLY;BYDAY=TU;BYMONTH=4,5,6,7,8,9,10,11"),
    ("du 1er avril au 30 novembre, le lundi",
     "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11"),
    ("de mai à octobre, aux deux semaines, le jeudi",
     "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYMONTH=5,6,7,8,9,10"),
    ("Le lundi, de décembre à mars", "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=1,2,3,12"),
])
def test_rrule(text, rrule):
    parsed = parse_collection_text(text)
    assert (parsed.rrule if parsed else None) == rrule


@pytest.mark.parametrize("text", [
    None, "", "   ", "—",
    "Voir le calendrier",
    "Selon le calendrier",
    "Lundi, selon le calendrier",
    "See the calendar",
    "Collections take place on TUESAYS",           # misspelt (a real Montréal text)
    "Collecte des ordures",                         # no day
    "du lundi au vendredi", "Mon-Fri", "Monday to Friday", "Lundi - Vendredi",  # ranges
    "lundi ou mardi", "Monday or Tuesday",         # a choice
    "Lundi, sauf les jours fériés",
    "Pas de collecte le lundi",
    "No collection on Mondays",
    "chaque semaine, aux deux semaines le lundi",  # contradictory
    "Monday weekly, Thursday every other week",
    "every other Monday and Thursday",             # which days every other week?
    "deux fois par semaine, le lundi",             # two collections, one day named
    "Tuesdays in May",
    "Le mardi en mai",
    "du 15 avril au 15 novembre, le lundi",        # not whole months
    "Le lundi, en hiver",                          # a season not in months
    "une fois par mois, le jeudi",                 # which week of the month?
    "every second Monday of each month",           # every other week, or the second one?
    "premier lundi du mois et le jeudi",           # monthly and weekly mixed
    "La collecte du mardi remplace celle du lundi",  # a change, not an incidental phrase
    "Mardi, la collecte ne sera pas assurée",      # a negation about the collection
    "Pas de collecte le lundi, collecte le mardi",
    "Semaines paires, le lundi",
    "bihebdomadaire, le mardi",                    # twice a week or every other week?
    "every other day starting Monday",
    "À partir du lundi 5, collecte le mardi",
    "Tous les jours sauf le dimanche",
    "Janvier 2024 : 2, 9, 16 et 23",
])
def test_unreadable_texts_give_none(text):
    assert parse_collection_text(text) is None


# --- real published phrasings (tests/data/day_texts_published.csv) ---------------------------
# Each row: a phrasing copied verbatim from a municipal page (its source and the date read), and
# what it means, written by hand: "weekly TU", "every 2 weeks WE", "monthly 1 FR" (the first
# Friday; "last" for the last), "... months 4-11" (April to November), rules joined by "; ",
# or "refused: <words the refusal must quote>". The dates each meaning gives are computed below
# by calendar arithmetic, never by the parser, and compared with the parser's rules expanded by
# dateutil over a year.

START = dt.date(2027, 1, 4)  # a Monday (calendar fact: 2027-01-01 is a Friday)
END = dt.date(2028, 1, 2)    # a Sunday: 52 whole weeks
CODES = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}
MEANING = re.compile(r"(weekly|every (\d) weeks|monthly (\d|last)) ([A-Z,]+)"
                     r"(?: months (\d+)-(\d+))?$")


def published():
    with open(DATA / "day_texts_published.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def meant_dates(expected):
    """The dates a hand-written meaning gives from START to END, by calendar arithmetic."""
    days = [START + dt.timedelta(days=n) for n in range((END - START).days + 1)]
    out = set()
    for part in expected.split("; "):
        kind, every, position, codes, first, last = MEANING.match(part).groups()
        weekdays = {CODES[c] for c in codes.split(",")}
        months = set(range(1, 13))
        if first:
            first, last = int(first), int(last)
            months = {m for m in range(1, 13)
                      if (m - first) % 12 <= (last - first) % 12}
        for day in days:
            if day.isoweekday() not in weekdays or day.month not in months:
                continue
            if every and ((day - START).days // 7) % int(every):
                continue  # every N weeks, counted from START's week
            if position:
                month = [dt.date(day.year, day.month, n) for n in range(1, 32)
                         if n <= calendar.monthrange(day.year, day.month)[1]]
                same = [d for d in month if d.isoweekday() == day.isoweekday()]
                if (same[-1] if position == "last" else same[int(position) - 1]) != day:
                    continue
            out.add(day)
    return out


def test_the_table_holds_real_phrasings_from_many_sources():
    rows = published()
    assert len(rows) >= 60
    assert all(row["source"].strip() and "(read 20" in row["source"] for row in rows)
    assert len({row["source"].split()[0] for row in rows}) >= 25


@pytest.mark.parametrize("row", published(), ids=lambda row: row["text"][:50])
def test_published_phrasing(row):
    text, expected = row["text"], row["expected"]
    result = read_collection_text(text)
    if expected.startswith("refused: "):
        assert isinstance(result, Refusal), result
        words = expected.removeprefix("refused: ")
        assert words.lower() in result.phrase.lower()
        assert result.phrase in text and str(result.reason)
        return
    assert isinstance(result, ParsedSchedule), result
    rules = rrulestr(result.rrule, dtstart=dt.datetime.combine(START, dt.time()), forceset=True)
    got = {d.date() for d in rules.between(dt.datetime.combine(START, dt.time()),
                                           dt.datetime.combine(END, dt.time()), inc=True)}
    want = meant_dates(expected)
    assert want and got == want
    # The first collection the importer would take: the first meant date on or after START
    # (every week counted, for the rules every N weeks: counted from START's week here).
    assert result.first_date(START) == min(want)


# --- the importer: the refusal and its phrase reach the report --------------------------------

ISSUE_TEXT = ("8 logements et moins : UNIQUEMENT les JEUDIS ; "
              "9 logements et plus : LUNDIS et JEUDIS")  # issue 12: was read as Mon + Thu


@pytest.mark.django_db
def test_import_reports_the_phrase_that_stopped_it(data_dir, tmp_path):
    layer = json.loads((data_dir / "zones_published_sample.geojson").read_text())
    texts = [ISSUE_TEXT, "Premier lundi du mois", "Collecte le mercrediHeures : 7 h",
             "Les lundis, d'avril à novembre"]
    for feature, text in zip(layer["features"], texts, strict=True):
        feature["properties"]["MESSAGE_FR"] = text
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(layer))
    report = import_zones(path, stream="garbage", name="textes", layout="published",
                          start=dt.date(2026, 1, 7), commit=True)  # a Wednesday
    assert report.created == 3 and len(report.skipped) == 1
    reason = report.skipped[0][1]
    assert ISSUE_TEXT in reason and "« 8 logements et moins »" in reason  # French: « »
    zones = {z.rrules: z.dtstart for z in Zone.objects.filter(zone_set__name="textes")}
    # Calendar facts: 2026-02-02 is the first Monday of February (January's was the 5th,
    # before the start); 2026-01-07 is a Wednesday; 2026-04-06 the first Monday of April.
    assert zones == {"RRULE:FREQ=MONTHLY;BYDAY=1MO": dt.date(2026, 2, 2),
                     "RRULE:FREQ=WEEKLY;BYDAY=WE": dt.date(2026, 1, 7),
                     "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11": dt.date(2026, 4, 6)}


def test_long_text_is_refused_unread():
    result = read_collection_text("Lundi " * 100)
    assert isinstance(result, Refusal) and result.phrase.startswith("Lundi")
