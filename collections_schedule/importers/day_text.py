"""Read a collection day written as text in published zone layers ("La collecte a lieu les
MARDIS", "Tous les mercredis, aux deux semaines", "Collections take place on TUESDAYS", "every
other Monday") as ISO weekdays, an interval in weeks and an RFC 5545 rule.

It never guesses. Whatever it does not fully understand gives None, and the importer skips the
zone and reports its text: no weekday (or a misspelt one), a range of days ("du lundi au
vendredi"), a choice ("lundi ou mardi"), a negation or an exception ("sauf", "pas de collecte"),
a date, a month or a season, a calendar to look up, a monthly or daily rhythm, week parity
("semaines paires", which depends on a week numbering the text does not give), a change ("à
partir du lundi"), or a frequency word left over once the phrases below are read."""
import re
import unicodedata
from dataclasses import dataclass

ISO_TO_RRULE = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

_FULL = {
    "lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7,
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 7,
}
_ABBREVIATED = {
    "lun": 1, "mar": 2, "mer": 3, "jeu": 4, "ven": 5, "sam": 6, "dim": 7,
    "mon": 1, "tue": 2, "tues": 2, "wed": 3, "weds": 3, "thu": 4, "thur": 4, "thurs": 4,
    "fri": 5, "sat": 6, "sun": 7,
}
WEEKDAYS = {**_FULL, **{f"{word}s": day for word, day in _FULL.items()}, **_ABBREVIATED}
# "mon" is also French for "my": in a French text it is not read as Monday.
FRENCH_MARKERS = {"le", "la", "les", "des", "du", "et", "aux", "au", "tous", "toutes", "chaque",
                  "collecte", "collectes", "lieu", "semaine", "semaines", "sur", "bac", "bacs"}

# Counts in the frequency phrases ("aux deux semaines", "every other week").
COUNTS = {"1": 1, "un": 1, "une": 1, "one": 1,
          "2": 2, "deux": 2, "two": 2, "other": 2, "second": 2, "2nd": 2, "twice": 2,
          "3": 3, "trois": 3, "three": 3, "third": 3, "3rd": 3,
          "4": 4, "quatre": 4, "four": 4, "fourth": 4, "4th": 4}
_N = "(" + "|".join(sorted(set(COUNTS) - {"twice"}, key=len, reverse=True)) + ")"
_DAY = "(?:" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + ")"

# Phrases that give the interval in weeks (the captured count). Each phrase read is removed from
# the text, so that what remains can be checked for frequency words not understood.
EVERY_N_WEEKS = [
    rf"\baux {_N} semaines\b",
    rf"\btoutes les {_N} semaines\b",
    rf"\bchaque {_N} semaines\b",
    rf"\b(?:une|1) semaine sur {_N}\b",
    rf"\bevery {_N} weeks?\b",                           # "every two weeks", "every other week"
]
# The same said of one weekday: with several weekdays, which ones it covers is unclear ("every
# other Monday and Thursday": every Thursday, or every other one too?).
EVERY_N_DAYS = [rf"\b(?:un|1) {_DAY} sur {_N}\b",        # "un lundi sur deux"
                rf"\bevery {_N}(?= {_DAY}\b)"]           # "every other Monday"
EVERY_TWO_WEEKS = [r"\b(?:aux|tous les) (?:quinze|15) jours\b", r"\bbiweekly\b",
                   r"\bbi - weekly\b", r"\bbi weekly\b", r"\bfortnight(?:ly)?\b",
                   r"\balternat(?:e|ing) weeks\b"]
WEEKLY = [r"\bchaque semaine\b", r"\btoutes les semaines\b", r"\bhebdomadaire(?:ment)?\b",
          r"\b(?:une|1) fois par semaine\b", r"\bevery week\b", r"\beach week\b", r"\bweekly\b",
          r"\bonce a week\b"]
# "Twice a week" is weekly, on as many weekdays as it says.
TIMES_A_WEEK = [rf"\b{_N} fois par semaine\b", r"\b(twice) a week\b", rf"\b{_N} times a week\b"]

UNREADABLE_PHRASES = [
    r"\btous les jours\b", r"\bchaque jour\b", r"\bevery ?day\b",
    r"\bau lieu\b",                                      # "au lieu du lundi": instead of
    r"\bno (?:collection|pick ?up)s?\b",
    r"\bmay\b(?! (?:be|not|also|vary|change|differ)\b)",  # May the month, not the verb
    rf"\b(?:partir|starting|beginning|since|depuis|des|from) (?:du |de |le |on |the )?{_DAY}\b",
]
UNREADABLE_WORDS = {
    # a calendar to look up, or a schedule that varies
    "calendrier", "calendar", "voir", "see", "consultez", "consulter", "consult", "selon",
    "according", "varie", "variable", "varies", "vary",
    # negations and exceptions (holidays are the stream's policy, or entered by hand)
    "sauf", "except", "excepte", "exceptes", "hormis", "excluding", "pas", "not", "aucun",
    "aucune", "jamais", "never", "isn", "aren", "doesn", "ferie", "feries", "feriee",
    "feriees", "holiday", "holidays", "conge", "conges",
    # changes
    "jusqu", "until", "till", "nouveau", "nouvelle", "new", "changement", "changed", "moved",
    "deplace", "deplacee", "deplaces", "deplacees", "reporte", "reportee", "postponed",
    "annule", "annulee", "cancelled", "canceled", "instead", "plutot", "remplace",
    # dates, months and seasons
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre", "january", "february", "march", "april", "june", "july",
    "august", "september", "october", "november", "december", "jan", "feb", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "printemps", "ete", "automne", "hiver", "spring", "summer", "autumn", "fall", "winter",
    "saison", "saisons", "season", "seasons", "seasonal", "saisonniere", "saisonnier",
    # monthly or daily rhythms, week parity, ordinals ("premier lundi", "last Friday")
    "mois", "month", "months", "monthly", "mensuel", "mensuelle", "mensuellement",
    "quotidien", "quotidienne", "quotidiennement", "daily",
    "paire", "paires", "impaire", "impaires", "even", "odd",
    "bihebdomadaire", "semi",  # twice a week or every other week, depending on the writer
    "premier", "premiere", "1er", "1re", "deuxieme", "2e", "troisieme", "3e", "quatrieme",
    "4e", "dernier", "derniere", "first", "1st", "third", "3rd", "fourth", "4th", "last",
    # frequency words that only mean something inside a phrase read above
    "semaine", "semaines", "week", "weeks", "other", "second", "2nd", "alternate",
    "alternating", "fois", "times", "twice", "quinze", "fortnights",
}
# Between two weekdays: a range ("du lundi au vendredi", "Mon - Fri") or a choice ("or").
RANGE_WORDS = {"au", "a", "aux", "to", "through", "thru", "-"}
CHOICE_WORDS = {"ou", "or"}
ARTICLES = {"le", "la", "les", "l", "the", "on"}


@dataclass(frozen=True)
class ParsedSchedule:
    weekdays: list[int]  # ISO, 1 = Monday
    interval_weeks: int
    rrule: str  # "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by one space; a dash kept as a "-" word."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\u2010-\u2015-]", " - ", text)
    return " ".join(re.sub(r"[^a-z0-9-]+", " ", text).split())


def parse_collection_text(text) -> ParsedSchedule | None:
    if not isinstance(text, str):
        return None
    norm = normalize(text)
    words = norm.split()
    if not words or any(re.search(p, norm) for p in UNREADABLE_PHRASES):
        return None
    french = any(w in FRENCH_MARKERS for w in words)
    day_at = [(i, WEEKDAYS[w]) for i, w in enumerate(words)
              if w in WEEKDAYS and not (french and w == "mon")]
    if not day_at:
        return None
    for (i, _day), (j, _next) in zip(day_at, day_at[1:], strict=False):
        between = [w for w in words[i + 1:j] if w not in ARTICLES]
        if CHOICE_WORDS.intersection(between) or (len(between) == 1
                                                   and between[0] in RANGE_WORDS):
            return None
    weekdays = sorted({day for _i, day in day_at})

    intervals, times, rest = set(), None, norm
    for pattern in EVERY_N_DAYS:
        found = {COUNTS[m.group(1)] for m in re.finditer(pattern, rest)}
        if found and len(weekdays) > 1:
            return None
        intervals.update(found)
        rest = re.sub(pattern, " ", rest)
    for pattern in EVERY_N_WEEKS:
        intervals.update(COUNTS[m.group(1)] for m in re.finditer(pattern, rest))
        rest = re.sub(pattern, " ", rest)
    for pattern in EVERY_TWO_WEEKS:
        if re.search(pattern, rest):
            intervals.add(2)
        rest = re.sub(pattern, " ", rest)
    for pattern in TIMES_A_WEEK:
        for match in re.finditer(pattern, rest):
            times = COUNTS[match.group(1)]
            intervals.add(1)
        rest = re.sub(pattern, " ", rest)
    for pattern in WEEKLY:
        if re.search(pattern, rest):
            intervals.add(1)
        rest = re.sub(pattern, " ", rest)
    if len(intervals) > 1 or UNREADABLE_WORDS.intersection(rest.split()):
        return None  # contradictory ("chaque semaine, aux deux semaines") or not understood
    if times is not None and times != len(weekdays):
        return None  # "deux fois par semaine, le lundi"
    interval = intervals.pop() if intervals else 1
    byday = ",".join(ISO_TO_RRULE[d] for d in weekdays)
    every = f";INTERVAL={interval}" if interval > 1 else ""
    return ParsedSchedule(weekdays, interval, f"RRULE:FREQ=WEEKLY{every};BYDAY={byday}")
