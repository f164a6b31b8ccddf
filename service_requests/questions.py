"""A category's extra questions: the answers a citizen (or an Open311 client) gives, checked
and cleaned. One function for the web form, the clerk's form and Open311's attribute[code]."""
import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Question

# A number answer is written plainly: digits, one decimal comma or point, a sign; spaces (also
# the French thousands separators) are dropped. No exponent: "1e999999" would build a huge
# integer. At most 12 digits before the decimal mark and 6 after.
_NUMBER = re.compile(r"[+-]?(?P<whole>[0-9]*)(?:[.,](?P<fraction>[0-9]*))?")
MAX_WHOLE_DIGITS, MAX_FRACTION_DIGITS = 12, 6
# A date answer (the day of a missed collection, since when...) is within a year of today.
DATE_ANSWER_RANGE = dt.timedelta(days=366)


def _number(value: str):
    text = re.sub(r"[\s\u00a0\u202f]", "", value)
    match = _NUMBER.fullmatch(text) if len(text) <= 100 else None
    if match is None or not (match["whole"] or match["fraction"]):
        raise ValidationError(_("Enter a number."), code="invalid_number")
    if (len(match["whole"].lstrip("0")) > MAX_WHOLE_DIGITS
            or len(match["fraction"] or "") > MAX_FRACTION_DIGITS):
        raise ValidationError(
            _("Enter a number with at most %(whole)d digits before the decimal point and "
              "%(fraction)d after.") % {"whole": MAX_WHOLE_DIGITS,
                                        "fraction": MAX_FRACTION_DIGITS},
            code="number_out_of_range")
    number = Decimal(text.replace(",", ".").rstrip("."))
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date") from None
    today = timezone.localdate()
    first, last = today - DATE_ANSWER_RANGE, today + DATE_ANSWER_RANGE
    if not first <= day <= last:
        raise ValidationError(_("Enter a date between %(first)s and %(last)s.")
                              % {"first": first.isoformat(), "last": last.isoformat()},
                              code="date_out_of_range")
    return day.isoformat()


def _clean_one(question: Question, raw):
    """`raw`: a string, or a list of strings for a multiple choice. Returns the stored value,
    or None when no answer was given."""
    values = [v.strip() for v in (raw if isinstance(raw, list) else [raw or ""]) if v and v.strip()]
    if not values:
        return None
    kind = question.kind
    if kind == Question.Kind.MULTIPLE:
        keys = {c["key"] for c in question.choices}
        if any(v not in keys for v in values):
            raise ValidationError(_("Choose among the answers offered."), code="invalid_choice")
        return sorted(set(values), key=[c["key"] for c in question.choices].index)
    value = values[0]
    if kind == Question.Kind.SINGLE:
        if value not in {c["key"] for c in question.choices}:
            raise ValidationError(_("Choose among the answers offered."), code="invalid_choice")
        return value
    if kind == Question.Kind.NUMBER:
        return _number(value)
    if kind == Question.Kind.DATE:
        return _date(value)
    if len(value) > 1000:
        raise ValidationError(_("At most 1000 characters."), code="too_long")
    return value


def clean_answers(category, raw: dict) -> dict:
    """The answers to `category`'s questions, keyed by question code. `raw` maps a code to a
    string or a list of strings; unknown codes are ignored. Raises one ValidationError whose
    error_dict is keyed by question code, so that every form shows each error at its place."""
    cleaned, errors = {}, {}
    for question in category.questions.all():
        try:
            value = _clean_one(question, raw.get(question.code))
        except ValidationError as error:
            errors[question.code] = error
            continue
        if value is None:
            if question.required:
                errors[question.code] = ValidationError(_("This answer is required."),
                                                        code="required")
            continue
        cleaned[question.code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def answer_labels(category, answers: dict) -> list[tuple[str, str]]:
    """(question, answer) in the reader's language, in the questions' order."""
    rows = []
    for question in category.questions.all():
        if question.code not in answers:
            continue
        value = answers[question.code]
        choices = dict(question.choice_pairs())
        if isinstance(value, list):
            text = ", ".join(choices.get(v, v) for v in value)
        else:
            text = choices.get(value, str(value)) if choices else str(value)
        rows.append((question.label, text))
    return rows
