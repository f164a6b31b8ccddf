"""Public works: import a zone set from a file, export it, split a zone; staff only."""
import io
import json
import zipfile

import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import LineString
from pyproj import Transformer

from collections_schedule.models import Zone, ZoneSet

pytestmark = pytest.mark.django_db
to_ll = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)


@pytest.fixture
def planner(client, django_user_model):
    user = django_user_model.objects.create_user(username="travaux", password="x-Travaux-2026",
                                                 is_staff=True)
    client.force_login(user)
    return user


def _upload(client, data_dir, name, layout):
    with open(data_dir / name, "rb") as fh:
        return client.post("/personnel/collectes/ensembles/importer/", {
            "stream": "garbage", "name": "Essai import", "layout": layout, "file": fh})


def test_import_a_published_layout_then_export_it(client, planner, data_dir):
    response = _upload(client, data_dir, "zones_published_sample.geojson", "published")
    zone_set = ZoneSet.objects.get(name="Essai import")
    assert response.status_code == 302 and response.url.endswith(f"/ensembles/{zone_set.pk}/")
    assert zone_set.status == "draft" and zone_set.zones.count() == 3
    exported = client.get(f"/personnel/collectes/ensembles/{zone_set.pk}/exporter/geojson/")
    features = json.loads(b"".join(exported.streaming_content) if exported.streaming
                          else exported.content)["features"]
    assert sorted(f["properties"]["code"] for f in features) == sorted(
        zone_set.zones.values_list("code", flat=True))
    shp = client.get(f"/personnel/collectes/ensembles/{zone_set.pk}/exporter/shp/")
    names = zipfile.ZipFile(io.BytesIO(shp.content)).namelist()
    assert {n.rsplit(".", 1)[1] for n in names} >= {"shp", "shx", "dbf", "prj"}


def test_a_bad_file_is_refused_with_a_message_and_nothing_saved(client, planner, data_dir):
    before = ZoneSet.objects.count()
    response = _upload(client, data_dir, "zones_malformed.geojson", "guichet")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ZoneSet.objects.count() == before


def test_split_a_draft_zone_along_a_typed_line(client, planner, data_dir):
    _upload(client, data_dir, "zones_published_sample.geojson", "published")
    zone = Zone.objects.filter(zone_set__name="Essai import").order_by("code").first()
    area = shapely.from_wkt(zone.geom.wkt)
    x0, y0, x1, y1 = area.bounds
    mid = (x0 + x1) / 2
    page = client.get(f"/personnel/collectes/zones/{zone.pk}/diviser/")
    assert page.status_code == 200 and b"leaflet" in page.content  # the drawing map
    line = LineString(to_ll.transform(mid, y0 - 50), to_ll.transform(mid, y1 + 50), srid=4326)
    response = client.post(f"/personnel/collectes/zones/{zone.pk}/diviser/",
                           {"line_text": line.wkt, "new_code": "NOUVELLE"})
    assert response.status_code == 302
    zone.refresh_from_db()
    new = Zone.objects.get(zone_set=zone.zone_set, code="NOUVELLE")
    # The two parts tile the original area (independently: shapely on the original polygon).
    assert abs(zone.geom.area + new.geom.area - area.area) < 0.01
    assert new.rrules == zone.rrules
    left = area.intersection(shapely.box(x0, y0, mid, y1)).area
    assert min(abs(zone.geom.area - left), abs(new.geom.area - left)) < 1


def test_split_refuses_a_line_that_does_not_cross(client, planner, data_dir):
    _upload(client, data_dir, "zones_published_sample.geojson", "published")
    zone = Zone.objects.filter(zone_set__name="Essai import").order_by("code").first()
    response = client.post(f"/personnel/collectes/zones/{zone.pk}/diviser/",
                           {"line_text": "LINESTRING (0 0, 1 1)", "new_code": "X"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Zone.objects.filter(code="X").exists()


@pytest.mark.parametrize("url", ["/personnel/collectes/ensembles/importer/",
                                 "/personnel/collectes/ensembles/{pk}/exporter/geojson/",
                                 "/personnel/collectes/zones/{zone}/diviser/"])
def test_citizens_cannot_use_the_planning_files(client, django_user_model, url):
    zone = Zone.objects.first()
    citizen = django_user_model.objects.create_user(username="c", password="x-Citoyen-2026")
    target = url.format(pk=zone.zone_set_id, zone=zone.pk)
    assert client.get(target).status_code == 302  # anonymous: to the login page
    client.force_login(citizen)
    assert client.get(target).status_code == 403
