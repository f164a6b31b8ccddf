"""The clerks' forms on a request's page (status, note, assignment, expected date) and the
intake of a phone, counter or e-mail request."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import ServiceRequest

Status = ServiceRequest.Status
Channel = ServiceRequest.Channel


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to close without a fix. A public note is sent to the citizen."))
    public = forms.BooleanField(label=_("Public (the citizen sees it and gets an e-mail)"),
                                required=False, initial=True)
    duplicate_of = forms.IntegerField(
        label=_("Duplicate of request number"), required=False, min_value=1,
        help_text=_("For the status \"duplicate\": the original request."))
    responsible_body = forms.CharField(
        label=_("Body responsible"), required=False, max_length=200,
        help_text=_("For \"not the city's responsibility\": e.g. Hydro-Québec, the MTMD."))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Public (the citizen sees it and gets an e-mail)"),
                                required=False, initial=False)


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=_("Assign to"), required=False, empty_label=_("nobody"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True)
        .order_by("last_name", "first_name", "email"))


class ExpectedForm(forms.Form):
    expected_on = forms.DateField(
        label=_("Expected date"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Shown to the citizen. Leave empty to remove it."))
    note = forms.CharField(label=_("Note to the citizen"), required=False, max_length=1000)


class CitizenSearchForm(forms.Form):
    who = forms.CharField(
        label=_("Find the citizen"), max_length=200, min_length=2,
        help_text=_("Name, e-mail address, or the address of a property they are linked to."))


class IntakeForm(forms.Form):
    """How the request came in, where it is, and how to reach a citizen without an account."""

    channel = forms.ChoiceField(
        label=_("Received by"), widget=forms.RadioSelect, initial=Channel.PHONE,
        choices=[(c, label) for c, label in Channel.choices if c in (Channel.PHONE,
                                                                      Channel.COUNTER,
                                                                      Channel.EMAIL)])
    address = forms.CharField(
        label=_("Address of the problem"), max_length=200, required=False,
        help_text=_("A civic address; or click the map."))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, citizen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizen = citizen
        if citizen is not None:  # their account says who and how to reach them
            for name in ("contact_name", "contact_email"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not (data.get("address") or "").strip():
            raise forms.ValidationError(_("Give the address of the problem, or click the map."),
                                        code="no_location")
        return data
