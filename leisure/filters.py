"""The catalogue's filters, one form for the page and the API: every parameter is checked and
bounded (a bad one is a 400 that says which, never a 500): an age 0-99 or a birth date between
1900 and today (not both), days 1-7 (ISO, Monday = 1), times of day, a place id, a category
code, seats left, a season code, a page number."""
import datetime as dt
import html

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import MAX_AGE

SEASON_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$"
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,49}$"
MAX_ID = 2**31 - 1
MAX_PAGE = 1000
DAYS = [(str(n), WEEKDAYS[n - 1]) for n in range(1, 8)]
TIMES = [("morning", _("morning (before noon)")),
         ("afternoon", _("afternoon (noon to 5 p.m.)")),
         ("evening", _("evening (from 5 p.m.)"))]


def _escape(value) -> str:
    """django.utils.html.conditional_escape's text (a safe string kept as it is)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """An element's attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class _OptionsWritten:
    """A choice widget whose options are written in Python (`options_html` in its context), for
    a widget whose templates include one template or more per option: subclasses write an
    option, and a group's opening and closing."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = []
        for group_name, options, _index in context["widget"]["optgroups"]:
            if group_name:
                parts.append(self.group_start(group_name))
            parts.extend(self.option_html(option) for option in options)
            if group_name:
                parts.append(self.group_end)
        context["widget"]["options_html"] = mark_safe("".join(parts))
        return context


class QuickSelect(_OptionsWritten, forms.Select):
    """A Select whose options are written in Python, the same HTML as Django's select.html and
    select_option.html (blank lines included): those include a template per option (and one
    for its attributes), slow for the season's places (257 with 2,000 groups)."""

    template_name = "leisure/widgets/select.html"
    group_end = "\n  </optgroup>"

    def group_start(self, name) -> str:
        return f'\n  <optgroup label="{_escape(name)}">'

    def option_html(self, option) -> str:
        return (f'\n  <option value="{_escape(option["value"])}"'
                f'{_attrs(option["attrs"]) if option["attrs"] else ""}>'
                f'{_escape(option["label"])}</option>\n')


class QuickCheckboxes(_OptionsWritten, forms.CheckboxSelectMultiple):
    """Checkboxes written in Python, the same HTML as Django's multiple_input.html,
    checkbox_option.html, input_option.html and input.html (blank lines included): those
    include three templates per option."""

    template_name = "leisure/widgets/checkbox_select.html"
    group_end = "\n  </div>"

    def group_start(self, name) -> str:
        return f"\n  <div><label>{_escape(name)}</label>"

    def option_html(self, option) -> str:
        option_id = option["attrs"].get("id")
        label = f'<label for="{_escape(option_id)}">' if option_id else "<label>"
        value = "" if option["value"] is None else f' value="{_escape(option["value"])}"'
        return (f'<div>\n    {label}<input type="{_escape(option["type"])}" '
                f'name="{_escape(option["name"])}"{value}{_attrs(option["attrs"])}>'
                f'\n {_escape(option["label"])}</label>\n\n</div>')


class CatalogueFilterForm(forms.Form):
    season = forms.RegexField(label=_("Season"), regex=SEASON_PATTERN, required=False,
                              widget=QuickSelect)
    category = forms.RegexField(label=_("Category"), regex=CATEGORY_PATTERN, required=False,
                                widget=QuickSelect)
    age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=MAX_AGE,
                             required=False,
                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    born = forms.DateField(label=_("Or date of birth"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d"],
                           help_text=_("The age is counted at each group's reference date."))
    day = forms.MultipleChoiceField(label=_("Days"), choices=DAYS, required=False,
                                    widget=QuickCheckboxes)
    time = forms.MultipleChoiceField(label=_("Time of day"), choices=TIMES, required=False,
                                     widget=QuickCheckboxes)
    place = forms.IntegerField(label=_("Place"), min_value=1, max_value=MAX_ID, required=False,
                               widget=QuickSelect)
    available = forms.BooleanField(label=_("Only groups with seats left"), required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False,
                              widget=forms.HiddenInput)

    def __init__(self, *args, seasons=(), categories=(), places=(), **kwargs):
        """`categories`: (code, name) and `places`: (id, name), the lists' options."""
        super().__init__(*args, **kwargs)
        self.fields["season"].widget.choices = [(s.code, s.name) for s in seasons]
        self.fields["category"].widget.choices = [("", _("all")), *categories]
        self.fields["place"].widget.choices = [("", _("all")), *places]

    def clean_available(self):
        # The page's checkbox sends "on", the API true or false; the checkbox widget would read
        # any other text as checked.
        raw = self.data.get("available", "")
        if raw.lower() not in ("", "on", "true", "false", "1", "0"):
            raise forms.ValidationError(_("Give true or false."))
        return self.cleaned_data.get("available")

    def clean_born(self):
        born = self.cleaned_data.get("born")
        if born and not dt.date(1900, 1, 1) <= born <= timezone.localdate():
            raise forms.ValidationError(_("Give a date of birth between 1900 and today."))
        return born

    def clean(self):
        data = super().clean()
        if data.get("age") is not None and data.get("born"):
            raise forms.ValidationError(_("Give an age or a date of birth, not both."))
        return data
