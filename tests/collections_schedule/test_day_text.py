"""Collection days written as text (published zone layers), in French and English. Expected
weekdays are ISO (1 = Monday); anything the parser cannot be sure of must give None."""
import pytest

from collections_schedule.importers.day_text import parse_collection_text


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
])
def test_readable_texts(text, weekdays, interval):
    parsed = parse_collection_text(text)
    assert parsed is not None
    assert (parsed.weekdays, parsed.interval_weeks) == (weekdays, interval)


@pytest.mark.parametrize(("text", "rrule"), [
    ("La collecte a lieu les MARDIS", "RRULE:FREQ=WEEKLY;BYDAY=TU"),
    ("Collecte le jeudi et le lundi", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"),
    ("Tous les mercredis, aux deux semaines", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
])
def test_rrule(text, rrule):
    assert parse_collection_text(text).rrule == rrule


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
    "premier lundi du mois",
    "First Monday of the month",
    "Tuesdays in May",
    "Le mardi, d'avril à novembre",
    "Semaines paires, le lundi",
    "bihebdomadaire, le mardi",                    # twice a week or every other week?
    "every other day starting Monday",
    "À partir du lundi 5, collecte le mardi",
    "Tous les jours sauf le dimanche",
    "Janvier 2024 : 2, 9, 16 et 23",
])
def test_unreadable_texts_give_none(text):
    assert parse_collection_text(text) is None
