"""The registration's forms (the catalogue's filters are in filters.py)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_BASKET


class BasketAddForm(forms.Form):
    """Who of the household goes in the basket for a group."""

    members = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Who to register"),
        error_messages={"required": _("Choose who to register."),
                        "invalid_choice": _("Only the members of your household can be "
                                            "registered."),
                        "invalid_pk_value": _("Only the members of your household can be "
                                              "registered.")})

    attested = forms.BooleanField(required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members

    def clean_members(self):
        chosen = self.cleaned_data["members"]
        if len(chosen) > MAX_BASKET:
            raise forms.ValidationError(_("A basket holds %(n)d registrations at most.")
                                        % {"n": MAX_BASKET})
        return chosen
