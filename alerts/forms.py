"""Forms of the subscription pages."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Channel, Subscriber, Topic
from .services import normalize_phone

CHANNELS = [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.SMS.value, Channel.SMS.label)]


def topic_field():
    return forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics"), queryset=Topic.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None checked: every topic."))


class SubscriptionForm(forms.Form):
    channels = forms.MultipleChoiceField(label=gettext_lazy("Channels"), choices=CHANNELS,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = topic_field()
        self.subscriber = subscriber

    def clean_channels(self):
        channels = self.cleaned_data["channels"]
        if Channel.SMS in channels and not (self.subscriber.phone
                                            and self.subscriber.phone_confirmed_at):
            raise ValidationError(_("Add your mobile number in your preferences and confirm "
                                    "it with the link we send to it first."), code="no_phone")
        return channels


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = Subscriber
        fields = ["phone", "language", "quiet_from", "quiet_to", "digest"]
        widgets = {"quiet_from": forms.TimeInput(attrs={"type": "time"}),
                   "quiet_to": forms.TimeInput(attrs={"type": "time"}),
                   "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}
        help_texts = {"phone": gettext_lazy("For text messages, e.g. +1 514 555 0123."),
                      "quiet_from": gettext_lazy("Nothing but emergencies between these hours.")}

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalize_phone(phone) if phone.strip() else ""

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_from")) != bool(data.get("quiet_to")):
            raise ValidationError(_("Give both ends of the quiet hours, or neither."),
                                  code="quiet_hours")
        return data


class AddressSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Address or matricule"), min_length=2,
                        max_length=200)


class AnonymousSubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("or mobile phone (text messages)"),
                            required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = topic_field()

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalize_phone(phone) if phone.strip() else ""

    def clean(self):
        data = super().clean()
        if bool(data.get("email")) == bool(data.get("phone")) and not self.errors:
            raise ValidationError(_("Give an e-mail address or a mobile number (one of them)."),
                                  code="contact")
        return data
