"""A category's extra questions: the answers a citizen (or an Open311 client) gives, checked
and cleaned. One function for the web form, the clerk's form and Open311's attribute[code]."""
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Question


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
        try:
            number = Decimal(value.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid_number") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid_number")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == Question.Kind.DATE:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date") from None
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
