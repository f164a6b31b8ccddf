"""Stream the units of an official Quebec roll file (MAMH XML, "RL" schema).

Field codes are those of the ministry's "répertoire des renseignements prescrits": RLM01A the
municipality's geographic code, RLM02A the roll year, RLUEx one evaluation unit, RL0101 its civic
addresses, RL0103 its lots, RL0104A..F its matricule, RL04xx its values.

lxml's iterparse hands over one finished <RLUEx> at a time (the tag filter runs in C); each unit
is read in one pass into a dict, then it and its earlier siblings are deleted, so memory stays
flat whatever the file size (Montréal's roll is ~800 MB). Entities are not resolved and nothing
is fetched from the network (no XXE)."""
import datetime as dt
import json
import math
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _
from lxml import etree

from geo.addresses import normalize
from geo.importers.report import ImportFailed


class BadUnit(ValueError):
    """One unit cannot be read; the others can."""


# The readers below validate a value and return it as canonical text (what COPY wants), or None.

def _int(values, tag):
    raw = values.get(tag)
    if not raw or raw.isdigit():
        return raw or None
    try:
        return str(int(Decimal(raw.replace(",", ".").replace(" ", ""))))
    except InvalidOperation:
        raise BadUnit(_("%(tag)s is not a number: %(raw)r") % {"tag": tag, "raw": raw}) from None


def _decimal(values, tag):
    raw = values.get(tag)
    if not raw:
        return None
    text = raw.replace(",", ".").replace(" ", "")
    try:
        valid = math.isfinite(float(text))  # validates; the text itself keeps every digit
    except ValueError:
        valid = False
    if not valid:
        raise BadUnit(_("%(tag)s is not a number: %(raw)r") % {"tag": tag, "raw": raw})
    return text


def _date(values, tag):
    raw = values.get(tag)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        raise BadUnit(_("%(tag)s is not a date: %(raw)r") % {"tag": tag, "raw": raw}) from None


MATRICULE_PARTS = ("RL0104A", "RL0104B", "RL0104C", "RL0104D", "RL0104E", "RL0104F")

# A town has a few hundred street names and a few thousand civic numbers for hundreds of
# thousands of addresses: the normalised forms are cached.
_normalize = lru_cache(maxsize=65536)(normalize)
_json = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
# COPY text format: backslash, tab, newline and carriage return are escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text):
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _address_json(a) -> str:
    """One address as the JSON object the importer stages (label and search_text included)."""
    number, street_name = a["RL0101Ax"], a["RL0101Gx"]
    suffix, number_to = a.get("RL0101Bx", ""), a.get("RL0101Cx", "")
    generic, link = a.get("RL0101Ex", ""), a.get("RL0101Fx", "")
    direction, unit = a.get("RL0101Hx", ""), a.get("RL0101Ix", "")
    street = " ".join(p for p in (generic, link, street_name, direction) if p).replace("' ", "'")
    full = number + suffix
    if number_to:
        full += f"-{number_to}"
    # Canada Post's form for a unit: "100-92 Boulevard X" (language-neutral, stored as is).
    label = f"{unit}-{full} {street}" if unit else f"{full} {street}"
    # == normalize(f"{number} {street}"): normalize works word by word
    search = f"{_normalize(number)} {_normalize(street)}".strip()
    return (f'{{"civic_number": {_json(number)}, "civic_suffix": {_json(suffix)}, '
            f'"civic_number_to": {_json(number_to)}, "street_generic": {_json(generic)}, '
            f'"street_link": {_json(link)}, "street_name": {_json(street_name)}, '
            f'"street_direction": {_json(direction)}, "unit": {_json(unit)}, '
            f'"label": {_json(label)}, "search_text": {_json(search)}}}')


def read_unit(el, position) -> str:
    """The unit as one line of COPY text for the importer's staging table: position, matricule,
    lots (an array literal: digits only), addresses (JSON), then the roll values (text the
    readers above validated, \\N for none) in ROLL_FIELDS order."""
    # One pass over the unit's direct children; the groups (addresses, lots, matricule) below.
    values, addresses, lots = {}, [], []
    for child in el:
        tag = child.tag
        if tag == "RL0101":
            addresses.extend({c.tag: (c.text or "").strip() for c in group} for group in child)
        elif tag == "RL0103":
            lots.extend(c.text or "" for group in child for c in group if c.tag == "RL0103Ax")
        elif tag == "RL0104":
            values.update((c.tag, (c.text or "").strip()) for c in child)
        elif child.text is not None:
            values[tag] = child.text.strip()
    get = values.get
    parts = [get("RL0104A", ""), get("RL0104B", ""), get("RL0104C", ""), get("RL0104D", ""),
             get("RL0104E", ""), get("RL0104F", "")]
    if not (parts[0] and parts[1] and parts[2] and parts[3]):
        raise BadUnit(_("no matricule (RL0104A to RL0104D)"))
    if not all(p.isdigit() for p in parts if p):
        raise BadUnit(_("matricule is not numeric: %(m)s") % {"m": "-".join(parts)})
    parts[4] = parts[4] or "000"
    parts[5] = parts[5] or "0000"
    digits = []
    for lot in lots:
        lot = lot if lot.isdigit() else "".join(c for c in lot if c.isdigit())
        if lot:
            digits.append(lot)
    # values: text for COPY, in ROLL_FIELDS order
    row = [
        _int(values, "RL0402A"),  # land_value
        _int(values, "RL0403A"),  # building_value
        _int(values, "RL0404A"),  # total_value
        _int(values, "RL0405A"),  # previous_total_value
        _copy_text(get("RL0105A", "")[:4]),  # use_code
        _int(values, "RL0307A"),  # year_built
        "t" if get("RL0307B", "").upper() == "E" else "f",  # year_built_estimated
        _decimal(values, "RL0308A"),  # floor_area
        _int(values, "RL0311A"),  # dwellings
        _int(values, "RL0306A"),  # storeys
        _decimal(values, "RL0302A"),  # lot_area
        _decimal(values, "RL0301A"),  # frontage
        _date(values, "RL0401A"),  # reference_date
    ]
    addresses = _copy_text(", ".join(_address_json(a) for a in addresses
                                     if a.get("RL0101Ax") and a.get("RL0101Gx")))
    return (f"{position}\t{'-'.join(parts)}\t{{{','.join(digits)}}}\t[{addresses}]\t"
            + "\t".join([v if v is not None else "\\N" for v in row]) + "\n")


def iter_roll(path, on_header, on_bad_unit):
    """Yield the units one at a time, each as a line of COPY text (read_unit).
    `on_header(code, year)` is called before the first unit;
    `on_bad_unit(position, reason)` for a unit that cannot be read. Raises ImportFailed when the
    file itself is not a readable roll."""
    header = {}
    position = 0
    root_tag = None
    events = etree.iterparse(str(path), events=("end",), tag=("RLUEx", "RLM01A", "RLM02A"),
                             resolve_entities=False, no_network=True, huge_tree=True)
    try:
        for _event, el in events:
            if root_tag is None:
                root_tag = el.getroottree().getroot().tag
            if el.tag != "RLUEx":
                header[el.tag] = (el.text or "").strip()
                continue
            position += 1
            if position == 1:
                on_header(header.get("RLM01A", ""), _year(header))
            try:
                yield read_unit(el, position)
            except BadUnit as exc:
                on_bad_unit(position, str(exc))
            el.clear(keep_tail=False)  # drop this unit and the ones before it: flat memory
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise ImportFailed(_("The roll file is not well-formed XML (truncated or damaged?) near "
                             "line %(line)d, column %(col)d: nothing was saved.")
                           % {"line": line, "col": column}) from exc
    if position == 0:
        if root_tag is None and not header:
            raise ImportFailed(_("This is not a MAMH roll file: no <RL> root with <RLUEx> "
                                 "units."))
        _year(header)  # a roll with no unit still needs a valid header


def _year(header):
    raw = header.get("RLM02A", "")
    if not raw[:4].isdigit():
        raise ImportFailed(_("The roll file has no roll year (RLM02A)."))
    return int(raw[:4])
