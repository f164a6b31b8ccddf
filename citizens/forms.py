"""Forms of the citizens' pages and of the staff's link pages."""
import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.display import Contrast, TextSize
from core.phone import normalize_phone

from .models import HouseholdMember, Profile, PropertyLink

EARLIEST_BIRTH_YEAR = 1900


class HouseholdMemberForm(forms.ModelForm):
    """A member's name and birth year, or their date of birth (leisure registration needs it:
    a group's ages are counted on a date); the year is the date's when both are given."""

    class Meta:
        model = HouseholdMember
        fields = ["first_name", "last_name", "birth_date", "birth_year"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        field = self.fields["birth_year"]
        field.required = False
        field.widget.attrs.update(min=EARLIEST_BIRTH_YEAR, max=today.year, inputmode="numeric")
        field.help_text = _("Between %(first)s and %(last)s; not needed with the date of "
                            "birth.") % {"first": EARLIEST_BIRTH_YEAR, "last": today.year}
        date = self.fields["birth_date"]
        date.widget.attrs.update(min=f"{EARLIEST_BIRTH_YEAR}-01-01", max=today.isoformat())
        date.help_text = _("Needed to register for leisure activities (e.g. 2019-10-03).")

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and not EARLIEST_BIRTH_YEAR <= year <= this_year:
            raise forms.ValidationError(
                _("Enter a year between %(first)s and %(last)s."),
                code="birth_year_range", params={"first": EARLIEST_BIRTH_YEAR, "last": this_year})
        return year

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        today = timezone.localdate()
        if born is not None and not (dt.date(EARLIEST_BIRTH_YEAR, 1, 1) <= born <= today):
            raise forms.ValidationError(
                _("Enter a date between %(first)s and today (%(today)s)."),
                code="birth_date_range",
                params={"first": f"{EARLIEST_BIRTH_YEAR}-01-01", "today": today.isoformat()})
        return born

    def clean(self):
        data = super().clean()
        born, year = data.get("birth_date"), data.get("birth_year")
        if "birth_date" in self.errors or "birth_year" in self.errors:
            return data
        if born is None and year is None:
            self.add_error("birth_year", _("Enter the birth year or the date of birth."))
        elif born is not None and year is not None and year != born.year:
            self.add_error("birth_year", _(
                "The birth year (%(year)s) is not the date of birth's (%(born)s): correct one "
                "of them, or leave the year empty.") % {"year": year, "born": born.isoformat()})
        elif born is not None:
            data["birth_year"] = born.year
        return data


class LinkRequestForm(forms.Form):
    matricule = forms.CharField(
        label=gettext_lazy("Matricule"), max_length=40,
        help_text=gettext_lazy("The property's number on your tax bill, with or without "
                               "dashes, e.g. 8242-28-9033-0-000-0000."))
    code = forms.CharField(
        label=gettext_lazy("Access code"), max_length=20, required=False,
        help_text=gettext_lazy("Printed on your tax bill, e.g. ABCDE-23456. Not needed if "
                               "you ask a clerk."))
    role = forms.ChoiceField(label=gettext_lazy("You are"), choices=PropertyLink.Role.choices,
                             widget=forms.RadioSelect)


class MatriculeForm(forms.Form):
    matricule = forms.CharField(label=gettext_lazy("Matricule"), max_length=40)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse"),
                                        ("unlink", "unlink")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=1000, widget=forms.Textarea(
            attrs={"rows": 3}),
        help_text=gettext_lazy("Required to refuse or to unlink. The citizen will read it."))


class DisplayForm(forms.Form):
    """The header's text size and contrast buttons: each sends one of the two (core.display)."""

    text_size = forms.ChoiceField(choices=TextSize.choices, required=False)
    contrast = forms.ChoiceField(choices=Contrast.choices, required=False)
    next = forms.CharField(required=False)


class ProfileForm(forms.Form):
    """The citizen's profile (services.save_profile): their name, a telephone number, the
    language and channel they prefer."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150,
                                 required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150,
                                required=False)
    phone = forms.CharField(
        label=gettext_lazy("Telephone"), max_length=30, required=False,
        help_text=gettext_lazy("So that a clerk can call you back about a request, e.g. "
                               "514 555 0123."))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    channel = forms.ChoiceField(
        label=gettext_lazy("How we reach you first"), choices=Profile.Channel.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Offered first when you subscribe to alerts and reminders."))

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if data.get("channel") == Profile.Channel.SMS and not data.get("phone"):
            self.add_error("phone", _("Give a mobile number to be reached by text message."))
        return data
