"""Stream the units of an official Quebec roll file (MAMH XML, "RL" schema).

Field codes are those of the ministry's "répertoire des renseignements prescrits": RLM01A the
municipality's geographic code, RLM02A the roll year, RLUEx one evaluation unit, RL0101 its civic
addresses, RL0103 its lots, RL0104A..F its matricule, RL04xx its values.

lxml's iterparse hands over one finished <RLUEx> at a time (the tag filter runs in C); each unit
is read in one pass into a dict, then it and its earlier siblings are deleted, so memory stays
flat whatever the file size (Montréal's roll is ~800 MB). Entities are not resolved and nothing
is fetched from the network (no XXE)."""
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from geo.importers.report import ImportFailed


class BadUnit(ValueError):
    """One unit cannot be read; the others can."""


@dataclass
class Address:
    civic_number: str
    civic_suffix: str = ""
    civic_number_to: str = ""
    street_generic: str = ""
    street_link: str = ""
    street_name: str = ""
    street_direction: str = ""
    unit: str = ""

    @property
    def street_label(self):
        return " ".join(p for p in (self.street_generic, self.street_link, self.street_name,
                                    self.street_direction) if p).replace("' ", "'")

    @property
    def label(self):
        number = self.civic_number + self.civic_suffix
        if self.civic_number_to:
            number += f"-{self.civic_number_to}"
        # Canada Post's form for a unit: "100-92 Boulevard X" (language-neutral, stored as is).
        prefix = f"{self.unit}-" if self.unit else ""
        return f"{prefix}{number} {self.street_label}"


@dataclass
class Unit:
    position: int
    matricule: str
    addresses: list[Address] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)


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


def read_unit(el, position) -> Unit:
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
    parts = [values.get(tag, "") for tag in MATRICULE_PARTS]
    if not all(parts[:4]):
        raise BadUnit(_("no matricule (RL0104A to RL0104D)"))
    if not all(p.isdigit() for p in parts if p):
        raise BadUnit(_("matricule is not numeric: %(m)s") % {"m": "-".join(parts)})
    parts[4] = parts[4] or "000"
    parts[5] = parts[5] or "0000"
    unit = Unit(position=position, matricule="-".join(parts))
    for a in addresses:
        if a.get("RL0101Ax") and a.get("RL0101Gx"):
            unit.addresses.append(Address(
                civic_number=a["RL0101Ax"], civic_suffix=a.get("RL0101Bx", ""),
                civic_number_to=a.get("RL0101Cx", ""), street_generic=a.get("RL0101Ex", ""),
                street_link=a.get("RL0101Fx", ""), street_name=a["RL0101Gx"],
                street_direction=a.get("RL0101Hx", ""), unit=a.get("RL0101Ix", "")))
    for lot in lots:
        digits = lot if lot.isdigit() else "".join(c for c in lot if c.isdigit())
        if digits:
            unit.lots.append(digits)
    unit.values = {
        "use_code": values.get("RL0105A", "")[:4],  # values: text for COPY, see above
        "frontage": _decimal(values, "RL0301A"),
        "lot_area": _decimal(values, "RL0302A"),
        "storeys": _int(values, "RL0306A"),
        "year_built": _int(values, "RL0307A"),
        "year_built_estimated": "t" if values.get("RL0307B", "").upper() == "E" else "f",
        "floor_area": _decimal(values, "RL0308A"),
        "dwellings": _int(values, "RL0311A"),
        "reference_date": _date(values, "RL0401A"),
        "land_value": _int(values, "RL0402A"),
        "building_value": _int(values, "RL0403A"),
        "total_value": _int(values, "RL0404A"),
        "previous_total_value": _int(values, "RL0405A"),
    }
    return unit


def iter_roll(path, on_header, on_bad_unit):
    """Yield Units one at a time. `on_header(code, year)` is called before the first unit;
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
