"""Stream the units of an official Quebec roll file (MAMH XML, "RL" schema).

Field codes are those of the ministry's "répertoire des renseignements prescrits": RLM01A the
municipality's geographic code, RLM02A the roll year, RLUEx one evaluation unit, RL0101 its civic
addresses, RL0103 its lots, RL0104A..F its matricule, RL04xx its values.

lxml's iterparse hands over one finished <RLUEx> at a time (the tag filter runs in C); each unit
is read in one pass over its elements, then it and its earlier siblings are deleted, so memory stays
flat whatever the file size (Montréal's roll is ~800 MB).

A roll has no DTD: a file that declares one (<!DOCTYPE>, hence entities: XXE, "billion laughs",
an entity standing for a street name) is refused before any unit is read, and entities are never
resolved nor anything fetched. libxml2's limits stay on (no huge_tree: a text node over 10 MB is
an error, not 10 MB of memory), and elements that are not units cannot pile up in memory: the
file is refused when UNIT_WINDOW bytes pass without the end of a unit."""
import datetime as dt
import json
import math
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _
from lxml import etree

from core.importers.report import ImportFailed
from geo.addresses import normalize


class BadUnit(ValueError):
    """One unit cannot be read; the others can."""


# The readers below validate a value (stripped, not empty) and return it as canonical text (what
# COPY wants). Plain digits, the usual case, never reach them (read_unit's fast path).

def _int(raw, tag):
    try:
        value = int(Decimal(raw.replace(",", ".").replace(" ", "")))
    except (InvalidOperation, ValueError, OverflowError):  # not a number, NaN, Infinity
        value = None
    if value is None or abs(value) >= 10**18:
        raise BadUnit(_("%(tag)s is not a number: %(raw)r") % {"tag": tag, "raw": raw})
    return str(value)


def _decimal(raw, tag):
    text = raw.replace(",", ".").replace(" ", "")
    try:
        valid = math.isfinite(float(text)) and text.isascii()  # the text keeps every digit
    except ValueError:
        valid = False
    if not valid:
        raise BadUnit(_("%(tag)s is not a number: %(raw)r") % {"tag": tag, "raw": raw})
    return text


def _date(raw, tag):
    try:
        return dt.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        raise BadUnit(_("%(tag)s is not a date: %(raw)r") % {"tag": tag, "raw": raw}) from None


def _use_code(raw, tag):
    return _copy_text(raw[:4])


def _estimated(raw, tag):
    return "t" if raw.upper() == "E" else "f"


# The roll values, in the importer's ROLL_FIELDS order: (tag, reader).
VALUES = (("RL0402A", _int),  # land_value
          ("RL0403A", _int),  # building_value
          ("RL0404A", _int),  # total_value
          ("RL0405A", _int),  # previous_total_value
          ("RL0105A", _use_code),  # use_code
          ("RL0307A", _int),  # year_built
          ("RL0307B", _estimated),  # year_built_estimated ("E")
          ("RL0308A", _decimal),  # floor_area
          ("RL0311A", _int),  # dwellings
          ("RL0306A", _int),  # storeys
          ("RL0302A", _decimal),  # lot_area
          ("RL0301A", _decimal),  # frontage
          ("RL0401A", _date))  # reference_date
_COLUMN = {tag: i for i, (tag, _reader) in enumerate(VALUES)}
# a missing value is NULL, except year_built_estimated: false
_NO_VALUES = tuple("f" if reader is _estimated else None for _tag, reader in VALUES)
_PLAIN = tuple(reader is _int for _tag, reader in VALUES)  # plain digits need no reader
_ASCII_DIGITS = frozenset("0123456789")
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


def _element(text):
    """One element of a PostgreSQL array literal of text (quoted)."""
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@lru_cache(maxsize=4096)
def _street(generic, link, name, direction):
    """A street's label, its normalised form and its fields as JSON (a town has a few hundred
    streets)."""
    street = " ".join(p for p in (generic, link, name, direction) if p).replace("' ", "'")
    fields = (f'"street_generic": {_json(generic)}, "street_link": {_json(link)}, '
              f'"street_name": {_json(name)}, "street_direction": {_json(direction)}')
    return street, _normalize(street), fields


def _address(a):
    """One address: its JSON object (the fields stored as they are), its label and its
    search_text (the importer compares and links by these two)."""
    number, get = a["RL0101Ax"], a.get
    suffix, number_to, unit = get("RL0101Bx", ""), get("RL0101Cx", ""), get("RL0101Ix", "")
    street, street_search, fields = _street(get("RL0101Ex", ""), get("RL0101Fx", ""),
                                            a["RL0101Gx"], get("RL0101Hx", ""))
    full = number + suffix
    if number_to:
        full += f"-{number_to}"
    # Canada Post's form for a unit: "100-92 Boulevard X" (language-neutral, stored as is).
    label = f"{unit}-{full} {street}" if unit else f"{full} {street}"
    # == normalize(f"{number} {street}"): normalize works word by word
    search = f"{_normalize(number)} {street_search}".strip()
    return (f'{{"civic_number": {_json(number)}, "civic_suffix": {_json(suffix)}, '
            f'"civic_number_to": {_json(number_to)}, {fields}, "unit": {_json(unit)}}}',
            label, search)


def read_unit(el, position) -> str:
    """The unit as one line of COPY text for the importer's staging table: position, matricule,
    lots (an array literal: digits only), the addresses' labels and search texts (array
    literals), the addresses (a JSON array of their fields), then the roll values (text the
    readers above validated, \\N for none) in ROLL_FIELDS order."""
    # One pass over the unit's direct children; the groups (addresses, lots, matricule) below.
    raw, matricule, addresses, lots = [None] * len(VALUES), {}, [], []
    column = _COLUMN.get
    for child in el:
        tag = child.tag
        i = column(tag)
        if i is not None:
            raw[i] = child.text
        elif tag == "RL0101":
            for group in child:
                address = {}
                for c in group:
                    text = c.text
                    address[c.tag] = text.strip() if text else ""
                addresses.append(address)
        elif tag == "RL0103":
            for group in child:
                for c in group:
                    if c.tag == "RL0103Ax" and c.text:
                        lots.append(c.text)
        elif tag == "RL0104":
            for c in child:
                matricule[c.tag] = c.text
    parts = [(matricule.get(tag) or "").strip() for tag in MATRICULE_PARTS]
    if not (parts[0] and parts[1] and parts[2] and parts[3]):
        raise BadUnit(_("no matricule (RL0104A to RL0104D)"))
    if not all(p.isascii() and p.isdigit() for p in parts if p):
        raise BadUnit(_("matricule is not numeric: %(m)s") % {"m": "-".join(parts)})
    parts[4] = parts[4] or "000"
    parts[5] = parts[5] or "0000"
    digits = []
    for lot in lots:
        lot = lot if lot.isdigit() and lot.isascii() else "".join(
            c for c in lot if c in _ASCII_DIGITS)
        if lot:
            digits.append(lot)
    row = list(_NO_VALUES)
    for i, value in enumerate(raw):
        if value is not None:
            value = value.strip()
            if value:  # an integer in plain digits (most values) is canonical as it is
                row[i] = value if _PLAIN[i] and value.isdigit() and value.isascii() \
                    and len(value) < 18 else VALUES[i][1](value, VALUES[i][0])
    read = [_address(a) for a in addresses if a.get("RL0101Ax") and a.get("RL0101Gx")]
    labels = _copy_text(",".join([_element(label) for _obj, label, _search in read]))
    searches = _copy_text(",".join([_element(search) for _obj, _label, search in read]))
    objects = _copy_text(", ".join([obj for obj, _label, _search in read]))
    return (f"{position}\t{'-'.join(parts)}\t{{{','.join(digits)}}}\t{{{labels}}}\t"
            f"{{{searches}}}\t[{objects}]\t"
            + "\t".join([v if v is not None else "\\N" for v in row]) + "\n")


# The most bytes read without the end of a unit (from the start of the file, or from the end of
# the previous unit). A unit is a few kB; elements the filter does not hand over stay in the tree
# until the next unit ends, at up to 30 times their size in the file (measured: 200 MB of "<a/>"
# took 6.4 GB): this bounds that to a few tens of MB.
UNIT_WINDOW = 1 << 20


class _Reader:
    """The binary file as lxml reads it, counting the bytes read since the last unit."""

    def __init__(self, raw):
        self.raw, self.since_unit = raw, 0

    def read(self, size=-1):
        if self.since_unit > UNIT_WINDOW:
            raise ImportFailed(_("The roll file has more than %(mb)d MB without an evaluation "
                                 "unit (<RLUEx>): it is not a MAMH roll file, or it is damaged. "
                                 "Nothing was saved.") % {"mb": UNIT_WINDOW >> 20})
        data = self.raw.read(size)
        self.since_unit += len(data)
        return data


def _refuse_dtd(el):
    docinfo = el.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _dtd_refused()


def _dtd_refused():
    return ImportFailed(_("The roll file declares a DTD (<!DOCTYPE ...>), which a MAMH roll "
                          "never has: it may hide entities (references to other files, or "
                          "text expanded without limit). Export the roll again from the "
                          "evaluation software, or remove the <!DOCTYPE> declaration. Nothing "
                          "was saved."))


def iter_roll(path, on_header, on_bad_unit):
    """Yield the units one at a time, each as a line of COPY text (read_unit).
    `on_header(code, year)` is called before the first unit;
    `on_bad_unit(position, reason)` for a unit that cannot be read. Raises ImportFailed when the
    file itself is not a readable roll."""
    header = {}
    position = 0
    root_tag = None
    if hasattr(path, "read"):  # a binary file
        if b"<!DOCTYPE" in path.read(1 << 16):  # before libxml2 reads the DTD at all
            raise _dtd_refused()
        path.seek(0)
        source = _Reader(path)
        events = _iterparse(source)
    else:  # a file name
        with open(path, "rb") as raw:
            yield from iter_roll(raw, on_header, on_bad_unit)
        return
    try:
        for _event, el in events:
            if root_tag is None:
                _refuse_dtd(el)
                root_tag = el.getroottree().getroot().tag
            if el.tag != "RLUEx":
                header[el.tag] = (el.text or "").strip()
                continue
            position += 1
            source.since_unit = 0
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


def _iterparse(source):
    return etree.iterparse(source, events=("end",), tag=("RLUEx", "RLM01A", "RLM02A"),
                           resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False,  # libxml2's limits on
                           remove_blank_text=True)  # no whitespace nodes to build
