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
