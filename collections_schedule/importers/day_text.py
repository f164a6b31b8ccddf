"""Read a collection day written as text in published zone layers ("La collecte a lieu les
MARDIS", "Tous les mercredis, aux deux semaines", "Premier lundi du mois", "tous les mercredis
pour la période d'avril à novembre", "every other Monday") as RFC 5545 rules, like a careful
clerk: it never guesses, and a text it does not fully understand is refused with the phrase that
stopped it (`Refusal.phrase`, as written in the text) and why (`Refusal.reason`).

What it reads: weekdays (French or English, any case or accents, abbreviated, plural, glued to
the next word as in "mercrediHeures"); every N weeks ("aux deux semaines", "un lundi sur deux",
"every other week"); the n-th or last weekday of the month ("le premier lundi du mois", "le
dernier vendredi de chaque mois": FREQ=MONTHLY;BYDAY=1MO); a season in whole months ("d'avril à
novembre", "du 1er avril au 30 novembre", "Mai-août": BYMONTH), and one schedule per season
("à toutes les semaines d'avril à novembre; à toutes les 2 semaines de décembre à mars": one
RRULE line each). Sentences about something else ("Les sacs de plastique ne sont pas
acceptés.", "selon le cas") are passed over.

What it refuses: a schedule for some buildings only ("8 logements et moins", "buildings with four
or fewer units") or for several parts of the zone ("le jeudi pour le secteur centre et le mardi
pour le secteur périphérique"): those are never merged; no weekday (or a misspelt one); a range
("du lundi au vendredi") or a choice ("lundi ou mardi") of days; a negation or an exception
about the schedule ("pas de collecte le lundi", "sauf les jours fériés"); a date, a single
month, or a season not given in whole months ("en hiver", "du 15 avril au 15 novembre"); a
calendar to look up or a schedule that varies; a monthly rhythm without its week ("une fois par
mois"); week parity ("semaines paires"); a change ("à partir du lundi", "jusqu'au 8 avril"); two
frequencies for one schedule; and any frequency word left over once the phrases are read.

The work per text is bounded: a text longer than MAX_LENGTH characters is refused unread."""
import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace

from dateutil.rrule import rrulestr
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 400
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
FULL_WEEKDAYS = {**_FULL, **{f"{word}s": day for word, day in _FULL.items()}}
WEEKDAYS = {**FULL_WEEKDAYS, **_ABBREVIATED}
# "mon" is also French for "my": in a French text it is not read as Monday.
FRENCH_MARKERS = {"le", "la", "les", "des", "du", "et", "aux", "au", "tous", "toutes", "chaque",
                  "collecte", "collectes", "lieu", "semaine", "semaines", "sur", "bac", "bacs"}
MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

# Counts in the frequency phrases ("aux deux semaines", "every other week").
COUNTS = {"1": 1, "un": 1, "une": 1, "one": 1,
          "2": 2, "deux": 2, "two": 2, "other": 2, "second": 2, "2nd": 2, "twice": 2,
          "3": 3, "trois": 3, "three": 3, "third": 3, "3rd": 3,
          "4": 4, "quatre": 4, "four": 4, "fourth": 4, "4th": 4}
# Ordinals of a weekday in its month ("premier lundi", "last Friday"); -1 is the last.
ORDINALS = {"premier": 1, "premiere": 1, "premiers": 1, "premieres": 1, "1er": 1, "1re": 1,
            "1ers": 1, "1eres": 1, "1res": 1, "first": 1, "1st": 1,
            "deuxieme": 2, "deuxiemes": 2, "2e": 2, "2eme": 2, "2es": 2, "second": 2,
            "seconde": 2, "2nd": 2,
            "troisieme": 3, "troisiemes": 3, "3e": 3, "3eme": 3, "3es": 3, "third": 3, "3rd": 3,
            "quatrieme": 4, "quatriemes": 4, "4e": 4, "4eme": 4, "4es": 4, "fourth": 4, "4th": 4,
            "dernier": -1, "derniere": -1, "derniers": -1, "dernieres": -1, "last": -1}


def _alternation(words):
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


_N = "(" + _alternation(set(COUNTS) - {"twice"}) + ")"
_DAY = _alternation(WEEKDAYS)
_MONTH = _alternation(MONTHS)
_ORD = _alternation(ORDINALS)

# --- reasons ---------------------------------------------------------------------------------
NO_TEXT = _("no text")
TOO_LONG = _("a text this long is not read")
BUILDINGS = _("a schedule for some buildings only (a type or a size): each schedule must be "
              "entered by hand, never merged")
PARTS = _("a schedule for each part of the zone or each group: each must be entered by hand, "
          "never merged")
NO_WEEKDAY = _("no weekday")
DAY_RANGE = _("a range of days")
DAY_CHOICE = _("a choice of days")
NEGATION = _("a negation or an exception about the schedule")
CALENDAR = _("a calendar to look up, or a schedule that varies")
CHANGE = _("a change of schedule")
DATE = _("a date, a single month or a season not given in whole months")
OVERLAP = _("seasons that overlap")
MONTHLY = _("a monthly rhythm without its week (first, second, ..., last)")
PARITY = _("week parity (even or odd weeks), which depends on a week numbering not given")
AMBIGUOUS = _("ambiguous: every other week, or once a month?")
CONTRADICTION = _("two frequencies for one schedule")
TIMES = _("a number of collections a week other than the number of weekdays named")
DAILY = _("a daily rhythm")
UNKNOWN = _("a frequency word not understood")


@dataclass(frozen=True)
class Refusal:
    phrase: str  # the words that stopped the reading, as written in the text
    reason: str


@dataclass(frozen=True)
class Rule:
    """One RRULE line: weekly on `weekdays` every `interval_weeks`, or monthly on the
    `positions`-th `weekdays` (1 = first, -1 = last), in `months` (all if empty)."""
    weekdays: tuple[int, ...]
    interval_weeks: int = 1
    positions: tuple[int, ...] = ()
    months: tuple[int, ...] = ()

    @property
    def rrule(self) -> str:
        if self.positions:
            days = ",".join(f"{p}{ISO_TO_RRULE[d]}" for p in self.positions
                            for d in self.weekdays)
            parts = ["FREQ=MONTHLY", f"BYDAY={days}"]
        else:
            parts = ["FREQ=WEEKLY"]
            if self.interval_weeks > 1:
                parts.append(f"INTERVAL={self.interval_weeks}")
            parts.append("BYDAY=" + ",".join(ISO_TO_RRULE[d] for d in self.weekdays))
        if self.months:
            parts.append("BYMONTH=" + ",".join(str(m) for m in self.months))
        return "RRULE:" + ";".join(parts)


@dataclass(frozen=True)
class ParsedSchedule:
    rules: tuple[Rule, ...]

    @property
    def weekdays(self) -> list[int]:  # ISO, 1 = Monday
        return sorted({d for rule in self.rules for d in rule.weekdays})

    @property
    def interval_weeks(self) -> int:
        """The longest weekly interval: more than 1 when a start date fixes the weeks."""
        return max(rule.interval_weeks for rule in self.rules)

    @property
    def rrule(self) -> str:  # one line per rule
        return "\n".join(rule.rrule for rule in self.rules)

    def first_date(self, start: dt.date) -> dt.date:
        """The first date on or after `start` that the rules allow, every week counted: taken
        as the first collection, it fixes which weeks an every-other-week rule keeps."""
        begin = dt.datetime.combine(start, dt.time())
        weekly = "\n".join(replace(rule, interval_weeks=1).rrule for rule in self.rules)
        return rrulestr(weekly, dtstart=begin, forceset=True).after(begin, inc=True).date()


# --- the text as tokens ------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+|\d+[^\W_]*|[.;:!?,()\[\]•\n]|[-\u2010-\u2015]")
HARD_BREAKS = {".", ";", "!", "?", "\n", "•", "(", ")", "[", "]"}
SOFT_BREAKS = HARD_BREAKS | {",", ":"}


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word)
    return "".join(c for c in word if not unicodedata.combining(c)).lower()


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by one space; a dash kept as a "-" word."""
    return " ".join(token for token, _span in _tokens(text))


def _tokens(text: str):
    """[(normalized word, (start, end) in text)], glued words split: "mercrediHeures" is
    "mercredi" "heures", "lundi7h" is "lundi" "7h", "mercrediheures" is "mercredi" "heures"."""
    out = []
    for match in _TOKEN.finditer(text):
        word, start = match.group(), match.start()
        if word[0] in "\u2010\u2011\u2012\u2013\u2014\u2015":
            out.append(("-", match.span()))
            continue
        cuts = [0, *(i for i in range(1, len(word))
                     if word[i - 1].islower() and word[i].isupper()), len(word)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece, at = _fold(word[a:b]), start + a
            if piece == "\n":
                out.append(("\n", (at, at + 1)))
                continue
            day = next((d for d in sorted(FULL_WEEKDAYS, key=len, reverse=True)
                        if piece.startswith(d) and len(piece) > len(d) + 1), None)
            if day and piece not in WEEKDAYS:
                out.append((day, (at, at + len(day))))
                out.append((piece[len(day):], (at + len(day), at + b - a)))
            else:
                out.append((piece, (at, at + b - a)))
    return out


@dataclass
class _Text:
    """The tokens of a text; those read (or passed over) are taken out of `alive`."""
    original: str
    tokens: list = field(default_factory=list)
    alive: list = field(default_factory=list)

    def view(self, indices=None):
        """The words at `indices` (default: alive) as one string, and the token at each
        character."""
        indices = self.alive if indices is None else indices
        text, owner = [], []
        for i in indices:
            if text:
                text.append(" ")
                owner.append(None)
            word = self.tokens[i][0]
            text.append(word)
            owner.extend([i] * len(word))
        return "".join(text), owner

    def find(self, pattern, indices=None):
        """[(match, token indices)] of a regex over the words at `indices`."""
        text, owner = self.view(indices)
        out = []
        for match in re.finditer(pattern, text):
            covered = sorted({owner[c] for c in range(*match.span()) if owner[c] is not None})
            if covered:
                out.append((match, covered))
        return out

    def take(self, indices):
        gone = set(indices)
        self.alive = [i for i in self.alive if i not in gone]

    def phrase(self, indices) -> str:
        indices = [i for i in indices if self.tokens[i][0] not in SOFT_BREAKS] or indices
        start = self.tokens[min(indices)][1][0]
        end = self.tokens[max(indices)][1][1]
        return self.original[start:end].strip()

    def around(self, i, before=3, after=4) -> str:
        """A few words around token i, within its clause, as written."""
        for clause in self.clauses(SOFT_BREAKS):
            if i in clause:
                k = clause.index(i)
                return self.phrase(clause[max(0, k - before):k + after + 1])
        return self.phrase([i])

    def clauses(self, breaks):
        """The alive token indices cut at the `breaks` tokens (which are left out)."""
        out, current = [], []
        for i in self.alive:
            if self.tokens[i][0] in breaks:
                if current:
                    out.append(current)
                current = []
            else:
                current.append(i)
        if current:
            out.append(current)
        return out


# --- phrases -------------------------------------------------------------------------------

# Buildings: a type or a size ("8 logements et moins", "9 logements et plus", "single-family
# homes", "buildings with four or fewer units", "commerces").
BUILDING_PHRASES = [
    r"\b(?:\d+|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix) logements? "
    r"(?:et|ou) (?:moins|plus)\b",
    r"\b(?:\d+|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix) logements? (?:ou|et) "
    r"(?:moins|plus)\b",
    r"\blogements?(?: \w+)?\b", r"\bmulti ?- ?logements?\b", r"\bmultilogements?\b",
    r"\bunifamilia\w*\b", r"\bimmeubles?\b", r"\b(?:duplex|triplex|quadruplex|plex)\b",
    r"\bcondos?\b", r"\bcommerc\w*\b", r"\bindustri\w*\b", r"\binstitution\w*\b",
    r"\bsingle ?- ?family\b", r"\bmulti ?- ?(?:unit|family)\b", r"\bdwellings?\b",
    r"\bbuildings?\b", r"\bunits?\b", r"\bapartments?\b", r"\bbusiness\w*\b",
]
# Parts of a zone, and what a schedule is for: several of them in one text are several
# schedules. "tous les secteurs", "all sectors", "all residential areas" name no part.
_PART = r"\b(?:secteurs?|sectors?|zones?|districts?|quartiers?)"
PART_MENTION = (rf"(?<!\btous les )(?<!\ball )(?<!\bchaque )(?<!\beach )(?<!\bvotre )"
                rf"(?<!\byour )(?<!\bl ensemble des ){_PART} (?!(?:de|du|des|d|of|the)\b)"
                r"([a-z0-9]+)")
GROUP_MENTION = (r"\b(?:pour|for) (?!(?:tous|toutes|tout|all|la periode|the period|plus|more|"
                 r"information|info)\b)(?:(?:les|le|la|l|the) )?([a-z]+)")
# Sentences about something else than the schedule, passed over when they name no day, week,
# month or season: what is accepted, what replaces what.
INCIDENTAL_CLAUSES = [
    r"\b(?:ne|n) (?:sont|seront|est|sera|soient) (?:pas|plus) (?:acceptes?|acceptees?|admis|"
    r"admises?|permis|permises?|autorises?|autorisees?)\b",
    r"\b(?:sont|seront|est|sera) (?:refuses?|refusees?|interdits?|interdites?)\b",
    r"\b(?:are|is|will) not (?:be )?(?:accepted|allowed|permitted)\b",
    r"\b(?:are|is) (?:not accepted|prohibited|refused)\b",
    r"\b(?:remplace|remplacent|remplacera|remplaceront|replaces?|replaced)\b",
    r"\b(?:nouveau|nouvelle|nouveaux|nouvelles|nouveaute|new)\b",
]
INCIDENTAL_PHRASES = [r"\bselon le cas\b", r"\bas the case may be\b", r"\binclusivement\b",
                      r"\binclusively\b", r"\binclus\b", r"\binclusive\b"]
TIME_WORDS = {*FULL_WEEKDAYS, *MONTHS, "jour", "jours", "journee", "journees", "ferie", "feries",
              "feriee", "feriees", "semaine", "semaines", "mois", "date", "dates", "annee",
              "day", "days", "week", "weeks", "month", "months", "holiday", "holidays",
              "hiver", "ete", "printemps", "automne", "winter", "summer", "spring", "fall",
              "autumn", "saison", "season", "hebdomadaire", "weekly", "horaire", "schedule"}

ALWAYS_REFUSED = [
    (r"\b(?:pas|plus|aucune?) (?:de )?(?:collectes?|ramassages?|cueillettes?)\b", NEGATION),
    (r"\bno (?:collection|pick ?- ?up|pick ?up)s?\b", NEGATION),
    (r"\btous les jours\b", DAILY), (r"\bchaque jour\b", DAILY), (r"\bevery ?day\b", DAILY),
    (r"\bau lieu\b", CHANGE),                             # "au lieu du lundi": instead of
    (rf"\b(?:partir|starting|beginning|since|depuis|des|from|compter) (?:du |de |le |on |the )?"
     rf"{_DAY}\b", CHANGE),
    (r"\b(?:partir|starting|beginning|since|depuis|des|from|compter) (?:du|le|on|the) \d+\w*"
     rf"(?! h\b)(?! heures?\b)(?: {_MONTH})?", CHANGE),
    (r"\ben fonction\b", CALENDAR), (r"\bdepending\b", CALENDAR),
    (rf"\bevery (?:second|other|2nd) {_DAY} (?:of|in) (?:the |each |every )?month\b", AMBIGUOUS),
]
SEASON_WORDS = {"printemps", "ete", "automne", "hiver", "spring", "summer", "autumn", "fall",
                "winter", "saison", "saisons", "season", "seasons", "seasonal", "saisonniere",
                "saisonnier", "hivernale", "hivernal", "estivale", "estival", "mi"}
UNREADABLE_WORDS = {
    **dict.fromkeys(["calendrier", "calendar", "voir", "see", "consultez", "consulter",
                     "consult", "selon", "according", "varie", "variable", "varies", "vary"],
                    CALENDAR),
    **dict.fromkeys(["sauf", "except", "excepte", "exceptes", "hormis", "excluding", "pas",
                     "not", "aucun", "aucune", "jamais", "never", "isn", "aren", "doesn",
                     "ferie", "feries", "feriee", "feriees", "holiday", "holidays", "conge",
                     "conges", "sans"], NEGATION),
    **dict.fromkeys(["jusqu", "until", "till", "changement", "changed", "moved", "deplace",
                     "deplacee", "deplaces", "deplacees", "reporte", "reportee", "postponed",
                     "annule", "annulee", "cancelled", "canceled", "instead", "plutot",
                     "remplace", "remplacent", "replaces", "nouveau", "nouvelle", "new"], CHANGE),
    **dict.fromkeys([*MONTHS, *SEASON_WORDS, "jan", "feb", "apr", "jun", "jul", "aug", "sep",
                     "sept", "oct", "nov", "dec"], DATE),
    **dict.fromkeys(["mois", "month", "months", "monthly", "mensuel", "mensuelle",
                     "mensuellement", *ORDINALS, "cinquieme", "fifth", "5e"], MONTHLY),
    **dict.fromkeys(["quotidien", "quotidienne", "quotidiennement", "daily"], DAILY),
    **dict.fromkeys(["paire", "paires", "impaire", "impaires", "even", "odd"], PARITY),
    # twice a week or every other week, depending on the writer
    **dict.fromkeys(["bihebdomadaire", "semi"], AMBIGUOUS),
    # frequency words that only mean something inside a phrase read above
    **dict.fromkeys(["semaine", "semaines", "week", "weeks", "other", "alternate",
                     "alternating", "fois", "times", "twice", "quinze", "fortnights"], UNKNOWN),
}
# A number followed or preceded by a month is a date ("1er mai", "April 2", "25 décembre").
DATE_PHRASES = [rf"\b\d+\w* {_MONTH}\b", rf"\b{_MONTH} \d+\w*\b"]

# Seasons in whole months: "d'avril à novembre", "Mai-août", "from April to November",
# "du 1er avril au 30 novembre", "from April 1 to November 30".
SEASONS = [
    rf"\b(?:(?:de|du|d|des|from) )?(?:(?:les )?mois (?:de |d ))?(?:(?:1|1er|premier) )?"
    rf"({_MONTH}) (?:a|au|-|to|through|thru|until) (?:(?:le |la )?fin (?:de |d ))?"
    rf"({_MONTH})\b",
    rf"\bdu (?:1|1er|premier) ({_MONTH}) au (\d+) ({_MONTH})\b",
    rf"\bfrom ({_MONTH}) 1(?:st)? (?:to|through|until) ({_MONTH}) (\d+)(?:st|nd|rd|th)?\b",
]

# Phrases that give the interval in weeks (the captured count).
EVERY_N_WEEKS = [
    rf"\b(?:(?:une|1) fois )?aux {_N} semaines\b",
    rf"\b(?:(?:une|1) fois )?(?:a )?toutes les {_N} semaines\b",
    rf"\b(?:(?:une|1) fois )?chaque {_N} semaines\b",
    rf"\b(?:une|1) semaine sur {_N}\b",
    rf"\b(?:once )?every {_N} weeks?\b",                     # "every two weeks", "every other week"
]
# The same said of one weekday: with several weekdays, which ones it covers is unclear ("every
# other Monday and Thursday": every Thursday, or every other one too?).
EVERY_N_DAYS = [rf"\b(?:un|1) {_DAY} sur {_N}\b",            # "un lundi sur deux"
                rf"\bevery {_N}(?= {_DAY}\b)"]               # "every other Monday"
EVERY_TWO_WEEKS = [r"\b(?:aux|tous les) (?:quinze|15) jours\b", r"\bbiweekly\b",
                   r"\bbi - weekly\b", r"\bbi weekly\b", r"\bfortnight(?:ly)?\b",
                   r"\balternat(?:e|ing) weeks\b"]
WEEKLY = [r"\b(?:a )?chaque semaine\b", r"\b(?:a )?toutes les semaines\b",
          r"\bhebdomadaire(?:ment)?s?\b", r"\b(?:une|1) fois par semaine\b", r"\bevery week\b",
          r"\beach week\b", r"\bweekly\b", r"\bonce a week\b"]
# "Twice a week" is weekly, on as many weekdays as it says.
TIMES_A_WEEK = [rf"\b{_N} fois par semaine\b", r"\b(twice) a week\b", rf"\b{_N} times a week\b"]
MONTHLY_DAYS = (rf"\b(?:(?:every|each|on the|the) )?"
                rf"({_ORD}(?: (?:et|and|,|ou|or) (?:(?:le|la|the) )?{_ORD})*) "
                rf"({_DAY}) (?:du|de chaque|de tous les|de|of the|of each|of every|each|every|"
                rf"in the|in each) (?:mois|month)\b")
# Between two weekdays: a range ("du lundi au vendredi", "Mon - Fri") or a choice ("or").
RANGE_WORDS = {"au", "a", "aux", "to", "through", "thru", "-"}
CHOICE_WORDS = {"ou", "or"}
ARTICLES = {"le", "la", "les", "l", "the", "on", *SOFT_BREAKS}


def read_collection_text(text) -> ParsedSchedule | Refusal:
    """The rules a collection text says, or a Refusal naming the phrase that stopped it."""
    if not isinstance(text, str) or not text.strip():
        return Refusal("", NO_TEXT)
    if len(text) > MAX_LENGTH:
        return Refusal(text[:40].strip() + "…", TOO_LONG)
    tokens = _tokens(text)
    if not [t for t, _span in tokens if t not in SOFT_BREAKS and t != "-"]:
        return Refusal(text.strip(), NO_WEEKDAY)
    words = _Text(text, tokens, list(range(len(tokens))))

    for pattern in BUILDING_PHRASES:
        for _match, at in words.find(pattern)[:1]:
            return Refusal(words.phrase(at), BUILDINGS)
    refused = _several(words, PART_MENTION) or _several_groups(words)
    if refused:
        return refused

    for pattern in INCIDENTAL_PHRASES:
        for _match, at in words.find(pattern):
            words.take(at)
    for clause in words.clauses(SOFT_BREAKS):
        if not TIME_WORDS.intersection(words.tokens[i][0] for i in clause) and any(
                words.find(p, clause) for p in INCIDENTAL_CLAUSES):
            words.take(clause)
    for pattern, reason in ALWAYS_REFUSED:
        for _match, at in words.find(pattern)[:1]:
            return Refusal(words.phrase(at), reason)
    french = any(words.tokens[i][0] in FRENCH_MARKERS for i in words.alive)

    # Seasons: each in its own sentence with its own frequency, or one for the whole text.
    seasons = []
    for pattern in SEASONS:
        for match, at in words.find(pattern):
            months = _season_months(match)
            if months is None:
                return Refusal(words.phrase(at), DATE)
            seasons.append((months, at))
            words.take(at)
    for pattern in DATE_PHRASES:
        for _match, at in words.find(pattern)[:1]:
            return Refusal(words.phrase(at), DATE)
    taken = [m for months, _at in seasons for m in months]
    if len(taken) != len(set(taken)):
        return Refusal(words.phrase(seasons[-1][1]), OVERLAP)
    if len(seasons) <= 1:
        months = tuple(sorted(seasons[0][0])) if seasons else ()
        rule = _read_rule(words, words.alive, french, months, None)
        return rule if isinstance(rule, Refusal) else ParsedSchedule((rule,))
    # Several seasons: a sentence (cut at . ; or a new line) holding none is shared by all
    # (the weekday, "le jeudi comme suit :"); each other sentence holds one season and says
    # its own frequency.
    sentences = [s for s in _sentences(words, seasons) if s]
    shared = [i for s, season in sentences if season is None for i in s]
    own = [(s, season) for s, season in sentences if season is not None]
    shared_days = _weekdays(words, shared, french)
    if len(own) != len(seasons):
        return Refusal(words.phrase(seasons[1][1]), DATE)
    rules = []
    for indices, season in own:
        rule = _read_rule(words, indices, french, tuple(sorted(season)), shared_days)
        if isinstance(rule, Refusal):
            return rule
        rules.append(rule)
    leftover = _read_rule(words, shared, french, (), None, weekdays_only=True)
    if isinstance(leftover, Refusal):
        return leftover
    return ParsedSchedule(tuple(rules))


def parse_collection_text(text) -> ParsedSchedule | None:
    """The schedule, or None when the text is refused (see read_collection_text for why)."""
    parsed = read_collection_text(text)
    return None if isinstance(parsed, Refusal) else parsed


def _several(words, pattern):
    """A Refusal when the text names two or more parts of the zone."""
    seen = {}
    for match, at in words.find(pattern):
        seen.setdefault(match.group(1), at)
        if len(seen) > 1:
            return Refusal(words.phrase(at), PARTS)
    return None


def _several_groups(words):
    """A Refusal when two schedules are given, each "pour les ..." / "for ..." something."""
    days = {words.tokens[i][0] for i in words.alive if words.tokens[i][0] in FULL_WEEKDAYS}
    if len({FULL_WEEKDAYS[d] for d in days}) < 2:
        return None
    return _several(words, GROUP_MENTION)


def _season_months(match):
    """The months of a season match, or None when it does not begin and end with a month."""
    groups = match.groups()
    if len(groups) == 2:
        first, last = MONTHS[groups[0]], MONTHS[groups[1]]
    else:
        if groups[1].isdigit():   # du 1er avril au 30 novembre
            first, day, last = MONTHS[groups[0]], int(groups[1]), MONTHS[groups[2]]
        else:                     # from April 1 to November 30
            first, last, day = MONTHS[groups[0]], MONTHS[groups[1]], int(groups[2])
        # The last day of the month, any year (February: 28 or 29).
        if day not in {calendar.monthrange(2023, last)[1], calendar.monthrange(2024, last)[1]}:
            return None
    if first == last:
        return None
    return {(first - 1 + k) % 12 + 1 for k in range((last - first) % 12 + 1)}


def _sentences(words, seasons):
    """[(token indices, months or None)], cut at . ; ! ? and new lines."""
    out = []
    season_at = {i: months for months, at in seasons for i in at}
    current, season = [], None
    for i in sorted({*words.alive, *season_at}):
        if words.tokens[i][0] in HARD_BREAKS - {"(", ")"}:
            out.append((current, season))
            current, season = [], None
        elif i in season_at:
            if season is not None and season != season_at[i]:
                return [([], None)]  # two seasons in one sentence: refused by the caller
            season = season_at[i]
        else:
            current.append(i)
    out.append((current, season))
    return out


def _weekdays(words, indices, french):
    return sorted({WEEKDAYS[words.tokens[i][0]] for i in indices
                   if words.tokens[i][0] in WEEKDAYS
                   and not (french and words.tokens[i][0] == "mon")})


def _read_rule(words, indices, french, months, inherited, weekdays_only=False):
    """The Rule said by the words at `indices`, or a Refusal. `inherited`: the weekdays of the
    shared sentence, for a season's sentence that names none."""
    indices = list(indices)
    # The n-th weekday of the month.
    positions, monthly_days = [], []
    for match, at in words.find(MONTHLY_DAYS, indices):
        ordinals = re.findall(_ORD, match.group(1))
        if re.search(r"\b(?:ou|or)\b", match.group(1)):
            return Refusal(words.phrase(at), DAY_CHOICE)
        positions.extend(ORDINALS[o] for o in ordinals)
        monthly_days.append(WEEKDAYS[match.group(2)])
        indices = [i for i in indices if i not in at]
    day_at = [(i, WEEKDAYS[words.tokens[i][0]]) for i in indices
              if words.tokens[i][0] in WEEKDAYS
              and not (french and words.tokens[i][0] == "mon")]
    if positions and day_at:
        return Refusal(words.phrase([day_at[0][0]]), CONTRADICTION)
    for (i, _day), (j, _next) in zip(day_at, day_at[1:], strict=False):
        between = [words.tokens[k][0] for k in range(i + 1, j)
                   if words.tokens[k][0] not in ARTICLES]
        if CHOICE_WORDS.intersection(between):
            return Refusal(words.phrase([i, j]), DAY_CHOICE)
        if len(between) == 1 and between[0] in RANGE_WORDS:
            return Refusal(words.phrase([i, j]), DAY_RANGE)
    if weekdays_only:
        rest = indices
        weekdays = []
    else:
        weekdays = sorted({day for _i, day in day_at}) or (
            [] if positions else list(inherited or []))
        if not weekdays and not positions:
            return Refusal(words.phrase(indices) if indices else words.original.strip(),
                           NO_WEEKDAY)

    intervals, times, rest = {}, None, indices

    def read(patterns, count):
        nonlocal rest
        for pattern in patterns:
            for match, at in words.find(pattern, rest):
                intervals.setdefault(count(match), at)
                rest = [i for i in rest if i not in at]

    for pattern in EVERY_N_DAYS:
        found = words.find(pattern, rest)
        if found and len(weekdays) > 1:
            return Refusal(words.phrase(found[0][1]), AMBIGUOUS)
    read(EVERY_N_DAYS, lambda m: COUNTS[m.group(1)])
    read(EVERY_N_WEEKS, lambda m: COUNTS[m.group(1)])
    read(EVERY_TWO_WEEKS, lambda m: 2)
    for pattern in TIMES_A_WEEK:
        for match, at in words.find(pattern, rest):
            times = (COUNTS[match.group(1)], at)
            intervals.setdefault(1, at)
            rest = [i for i in rest if i not in at]
    read(WEEKLY, lambda m: 1)
    # The most telling word first: "semaines paires" is refused for the parity.
    left = [i for i in rest if words.tokens[i][0] in UNREADABLE_WORDS]
    for i in sorted(left, key=lambda i: UNREADABLE_WORDS[words.tokens[i][0]] is UNKNOWN):
        return Refusal(words.around(i), UNREADABLE_WORDS[words.tokens[i][0]])
    if weekdays_only:
        if intervals:
            return Refusal(words.phrase(next(iter(intervals.values()))), CONTRADICTION)
        return None
    if len(intervals) > 1:  # "chaque semaine, aux deux semaines"
        return Refusal(words.phrase(list(intervals.values())[-1]), CONTRADICTION)
    if positions:
        if intervals:
            return Refusal(words.phrase(next(iter(intervals.values()))), CONTRADICTION)
        if len(set(monthly_days)) > 1:
            return Refusal(words.phrase(indices), CONTRADICTION)
        return Rule(tuple(sorted(set(monthly_days))), 1, tuple(sorted(set(positions),
                                                                       key=lambda p: p % 6)),
                    months)
    if times is not None and times[0] != len(weekdays):
        return Refusal(words.phrase(times[1]), TIMES)  # "deux fois par semaine, le lundi"
    interval = next(iter(intervals)) if intervals else 1
    return Rule(tuple(weekdays), interval, (), months)
