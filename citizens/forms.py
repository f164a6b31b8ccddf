"""Forms of the citizen's own pages."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import HouseholdMember

EARLIEST_BIRTH_YEAR = 1900


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["first_name", "last_name", "birth_year"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        field = self.fields["birth_year"]
        field.widget.attrs.update(min=EARLIEST_BIRTH_YEAR, max=this_year, inputmode="numeric")
        field.help_text = _("Between %(first)s and %(last)s.") % {
            "first": EARLIEST_BIRTH_YEAR, "last": this_year}

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        this_year = timezone.localdate().year
        if not EARLIEST_BIRTH_YEAR <= year <= this_year:
            raise forms.ValidationError(
                _("Enter a year between %(first)s and %(last)s."),
                code="birth_year_range", params={"first": EARLIEST_BIRTH_YEAR, "last": this_year})
        return year
