"""The report forms: where and what (step 1), then the details with the category's questions
(step 2). Answers are checked by questions.clean_answers, the same rules as Open311's.
Then the staff's forms (status, notes, assignment, intake)."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Category, Question, ServiceRequest

QUESTION_PREFIX = "q_"


class LocationForm(forms.Form):
    """Step 1. The map fills lon/lat; without the map, the address does the same."""

    category = forms.ModelChoiceField(
        label=_("What is the problem?"), queryset=Category.objects.filter(active=True),
        empty_label=_("Choose a category"), to_field_name="code")
    address = forms.CharField(
        label=_("Address"), required=False, max_length=200,
        help_text=_("A civic address, e.g. 92 boul. Cardinal-Léger. Not needed if you chose "
                    "the place on the map."))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not (data.get("address") or "").strip():
            raise forms.ValidationError(
                _("Choose the place on the map, use your location, or type an address."),
                code="no_location")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,"
                                                                       "image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


MAX_PHOTOS = 3


class DetailsForm(forms.Form):
    """Step 2: the description, the category's questions (fields q_<code>), photos, and for a
    visitor without an account, the e-mail to confirm."""

    description = forms.CharField(
        label=_("Describe the problem"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you see, and anything that helps to find it."))
    photos = PhotosField(
        label=_("Photos (optional)"), required=False,
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, 10 MB each. Their location data is "
                    "removed; they are shown to the public only after review."))
    contact_email = forms.EmailField(
        label=_("Your e-mail"), required=False,
        help_text=_("We send you a link to confirm the report, then news of it. It is never "
                    "shown to the public."))

    def __init__(self, *args, category, anonymous, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["contact_email"].required = anonymous
        if not anonymous:
            del self.fields["contact_email"]
        for question in category.questions.all():
            self.fields[QUESTION_PREFIX + question.code] = _question_field(question)

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return photos

    def question_fields(self):
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]

    def raw_answers(self) -> dict:
        """What was typed or chosen, by question code, for questions.clean_answers."""
        return {name[len(QUESTION_PREFIX):]: value for name, value in self.cleaned_data.items()
                if name.startswith(QUESTION_PREFIX)}

    def add_answer_errors(self, error_dict):
        for code, errors in error_dict.items():
            field = QUESTION_PREFIX + code if QUESTION_PREFIX + code in self.fields else None
            for error in errors:
                self.add_error(field, error)


def _question_field(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required,
              "help_text": question.help}
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        return forms.ChoiceField(choices=question.choice_pairs(), widget=forms.RadioSelect,
                                 **common)
    if kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(choices=question.choice_pairs(),
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == Question.Kind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=10,
                               **common)
    if kind == Question.Kind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                               max_length=30, **common)
    return forms.CharField(max_length=1000, **common)


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
    public = forms.BooleanField(
        label=_("The caller agrees that the request be shown to the public"), required=False,
        help_text=_("The category, the place and the status on the public map and list; never "
                    "their name or how to reach them. Ask them. A household's matter (a missed "
                    "collection...) is shown at the street only; private categories (noise...) "
                    "are never shown."))

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


class UpdateForm(forms.Form):
    """A citizen's update to a request they reported or follow (services.add_update)."""

    text = forms.CharField(
        label=_("Your update"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed, what you see now. Shown on the request's public page, "
                    "never with your name."))
    still_there = forms.BooleanField(
        label=_("The problem is still there: reopen the request"), required=False)
    photos = PhotosField(
        label=_("Photos (optional)"), required=False,
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, 10 MB each. Their location data is "
                    "removed; they are shown to the public only after review."))

    def __init__(self, *args, reopenable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not reopenable:
            del self.fields["still_there"]

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return photos


class FollowByEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("We send you a link to confirm; then news of this request, and a link to "
                    "stop in every message. It is never shown to the public."))
