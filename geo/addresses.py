"""Address normalisation shared by the importers (to link roll units to address points) and by the
search (so that "12 rue St-Jean" and "12, Rue Saint-Jean" are the same text).

Accents are removed in Python (the same folding as PostgreSQL's unaccent) so that the stored column
and the query go through one function and the trigram index stays on a plain column."""
import re
import unicodedata

# Common Quebec abbreviations, folded to the full word (keys are already unaccented, lower case).
ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes",
    "bd": "boulevard", "boul": "boulevard", "blvd": "boulevard", "bl": "boulevard",
    "av": "avenue", "ave": "avenue", "aven": "avenue",
    "ch": "chemin", "chem": "chemin",
    "mtee": "montee", "mt": "mont",
    "rte": "route", "rg": "rang", "pl": "place", "prom": "promenade",
    "cr": "croissant", "cres": "croissant", "terr": "terrasse", "imp": "impasse",
    "rd": "road", "dr": "drive", "e": "est", "o": "ouest", "n": "nord", "s": "sud",
    "1e": "1re", "1er": "1re", "1ere": "1re",
}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalize(text: str) -> str:
    """Folded text with abbreviations expanded: the form stored in `search_text` columns."""
    return " ".join(ABBREVIATIONS.get(w, w) for w in fold(text).split())


_LEADING_NUMBER = re.compile(r"^(\d+)(?:\s*[a-z])?(?:\s+|$)(.*)$")
# Quebec writes a unit before its civic number: "100-92 boul. Cardinal-Léger" is unit 100 of
# number 92 (folded to "100 92 boulevard..."). A second bare number, then a word, is the civic.
_UNIT_THEN_NUMBER = re.compile(r"^\d+ (?=\d+ [a-z])")


def split_civic(query: str) -> tuple[str | None, str]:
    """("12", "rue saint jean") from "12, rue St-Jean"; (None, text) when there is no number.
    A one-letter suffix ("12A") is dropped: it narrows nothing the street does not; so is a
    unit written first ("100-92 ...": number 92)."""
    text = _UNIT_THEN_NUMBER.sub("", normalize(query))
    m = _LEADING_NUMBER.match(text)
    if not m:
        return None, text
    return m.group(1), m.group(2).strip()
