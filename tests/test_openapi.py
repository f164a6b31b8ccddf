"""The OpenAPI description is valid and names every public endpoint."""
import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    validate(spec)
    for path in ("/api/properties/{id}/", "/api/properties/{id}/nearby/",
                 "/api/properties/search/", "/api/properties/at/", "/api/places/"):
        assert path in spec["paths"], path
    nearby = spec["paths"]["/api/properties/{id}/nearby/"]["get"]
    assert {p["name"] for p in nearby["parameters"]} >= {"id", "radius", "category"}


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _properties(spec, schema) -> dict:
    """The properties a schema gives an object, through $ref and allOf."""
    schema = _resolve(spec, schema)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        found.update(_properties(spec, part))
    return found


def _required(spec, schema) -> set:
    schema = _resolve(spec, schema)
    return set(schema.get("required", [])).union(
        *(_required(spec, part) for part in schema.get("allOf", [])))


def test_paginated_geojson_is_documented_as_returned(client):
    """A page of features is a FeatureCollection with `features` (not DRF's `results`), with
    the page's count and links beside them, as GeoPagination returns it."""
    spec = yaml.safe_load(client.get("/api/schema/").content)
    for path in ("/api/places/", "/api/properties/", "/api/streets/", "/api/reports/",
                 "/api/leisure/groups/"):
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        properties = _properties(spec, schema)
        assert set(properties) == {"type", "count", "next", "previous", "features"}, path
        assert _required(spec, schema) == set(properties), path
        assert properties["features"]["type"] == "array", path
        feature = _properties(spec, properties["features"]["items"])
        assert {"type", "id", "geometry", "properties"} <= set(feature), path
        returned = client.get(path, {"page_size": 2}).json()
        assert set(returned) == set(properties), path
        assert "results" not in returned


def test_errors_are_declared_with_their_body(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    places = spec["paths"]["/api/places/"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(places)
    error = places["400"]["content"]["application/json"]["schema"]
    assert _required(spec, error) == {"detail"}
    assert {"403"} <= set(spec["paths"]["/api/me/"]["get"]["responses"])
    assert {"400", "403", "415", "429"} <= set(spec["paths"]["/api/auth/token/"]["post"][
        "responses"])
    response = client.get("/api/places/", {"page_size": "abc"})
    assert response.status_code == 400 and set(response.json()) == {"detail"}


def test_a_property_without_a_parcel_is_documented(client):
    """A property whose parcel is unknown is a feature with a null geometry (its docstring)."""
    spec = yaml.safe_load(client.get("/api/schema/").content)
    assert spec["components"]["schemas"]["Property"]["properties"]["geometry"]["nullable"]
