from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geo.fields import WGS84GeometryField

from .models import CivicAddress, Property, RollEntry


class RollEntrySerializer(serializers.ModelSerializer):
    use_label = serializers.SerializerMethodField()

    class Meta:
        model = RollEntry
        fields = ["roll_year", "land_value", "building_value", "total_value",
                  "previous_total_value", "use_code", "use_label", "year_built",
                  "year_built_estimated", "floor_area", "dwellings", "storeys", "lot_area",
                  "frontage", "reference_date"]

    def get_use_label(self, obj) -> str:
        labels = self.context.get("use_labels")
        return labels.get(obj.use_code, "") if labels is not None else obj.use_label()


class CivicAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = CivicAddress
        fields = ["label", "civic_number", "street_name", "unit"]


class PropertySerializer(GeoFeatureModelSerializer):
    """A property as a GeoJSON feature: its parcel in WGS 84 (null geometry when the unit has no
    known parcel), and its address point as [lon, lat]."""

    parcel = WGS84GeometryField("parcel", precision=7)
    address_point = serializers.SerializerMethodField()
    addresses = CivicAddressSerializer(many=True, read_only=True)
    roll = serializers.SerializerMethodField()
    roll_history = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()

    class Meta:
        model = Property
        geo_field = "parcel"
        fields = ["id", "matricule", "label", "lots", "address_point", "addresses", "roll",
                  "roll_history"]

    def get_address_point(self, obj) -> list[float] | None:
        point = obj.point_wgs84
        return [round(point.x, 7), round(point.y, 7)] if point else None

    def get_label(self, obj) -> str:
        first = next(iter(obj.addresses.all()), None)
        return first.label if first else obj.matricule

    def _entries(self, obj):
        return list(obj.roll_entries.all())  # prefetched, newest first

    def get_roll(self, obj) -> dict | None:
        entries = self._entries(obj)
        return RollEntrySerializer(entries[0], context=self.context).data if entries else None

    def get_roll_history(self, obj) -> list[dict]:
        return RollEntrySerializer(self._entries(obj), many=True, context=self.context).data


class AddressMatchSerializer(serializers.Serializer):
    """One answer of the search: a property record, or an address that exists (an address point
    of OpenStreetMap or of the town's address layer) but has no property record yet."""

    kind = serializers.ChoiceField(
        choices=["property", "address"],
        help_text="property: a property record, with its page (url). address: the civic address "
                  "exists, but the city has no property record for it yet (property_id, "
                  "matricule and url are null); its lon/lat can still place a report.")
    property_id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    detail = serializers.CharField(
        allow_blank=True, help_text="What tells answers with the same label apart (unit, use, "
                                    "matricule), in the request's language; empty otherwise.")
    matricule = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
