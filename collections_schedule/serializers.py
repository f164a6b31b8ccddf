from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geo.fields import WGS84GeometryField

from .models import Zone


class OccurrenceSerializer(serializers.Serializer):
    date = serializers.DateField()
    moved_from = serializers.DateField(source="original", allow_null=True)
    extra = serializers.BooleanField()
    note = serializers.CharField()


class StreamScheduleSerializer(serializers.Serializer):
    stream = serializers.CharField(source="stream.slug")
    name = serializers.CharField(source="stream.name")
    color = serializers.CharField(source="stream.color")
    zone = serializers.SerializerMethodField()
    next_date = serializers.DateField(source="next.date", allow_null=True, default=None)
    is_today = serializers.BooleanField()
    is_tomorrow = serializers.BooleanField()
    dates = OccurrenceSerializer(many=True)

    def get_zone(self, obj) -> dict | None:
        if obj.zone is None:
            return None
        return {"id": obj.zone.pk, "code": obj.zone.code, "name": obj.zone.name,
                "starts_at": obj.zone.starts_at.strftime("%H:%M")}


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    rule = serializers.CharField(source="rule.name")


class WateringAnswerSerializer(serializers.Serializer):
    method = serializers.CharField()
    label = serializers.CharField()
    allowed_now = serializers.BooleanField()
    reason = serializers.CharField()
    ban = serializers.CharField(source="ban.title", allow_null=True, default=None)
    next_slots = SlotSerializer(source="slots", many=True)


class PropertyScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    now = serializers.DateTimeField()
    streams = StreamScheduleSerializer(many=True)
    watering = WateringAnswerSerializer(many=True)
    ical_url = serializers.CharField()


class ZoneSerializer(GeoFeatureModelSerializer):
    geom = WGS84GeometryField("geom", precision=6)
    stream = serializers.CharField(source="zone_set.stream.slug")
    color = serializers.CharField(source="zone_set.stream.color")
    days = serializers.SerializerMethodField()

    class Meta:
        model = Zone
        geo_field = "geom"
        fields = ["id", "code", "name", "stream", "color", "rrules", "days"]

    def get_days(self, obj) -> list[int]:
        from .recurrence import zone_weekdays

        return zone_weekdays(obj)
