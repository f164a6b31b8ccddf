"""The catalogue in the API: seasons, categories, and groups as GeoJSON features at their place
(a point in WGS 84; a place drawn as a polygon by a point on its surface)."""
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeoJsonDict
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from .models import ActivityCategory, Group, Season, TimeSlot


class SeasonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Season
        fields = ["code", "name", "name_fr", "name_en", "starts_on", "ends_on",
                  "residents_from", "everyone_from", "closes_at"]


class ActivityCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ActivityCategory
        fields = ["code", "name", "name_fr", "name_en"]


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$",
                     "example": "18:30", "description": "Local time (America/Montreal), HH:MM."})
class HourField(serializers.TimeField):
    """A time of day as the pages write it, "18:30" (no seconds, no offset: local time)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", read_only=True, **kwargs)


class TimeSlotSerializer(serializers.ModelSerializer):
    description = serializers.CharField(read_only=True, help_text="The rule in words, in the "
                                                                  "request's language.")
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7),
                                     read_only=True, help_text="ISO weekdays, Monday = 1.")
    start_time = HourField()
    end_time = HourField()

    class Meta:
        model = TimeSlot
        fields = ["rule", "description", "weekdays", "starts_on", "ends_on", "start_time",
                  "end_time", "exceptions"]


class SessionSerializer(serializers.Serializer):
    date = serializers.DateField()
    start = HourField()
    end = HourField()


POINT_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string", "enum": ["Point"]},
                   "coordinates": {"type": "array", "items": {"type": "number", "format": "float"},
                                   "minItems": 2, "maxItems": 2,
                                   "example": [-73.98473, 45.38243]}},
    "required": ["type", "coordinates"],
}


@extend_schema_field(POINT_SCHEMA)
class PlacePointField(serializers.Field):
    """The place's point as GeoJSON, written by PostGIS (the view annotates place_point_wgs84)."""

    def __init__(self, **kwargs):
        super().__init__(source="place_point_wgs84", read_only=True, **kwargs)

    def to_representation(self, value):
        return GeoJsonDict(value)


class GroupSerializer(GeoFeatureModelSerializer):
    """A group as a GeoJSON feature at its place."""

    place_point = PlacePointField()
    season = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activity = serializers.SlugRelatedField(slug_field="code", read_only=True)
    title = serializers.CharField(source="activity.title", read_only=True)
    description = serializers.CharField(source="activity.description", read_only=True)
    category = serializers.CharField(source="activity.category.code", read_only=True)
    category_name = serializers.CharField(source="activity.category.name", read_only=True)
    place = serializers.PrimaryKeyRelatedField(read_only=True)
    place_name = serializers.CharField(source="place.display_name", read_only=True)
    ages = serializers.CharField(source="ages_label", read_only=True,
                                 help_text="The age range in words, in the request's language.")
    seats_left = serializers.IntegerField(read_only=True,
                                          help_text="Seats less registrations.")
    prerequisite = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                                allow_null=True)
    prerequisite_note = serializers.CharField(read_only=True)
    slots = TimeSlotSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="The group's page.")

    class Meta:
        model = Group
        geo_field = "place_point"
        fields = ["id", "code", "season", "activity", "title", "description", "category",
                  "category_name", "place", "place_name", "room", "instructor", "age_min",
                  "age_max", "age_on", "ages", "capacity", "seats_left", "waiting_list_size",
                  "fee_resident", "fee_non_resident", "prerequisite", "prerequisite_note",
                  "counter_only", "slots", "url"]

    def get_url(self, obj) -> str:
        return reverse("leisure:group", args=[obj.pk])


class GroupDetailSerializer(GroupSerializer):
    """A group with its next sessions (every slot, skipped dates left out)."""

    next_sessions = SessionSerializer(many=True, read_only=True,
                                      help_text="The next 10 sessions from today.")

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "next_sessions"]


class LeisureLineSerializer(serializers.Serializer):
    """A household registration in /api/me/ (the dashboard's leisure section)."""

    id = serializers.UUIDField(source="registration.pk")
    participant = serializers.CharField(source="registration.participant")
    activity = serializers.CharField(source="group.activity.title")
    group_id = serializers.IntegerField(source="group.pk")
    group_code = serializers.CharField(source="group.code")
    season = serializers.CharField(source="group.season.code")
    place = serializers.CharField(source="group.place.display_name")
    status = serializers.ChoiceField(
        choices=["registered", "waiting", "offered"],
        help_text="registered; waiting: on the waiting list (`waiting_position`); offered: a "
                  "seat is offered until `offer_until`")
    status_label = serializers.CharField(source="registration.get_status_display")
    waiting_position = serializers.IntegerField(source="position", allow_null=True)
    offer_until = serializers.DateTimeField(source="registration.offer_until", allow_null=True)
    fee = serializers.DecimalField(source="registration.fee", max_digits=7, decimal_places=2,
                                   allow_null=True)
    first_session = serializers.DateField(source="group.first_session_on", allow_null=True)
