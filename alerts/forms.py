"""The clerks' alert form: text (French required, English optional), topic, severity, period,
and the target with a way to give it with and without the map: an area drawn (or pasted as
GeoJSON), collection zones (checkboxes), a distance around a point clicked, a line drawn or an
address typed, streets chosen by name, or the whole territory.

Forms of the subscription pages."""
import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collections_schedule.models import Zone
from core.phone import normalize_phone
from properties.selectors import find_properties

from . import selectors, targeting
from .models import Alert, Channel, Subscriber, Topic

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class ZoneChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, zone):
        return f"{zone.zone_set.stream.name} — {zone.code} {zone.name}".strip()


def zones_in_force():
    return (Zone.objects.in_force(timezone.localdate())
            .select_related("zone_set__stream").order_by("zone_set__stream__sort_order", "code"))


class AlertForm(forms.ModelForm):
    zones = ZoneChoice(label=gettext_lazy("Collection zones"), queryset=Zone.objects.none(),
                       required=False, widget=forms.CheckboxSelectMultiple)
    streets = forms.MultipleChoiceField(
        label=gettext_lazy("Streets"), required=False,
        help_text=gettext_lazy("Hold Ctrl (or Cmd) to choose several. The properties within "
                               "%(m)d m of the street's centre line are reached.")
        % {"m": targeting.STREET_BUFFER_M},
        widget=forms.SelectMultiple(attrs={"size": 10}))
    drawn = forms.CharField(
        label=gettext_lazy("Area, point or line (GeoJSON, WGS 84)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Filled in by the map; or paste a GeoJSON geometry (an area "
                               "imported from another tool)."))
    address = forms.CharField(
        label=gettext_lazy("Around an address"), required=False, max_length=200,
        help_text=gettext_lazy("Without the map: the distance is measured around this "
                               "address."))

    class Meta:
        model = Alert
        fields = ["topic", "severity", "title_fr", "body_fr", "title_en", "body_en",
                  "starts_at", "ends_at", "target", "buffer_m"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(),
                   "target": forms.RadioSelect, "body_fr": forms.Textarea(attrs={"rows": 5}),
                   "body_en": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(active=True)
        self.fields["zones"].queryset = zones_in_force()
        self.fields["streets"].choices = [(n, n) for n in targeting.street_names()]
        self.fields["buffer_m"].help_text = _("Between %(min)d and %(max)d m.") % {
            "min": targeting.BUFFER_MIN_M, "max": targeting.BUFFER_MAX_M}
        self.fields["buffer_m"].widget.attrs.update(min=targeting.BUFFER_MIN_M,
                                                    max=targeting.BUFFER_MAX_M)
        self.fields["title_fr"].required = False  # checked by the service, with its message
        self.fields["body_fr"].required = False
        self.fields["starts_at"].input_formats = [DATETIME_FORMAT]
        self.fields["ends_at"].input_formats = [DATETIME_FORMAT]
        instance = self.instance
        if instance.pk:
            self.initial["zones"] = list(instance.zones.values_list("pk", flat=True))
            self.initial["streets"] = instance.streets
            if instance.drawn is not None:
                self.initial["drawn"] = instance.drawn.transform(4326, clone=True).geojson
        if not self.initial.get("starts_at"):  # model_to_dict gave None for a new alert
            self.initial["starts_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        data = super().clean()
        target = data.get("target")
        text = (data.get("drawn") or "").strip()
        drawn = None
        try:
            if target == Alert.Target.POLYGON and text:
                drawn = targeting.parse_geojson(text, kinds=("Polygon", "MultiPolygon"))
            elif target == Alert.Target.BUFFER:
                address = (data.get("address") or "").strip()
                if address and not text:
                    drawn = self._address_point(address)
                elif text:
                    drawn = targeting.parse_geojson(
                        text, kinds=("Point", "LineString", "MultiLineString"))
        except ValidationError as error:
            self.add_error("drawn" if not data.get("address") else "address", error)
        data["drawn"] = drawn
        return data

    @staticmethod
    def _address_point(address):
        from django.conf import settings
        from django.contrib.gis.geos import Point

        matches = [m for m in find_properties(address, limit=1) if m["lon"] is not None]
        if not matches:
            raise ValidationError(_("No address matches \"%(address)s\". Check the civic number "
                                    "and the street, or click the place on the map.")
                                  % {"address": address}, code="unknown_address")
        point = Point(matches[0]["lon"], matches[0]["lat"], srid=4326)
        return point.transform(settings.GUICHET_SRID, clone=True)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        zones = data.pop("zones", None) or []
        data.pop("address", None)
        return {"data": data, "zones": list(zones)}


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=gettext_lazy("Send at"), widget=DateTimeInput(),
                                  input_formats=[DATETIME_FORMAT])

    def clean_send_at(self):
        value = self.cleaned_data["send_at"]
        if value <= timezone.now() + dt.timedelta(seconds=30):
            raise ValidationError(_("Choose a time in the future, or send now."))
        return value


CHANNELS = [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.SMS.value, Channel.SMS.label)]


def channel_choices():
    """E-mail and text messages; browser notifications too when the VAPID keys are set."""
    if selectors.push_configured():
        return [*CHANNELS, (Channel.PUSH.value, Channel.PUSH.label)]
    return list(CHANNELS)


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
        self.fields["channels"].choices = channel_choices()
        if selectors.push_configured() and not subscriber.push_endpoints.exists():
            self.fields["channels"].help_text = _(
                "Browser notifications: first turn them on in your browser, with the button "
                "of the My alerts page.")

    def clean_channels(self):
        channels = self.cleaned_data["channels"]
        if Channel.SMS in channels and not (self.subscriber.phone
                                            and self.subscriber.phone_confirmed_at):
            raise ValidationError(_("Add your mobile number in your preferences and confirm "
                                    "it with the link we send to it first."), code="no_phone")
        if Channel.PUSH in channels and not self.subscriber.push_endpoints.exists():
            raise ValidationError(_("Turn on notifications in your browser first, with the "
                                    "button of the My alerts page."), code="no_browser")
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
                      "quiet_from": gettext_lazy("Nothing but emergencies between these hours."),
                      "digest": gettext_lazy("Information alerts (the least serious) wait for "
                                             "one message a day, in the morning; the others "
                                             "still come at once.")}

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
