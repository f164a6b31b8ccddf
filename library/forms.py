"""Forms of the library pages: linking a card, typing its PIN."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PIN_ATTRS = {"autocomplete": "off", "inputmode": "numeric", "maxlength": "20"}


class LinkCardForm(forms.Form):
    holder = forms.ChoiceField(label=gettext_lazy("Whose card is it?"), widget=forms.RadioSelect)
    barcode = forms.CharField(
        label=gettext_lazy("Card number"), max_length=40,
        help_text=gettext_lazy("The number under the bar code, on the back of the card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    pin = forms.CharField(
        label=gettext_lazy("PIN"), max_length=20, strip=False,
        help_text=gettext_lazy("The card's PIN at the library. It is checked by the library's "
                               "system and never stored."),
        widget=forms.PasswordInput(attrs=PIN_ATTRS))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["holder"].choices = [("me", gettext_lazy("Mine")), *(
            (key, str(m)) for key, m in self.members.items())]
        self.fields["holder"].initial = "me"

    def member(self):
        return self.members.get(self.cleaned_data["holder"])


class PinForm(forms.Form):
    pin = forms.CharField(label=gettext_lazy("PIN"), max_length=20, strip=False,
                          widget=forms.PasswordInput(attrs=PIN_ATTRS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pin"].help_text = _(
            "The library's system asks for it. It is kept, encrypted, for this session only "
            "(%(minutes)s minutes at most), never stored.") % {
            "minutes": settings.GUICHET_LIBRARY_PIN_MINUTES}
