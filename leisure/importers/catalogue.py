"""Import a season's catalogue from the leisure software's CSV export (`import_leisure`).

The layout is Guichet's own (docs/leisure-csv-layout.md): no published standard for a
leisure software's export was found, so we defined one that the usual Quebec leisure systems
can produce as a flat report. One line per time slot of a group; the season's, the
activity's and the group's columns repeat on each of their lines, and must repeat the same.

The file is imported whole or not at all: every problem is collected (up to MAX_ERRORS, with
its line, its column and the fix), then the file is refused if there is one, nothing saved.
A dry run unless `commit`. A re-import of a season updates its groups (key: season + group
code), replaces their time slots, and retires the groups the file no longer holds; a file that
would retire or change more than `max_share` of a season's groups is refused unless `force`
(core.importers.sync.Syncer). Categories and activities are shared by the seasons: created or
updated, never removed."""
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.importers.csvfile import read_csv
from core.importers.report import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE, Syncer
from geo.models import Place

from ..models import (
    MAX_AGE,
    MAX_CAPACITY,
    MAX_FEE,
    MAX_SEASON_DAYS,
    MAX_WAITING_LIST,
    Activity,
    ActivityCategory,
    Group,
    Registration,
    Season,
    TimeSlot,
)
from ..recurrence import BadRule, check_slot, overlap, parse_rule

REQUIRED = ["saison", "saison_fr", "saison_debut", "saison_fin", "inscription_residents",
            "inscription_tous", "inscription_fin", "categorie", "categorie_fr", "activite",
            "activite_fr", "groupe", "lieu", "age_min", "age_max", "places", "tarif_resident",
            "tarif_non_resident", "rrule", "date_debut", "date_fin", "heure_debut", "heure_fin"]
OPTIONAL = ["saison_en", "categorie_en", "activite_en", "description_fr", "description_en",
            "local", "moniteur", "age_au", "liste_attente", "prealable", "prealable_fr",
            "prealable_en", "comptoir_seulement", "exceptions"]
SEASON_COLUMNS = ["saison_fr", "saison_en", "saison_debut", "saison_fin",
                  "inscription_residents", "inscription_tous", "inscription_fin"]
CATEGORY_COLUMNS = ["categorie_fr", "categorie_en"]
ACTIVITY_COLUMNS = ["categorie", "activite_fr", "activite_en", "description_fr",
                    "description_en"]
GROUP_COLUMNS = ["activite", "lieu", "local", "moniteur", "age_min", "age_max", "age_au",
                 "places", "liste_attente", "tarif_resident", "tarif_non_resident", "prealable",
                 "prealable_fr", "prealable_en", "comptoir_seulement"]
MAX_ROWS = 10_000
MAX_ERRORS = 50
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_\-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})")
_SPACES = str.maketrans("", "", " \u00a0\u202f$")
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
YES = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
NO = {"non", "n", "no", "0", "faux", "false", ""}


class Bad(ValueError):
    """One column of one line that cannot be read: the message says what to write."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column = column


@dataclass
class _Line:
    n: int
    raw: dict
    season: tuple | None = None
    group: dict | None = None
    slot: dict | None = None


@dataclass
class _Problems:
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, n, column, message):
        where = (_("line %(n)d, %(column)s") % {"n": n, "column": column} if column
                 else _("line %(n)d") % {"n": n})
        self.items.append((n, f"{where}: {message}"))

    def refuse(self, path: Path):
        if not self.items:
            return
        items = sorted(self.items)
        shown = [text for _n, text in items[:MAX_ERRORS]]
        if len(items) > MAX_ERRORS:
            shown.append(_("… and %(n)d more.") % {"n": len(items) - MAX_ERRORS})
        raise ImportFailed(
            ngettext("The file %(name)s was refused, nothing was saved: %(n)d problem to fix in "
                     "the leisure software (or in the file), then import it again.",
                     "The file %(name)s was refused, nothing was saved: %(n)d problems to fix in "
                     "the leisure software (or in the file), then import it again.", len(items))
            % {"name": path.name, "n": len(items)} + "\n" + "\n".join(f"  - {t}" for t in shown))


def _code(column, value, max_length, pattern=_CODE):
    if not value:
        raise Bad(column, _("empty: every line needs its %(column)s.") % {"column": column})
    if len(value) > max_length or not pattern.fullmatch(value):
        raise Bad(column, _("“%(value)s” is not a code: letters, digits, dots, dashes or "
                            "underscores, %(max)d characters at most.")
                  % {"value": value[:60], "max": max_length})
    return value


def _text(column, value, max_length, required=False):
    if required and not value:
        raise Bad(column, _("empty: every line needs its %(column)s.") % {"column": column})
    if len(value) > max_length:
        raise Bad(column, _("%(n)d characters: at most %(max)d.")
                  % {"n": len(value), "max": max_length})
    return value


def _date(column, value, required=True):
    if not value and not required:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        day = dt.date.fromisoformat(value)
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        raise Bad(column, _("“%(value)s” is not a date: write YYYY-MM-DD, e.g. 2027-01-12.")
                  % {"value": value[:40]}) from None
    return day


def _time(column, value):
    match = _TIME.fullmatch(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise Bad(column, _("“%(value)s” is not a time of day: write HH:MM on 24 hours, e.g. "
                            "18:30.") % {"value": value[:40]})
    return dt.time(int(match.group(1)), int(match.group(2)))


def _moment(column, value):
    """A local date and time ("2026-12-08 19:00", in the town's time zone) as an aware one."""
    parts = value.replace("T", " ").split()
    if len(parts) != 2:
        raise Bad(column, _("“%(value)s” is not a date and time: write YYYY-MM-DD HH:MM (local "
                            "time), e.g. 2026-12-08 19:00.") % {"value": value[:40]})
    day, hour = _date(column, parts[0]), _time(column, parts[1])
    return timezone.make_aware(dt.datetime.combine(day, hour))


def _whole(column, value, low, high, default=None):
    if not value and default is not None:
        return default
    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
        raise Bad(column, _("“%(value)s”: write a whole number from %(low)d to %(high)d.")
                  % {"value": value[:40], "low": low, "high": high})
    return int(value)


def _money(column, value):
    cleaned = value.translate(_SPACES)
    if "," in cleaned and "." in cleaned:
        cleaned = "?"  # 1,234.56 or 1.234,56: ambiguous, refused
    cleaned = cleaned.replace(",", ".")
    try:
        if not _AMOUNT.fullmatch(cleaned):
            raise InvalidOperation
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or amount > MAX_FEE:
        raise Bad(column, _("“%(value)s” is not a fee: write dollars from 0 to %(max)s, with "
                            "at most 2 decimals (85, 85.00 or 85,00).")
                  % {"value": value[:40], "max": MAX_FEE})
    return amount


def _yes_no(column, value):
    low = value.lower()
    if low in YES:
        return True
    if low in NO:
        return False
    raise Bad(column, _("“%(value)s”: write oui or non.") % {"value": value[:40]})


def _dates(column, value):
    return sorted({_date(column, part) for part in re.split(r"[\s,;|]+", value) if part})


def _read_line(line: _Line, problems: _Problems):
    """Parse one line's columns; each unreadable column is one problem."""
    r = line.raw

    def read(parse, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except Bad as exc:
            problems.add(line.n, exc.column, str(exc))
            raise

    try:
        season = {
            "code": read(_code, "saison", r["saison"], 20),
            "name_fr": read(_text, "saison_fr", r["saison_fr"], 100, required=True),
            "name_en": read(_text, "saison_en", r["saison_en"], 100),
            "starts_on": read(_date, "saison_debut", r["saison_debut"]),
            "ends_on": read(_date, "saison_fin", r["saison_fin"]),
            "residents_from": read(_moment, "inscription_residents", r["inscription_residents"]),
            "everyone_from": read(_moment, "inscription_tous", r["inscription_tous"]),
            "closes_at": read(_moment, "inscription_fin", r["inscription_fin"]),
        }
        line.season = season
    except Bad:
        pass
    group = {}
    for key, parse, args, kwargs in [
        ("code", _code, ("groupe", r["groupe"], 50), {}),
        ("category", _code, ("categorie", r["categorie"].lower(), 50, _SLUG), {}),
        ("category_fr", _text, ("categorie_fr", r["categorie_fr"], 100), {"required": True}),
        ("category_en", _text, ("categorie_en", r["categorie_en"], 100), {}),
        ("activity", _code, ("activite", r["activite"], 50), {}),
        ("title_fr", _text, ("activite_fr", r["activite_fr"], 200), {"required": True}),
        ("title_en", _text, ("activite_en", r["activite_en"], 200), {}),
        ("description_fr", _text, ("description_fr", r["description_fr"], 2000), {}),
        ("description_en", _text, ("description_en", r["description_en"], 2000), {}),
        ("place", _text, ("lieu", r["lieu"], 255), {"required": True}),
        ("room", _text, ("local", r["local"], 100), {}),
        ("instructor", _text, ("moniteur", r["moniteur"], 100), {}),
        ("age_min", _whole, ("age_min", r["age_min"], 0, MAX_AGE), {}),
        ("age_max", _whole, ("age_max", r["age_max"], 0, MAX_AGE), {}),
        ("age_on", _date, ("age_au", r["age_au"]), {"required": False}),
        ("capacity", _whole, ("places", r["places"], 1, MAX_CAPACITY), {}),
        ("waiting_list_size", _whole, ("liste_attente", r["liste_attente"], 0,
                                       MAX_WAITING_LIST), {"default": 0}),
        ("fee_resident", _money, ("tarif_resident", r["tarif_resident"]), {}),
        ("fee_non_resident", _money, ("tarif_non_resident", r["tarif_non_resident"]), {}),
        ("prerequisite", _text, ("prealable", r["prealable"], 50), {}),
        ("prerequisite_note_fr", _text, ("prealable_fr", r["prealable_fr"], 300), {}),
        ("prerequisite_note_en", _text, ("prealable_en", r["prealable_en"], 300), {}),
        ("counter_only", _yes_no, ("comptoir_seulement", r["comptoir_seulement"]), {}),
    ]:
        try:
            group[key] = read(parse, *args, **kwargs)
        except Bad:
            group = None
            break
    if group is not None:
        if group["age_min"] > group["age_max"]:
            problems.add(line.n, "age_min, age_max", _(
                "the age range is reversed (from %(min)d to %(max)d years): write the lower age "
                "in age_min and the higher in age_max.")
                % {"min": group["age_min"], "max": group["age_max"]})
            group = None
        elif group["prerequisite"] == group["activity"]:
            problems.add(line.n, "prealable", _(
                "the activity %(code)s cannot be its own prerequisite: name the previous level's "
                "activity code, or leave prealable empty.") % {"code": group["activity"]})
            group = None
    line.group = group
    try:
        line.slot = {
            "rule": read(_text, "rrule", r["rrule"], 200, required=True),
            "starts_on": read(_date, "date_debut", r["date_debut"]),
            "ends_on": read(_date, "date_fin", r["date_fin"]),
            "start_time": read(_time, "heure_debut", r["heure_debut"]),
            "end_time": read(_time, "heure_fin", r["heure_fin"]),
            "exceptions": read(_dates, "exceptions", r["exceptions"]),
        }
    except Bad:
        line.slot = None


def _check_season(n, season, problems) -> bool:
    if season["ends_on"] < season["starts_on"]:
        problems.add(n, "saison_debut, saison_fin", _(
            "the season ends (%(end)s) before it starts (%(start)s): swap the dates.")
            % {"end": season["ends_on"], "start": season["starts_on"]})
        return False
    if (season["ends_on"] - season["starts_on"]).days > MAX_SEASON_DAYS:
        problems.add(n, "saison_fin", _("a season lasts a year at most."))
        return False
    if not season["residents_from"] <= season["everyone_from"] <= season["closes_at"]:
        problems.add(n, "inscription_residents, inscription_tous, inscription_fin", _(
            "registration must open to residents, then to everyone (the same moment or later), "
            "then close: put the three moments in that order."))
        return False
    return True


# The file's column of each value read (the messages name the columns).
COLUMN_OF = {
    "code": "groupe", "category": "categorie", "category_fr": "categorie_fr",
    "category_en": "categorie_en", "activity": "activite", "title_fr": "activite_fr",
    "title_en": "activite_en", "place": "lieu", "room": "local", "instructor": "moniteur",
    "age_on": "age_au", "capacity": "places", "waiting_list_size": "liste_attente",
    "fee_resident": "tarif_resident", "fee_non_resident": "tarif_non_resident",
    "prerequisite": "prealable", "prerequisite_note_fr": "prealable_fr",
    "prerequisite_note_en": "prealable_en", "counter_only": "comptoir_seulement",
    "name_fr": "saison_fr", "name_en": "saison_en", "starts_on": "saison_debut",
    "ends_on": "saison_fin", "residents_from": "inscription_residents",
    "everyone_from": "inscription_tous", "closes_at": "inscription_fin",
}


def _first_differing(a: dict, b: dict, columns) -> str:
    """The columns whose values differ between two lines (the first 6)."""
    names = [COLUMN_OF.get(c, c) for c in columns if a.get(c) != b.get(c)]
    return ", ".join(names[:6]) + (" …" if len(names) > 6 else "")


def _normal(text: str) -> str:
    """Case, accents and spacing ignored: "Parc  Shamrock" == "parc shamrock"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c))
                    .casefold().replace("-", " ").split())


def _places(references: set[str]) -> tuple[dict, dict]:
    """{reference: Place} for the `lieu` values that name one place, {reference: why not} for
    the others. A reference is a place's source and identifier ("osm:way/771153846") or its
    name as on the map (case and accents ignored)."""
    found, why = {}, {}
    by_name: dict[str, list[Place]] = {}
    for place in Place.objects.exclude(name="").select_related("category"):
        by_name.setdefault(_normal(place.name), []).append(place)
    for ref in sorted(references):
        source, sep, source_id = ref.partition(":")
        if sep and "/" in source_id:
            matches = list(Place.objects.filter(source=source.strip(),
                                                source_id=source_id.strip()))
        else:
            matches = by_name.get(_normal(ref), [])
        if len(matches) == 1:
            found[ref] = matches[0]
        elif matches:
            why[ref] = _("“%(ref)s” names %(n)d places (%(refs)s): write the one meant by its "
                         "reference.") % {"ref": ref, "n": len(matches), "refs": ", ".join(
                             f"{p.source}:{p.source_id}" for p in matches[:5])}
        else:
            close = difflib.get_close_matches(_normal(ref), list(by_name), n=3, cutoff=0.6)
            hint = (_(" Places with a close name: %(names)s.")
                    % {"names": ", ".join(by_name[c][0].name for c in close)} if close else "")
            why[ref] = _("“%(ref)s” is not a place of the territory: write a place's name as "
                         "on the map or its reference (e.g. osm:way/771153846), or add the "
                         "place first (manage.py import_places, or the admin's places).%(hint)s"
                         ) % {"ref": ref, "hint": hint}
    return found, why


def parse_file(path: Path) -> list[_Line]:
    """Every line read and checked; ImportFailed listing the problems, if any."""
    problems = _Problems()
    what = _("an export of the leisure software (layout: docs/leisure-csv-layout.md)")
    lines = [_Line(n, raw) for n, raw in read_csv(path, required=REQUIRED, optional=OPTIONAL,
                                                   what=what, max_rows=MAX_ROWS)]
    for line in lines:
        _read_line(line, problems)

    seasons: dict[str, tuple[int, dict]] = {}
    for line in lines:
        if line.season is None:
            continue
        code = line.season["code"]
        if code not in seasons:
            if _check_season(line.n, line.season, problems):
                seasons[code] = (line.n, line.season)
            else:
                seasons[code] = (line.n, None)
        elif seasons[code][1] is not None and seasons[code][1] != line.season:
            first, values = seasons[code]
            problems.add(line.n, "saison", _(
                "the season %(code)s has other values here than on line %(first)d (%(what)s): a "
                "season's columns repeat the same values on each of its lines.")
                % {"code": code, "first": first,
                   "what": _first_differing(values, line.season, values)})
    _check_shared(lines, problems, "category", ["category_fr", "category_en"],
                  _("the category %(code)s is named differently than on line %(first)d "
                    "(%(what)s): a category's columns repeat the same values on each line."))
    _check_shared(lines, problems, "activity",
                  ["category", "title_fr", "title_en", "description_fr", "description_en"],
                  _("the activity %(code)s has other values here than on line %(first)d "
                    "(%(what)s): an activity's columns repeat the same values on each line."))

    references = {line.group["place"] for line in lines if line.group}
    places, unknown = _places(references)
    activity_codes = {line.group["activity"] for line in lines if line.group}
    known_activities = activity_codes | set(Activity.objects.filter(
        code__in={line.group["prerequisite"] for line in lines if line.group}
    ).values_list("code", flat=True))

    groups: dict[tuple, list[_Line]] = {}
    for line in lines:
        g = line.group
        if g is None or line.season is None:
            continue
        if g["place"] in unknown:
            problems.add(line.n, "lieu", unknown[g["place"]])
            continue
        if g["prerequisite"] and g["prerequisite"] not in known_activities:
            problems.add(line.n, "prealable", _(
                "“%(code)s” is not an activity code of this file or of an earlier import: name "
                "the previous level's activity code, or leave prealable empty.")
                % {"code": g["prerequisite"]})
            continue
        key = (line.season["code"], g["code"])
        same = groups.setdefault(key, [])
        if same and same[0].group != g:
            problems.add(line.n, "groupe", _(
                "the group code %(code)s is already used on line %(first)d by another group "
                "(%(what)s differ): give each group its own code. A group's time slots repeat "
                "its columns exactly.")
                % {"code": g["code"], "first": same[0].n,
                   "what": _first_differing(same[0].group, g, same[0].group)})
            continue
        same.append(line)

    for (season_code, _group_code), same in groups.items():
        season = seasons.get(season_code, (0, None))[1]
        checked = []
        for line in same:
            if line.slot is None:
                continue
            slot = line.slot
            try:
                rule = parse_rule(slot["rule"])
            except BadRule as exc:
                problems.add(line.n, "rrule", str(exc))
                continue
            try:
                check_slot(rule, slot["starts_on"], slot["ends_on"], slot["start_time"],
                           slot["end_time"], slot["exceptions"])
            except BadRule as exc:
                problems.add(line.n, "rrule, date_debut, date_fin, heure_debut, heure_fin, "
                                     "exceptions", str(exc))
                continue
            slot["rule"] = rule.text()
            if season is not None and not (season["starts_on"] <= slot["starts_on"]
                                           and slot["ends_on"] <= season["ends_on"]):
                problems.add(line.n, "date_debut, date_fin", _(
                    "the slot (%(start)s to %(end)s) is outside its season %(season)s "
                    "(%(season_start)s to %(season_end)s): correct the dates or the season.")
                    % {"start": slot["starts_on"], "end": slot["ends_on"],
                       "season": season_code, "season_start": season["starts_on"],
                       "season_end": season["ends_on"]})
                continue
            candidate = _SlotView(line.n, **slot)
            for other in checked:
                day = overlap(other, candidate)
                if day is not None:
                    problems.add(line.n, "date_debut, heure_debut, heure_fin, rrule", _(
                        "this time slot of group %(code)s overlaps the one on line %(first)d on "
                        "%(day)s (%(a)s and %(b)s): correct the days or hours, or merge the two "
                        "lines into one.")
                        % {"code": same[0].group["code"], "first": other.pk,
                           "day": day.isoformat(), "a": other.hours(), "b": candidate.hours()})
                    break
            else:
                checked.append(candidate)
    problems.refuse(path)
    for line in lines:
        line.group["place_obj"] = places[line.group["place"]]
    return lines


@dataclass
class _SlotView:
    """A slot of the file, shaped as a TimeSlot for recurrence.overlap."""

    pk: int  # the line number
    rule: str
    starts_on: dt.date
    ends_on: dt.date
    start_time: dt.time
    end_time: dt.time
    exceptions: list

    def hours(self):
        return f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"


def _check_shared(lines, problems, key, columns, message):
    first: dict[str, _Line] = {}
    for line in lines:
        g = line.group
        if g is None:
            continue
        seen = first.setdefault(g[key], line)
        if seen is not line and any(seen.group[c] != g[c] for c in columns):
            problems.add(line.n, None, message % {
                "code": g[key], "first": seen.n,
                "what": _first_differing(seen.group, g, columns)})


def import_leisure(path, *, commit: bool = False, force: bool = False,
                   max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    lines = parse_file(path)
    with transaction.atomic():
        counts = _save(lines, report, force=force, max_share=max_share, commit=commit)
        report.created = sum(c["created"] for c in counts.values())
        report.updated = sum(c["updated"] for c in counts.values())
        # One sentence each: in French the words agree with the kind (créés, créées).
        for kind, line in (
                ("seasons", _("Seasons: %(created)d created, %(updated)d updated, "
                              "%(unchanged)d unchanged.")),
                ("categories", _("Categories: %(created)d created, %(updated)d updated, "
                                 "%(unchanged)d unchanged.")),
                ("activities", _("Activities: %(created)d created, %(updated)d updated, "
                                 "%(unchanged)d unchanged.")),
                ("groups", _("Groups: %(created)d created, %(updated)d updated, "
                             "%(unchanged)d unchanged.")),
                ("slots", _("Time slots: %(created)d created, %(updated)d updated, "
                            "%(unchanged)d unchanged."))):
            report.notes.append(line % counts[kind])
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _upsert(model, key, rows: dict, counts: dict) -> dict:
    """{key value: saved row} for `rows` ({key value: field values}), created or updated."""
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": list(rows)})}
    saved = {}
    for value, fields in rows.items():
        row = existing.get(value)
        if row is None:
            row = model.objects.create(**{key: value}, **fields)
            counts["created"] += 1
        elif _differs(row, fields):
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        saved[value] = row
    return saved


def _differs(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _save(lines: list[_Line], report, *, force, max_share, commit) -> dict:
    counts = {k: dict.fromkeys(("created", "updated", "unchanged"), 0)
              for k in ("seasons", "categories", "activities", "groups", "slots")}
    season_rows = {line.season["code"]: {k: v for k, v in line.season.items() if k != "code"}
                   for line in lines}
    seasons = _upsert(Season, "code", season_rows, counts["seasons"])
    categories = _upsert(ActivityCategory, "code", {
        line.group["category"]: {"name_fr": line.group["category_fr"],
                                 "name_en": line.group["category_en"]} for line in lines},
        counts["categories"])
    activities = _upsert(Activity, "code", {
        line.group["activity"]: {
            "category": categories[line.group["category"]],
            **{k: line.group[k] for k in ("title_fr", "title_en", "description_fr",
                                          "description_en")}} for line in lines},
        counts["activities"])
    prerequisites = {a.code: a for a in Activity.objects.filter(
        code__in={line.group["prerequisite"] for line in lines if line.group["prerequisite"]})}

    by_group: dict[tuple, list[_Line]] = {}
    for line in lines:
        by_group.setdefault((line.season["code"], line.group["code"]), []).append(line)
    for season_code, season in seasons.items():
        existing = {g.code: g for g in Group.objects.filter(season=season)
                    .prefetch_related("slots")}
        syncer = Syncer(Group.objects.filter(season=season), "code", report,
                        _("groups of %(season)s") % {"season": season_code},
                        max_share=max_share, force=force)
        for (code_season, code), same in by_group.items():
            if code_season != season_code:
                continue
            g = same[0].group
            values = {
                "activity": activities[g["activity"]], "place": g["place_obj"],
                "age_on": g["age_on"] or season.starts_on,
                "prerequisite": prerequisites.get(g["prerequisite"]),
                **{k: g[k] for k in ("room", "instructor", "age_min", "age_max", "capacity",
                                     "waiting_list_size", "fee_resident", "fee_non_resident",
                                     "prerequisite_note_fr", "prerequisite_note_en",
                                     "counter_only")}}
            slots = [TimeSlot(**line.slot) for line in same]
            for slot in slots:
                slot.refresh_weekdays()
            group = existing.get(code)
            if group is None:
                group = Group.objects.create(season=season, code=code, **values)
                counts["groups"]["created"] += 1
                changed = False
            else:
                taken = group.registrations.filter(status__in=Registration.SEATED).count()
                if values["capacity"] < taken:
                    raise ImportFailed(_(
                        "Group %(code)s of %(season)s: the file gives it %(seats)d seats, and "
                        "%(n)d people are registered or offered a seat. Give it at least %(n)d "
                        "seats, or move or cancel registrations first (leisure desk).")
                        % {"code": code, "season": season_code, "seats": values["capacity"],
                           "n": taken})
                changed = _differs(group, values)
                if changed:
                    group.save()
                    counts["groups"]["updated"] += 1
                else:
                    counts["groups"]["unchanged"] += 1
            before = sorted(_slot_key(s) for s in group.slots.all())
            after = sorted(_slot_key(s) for s in slots)
            if before != after:
                group.slots.all().delete()
                for slot in slots:
                    slot.group = group
                TimeSlot.objects.bulk_create(slots)
                counts["slots"]["created"] += len(slots)
                changed = changed or bool(before)
            else:
                counts["slots"]["unchanged"] += len(slots)
            syncer.seen(code, changed=changed)
        syncer.finish(commit=commit)
    return counts


def _slot_key(slot):
    return (slot.rule, slot.starts_on, slot.ends_on, slot.start_time, slot.end_time,
            tuple(sorted(slot.exceptions)))
