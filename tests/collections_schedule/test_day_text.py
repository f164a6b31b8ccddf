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
