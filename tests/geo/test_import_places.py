"""import_places on real extracts, and one named broken file per failure."""
import json

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from pyproj import Transformer
from shapely.geometry import shape

from core.importers.report import ImportFailed
from geo.importers.places import import_places
from geo.models import Place

pytestmark = pytest.mark.django_db


def test_geojson_extract_commit_then_reimport_updates(data_dir):
    path = data_dir / "places_parks_osm_extract.geojson"
    report = import_places(path, category="park", commit=True, id_field="osm_id")
    assert (report.created, report.updated, len(report.skipped)) == (3, 0, 0)
    again = import_places(path, category="park", commit=True, id_field="osm_id")
    assert (again.created, again.updated) == (0, 3)
    # Stored in metres (settings.GUICHET_SRID): compare with pyproj on the source coordinates.
    to_m = Transformer.from_crs(4326, settings.GUICHET_SRID, always_xy=True)
    for feature in json.loads(path.read_text())["features"]:
        place = Place.objects.get(source_id=feature["properties"]["osm_id"],
                                  source__startswith="file")
        expected = shapely.transform(
            shape(feature["geometry"]),
            lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))
        assert abs(place.geom.area - expected.area) < 0.01 * expected.area
        assert place.name == feature["properties"]["name"]


def test_dry_run_saves_nothing(data_dir):
    before = Place.objects.count()
    report = import_places(data_dir / "places_parks_osm_extract.geojson", category="park")
    assert report.created == 3 and not report.committed
    assert Place.objects.count() == before
    assert "--commit" in report.render()


def test_file_in_another_crs_is_reprojected(data_dir):
    report = import_places(data_dir / "places_schools_epsg2950.gpkg", category="school",
                           commit=True, id_field="osm_id")
    assert report.created >= 3
    # The same schools came from OSM in WGS 84 during the demo load: same place, metres apart.
    for place in Place.objects.filter(source="file:places_schools_epsg2950.gpkg"):
        twin = Place.objects.filter(source="osm", source_id=place.source_id).first()
        assert place.geom.distance(twin.geom) < 0.01


def test_invalid_polygon_is_repaired_and_counted(data_dir):
    report = import_places(data_dir / "places_invalid_polygon.geojson", category="park",
                           commit=True)
    assert report.repaired == 1 and report.created == 1
    place = Place.objects.get(source="file:places_invalid_polygon.geojson")
    assert place.geom.valid and place.geom.area > 0


def test_points_outside_the_territory_are_skipped_and_counted(data_dir):
    report = import_places(data_dir / "places_outside_territory.geojson", category="library",
                           commit=True)
    assert report.created == 1
    assert report.skipped == [("entité 2", "hors du territoire")]  # French by default


def test_csv_with_coordinates(data_dir):
    report = import_places(data_dir / "places_libraries.csv", category="library", commit=True)
    assert report.created == 1 and len(report.skipped) == 1
    assert Place.objects.get(source="file:places_libraries.csv").address == "1 rue Test"


@pytest.mark.parametrize("name", ["places_empty.geojson", "places_malformed.geojson"])
def test_unreadable_or_empty_files_fail_cleanly(data_dir, name):
    before = Place.objects.count()
    with pytest.raises(ImportFailed):
        import_places(data_dir / name, category="park", commit=True)
    assert Place.objects.count() == before


def test_command_reports_errors_in_french_without_traceback(data_dir):
    with pytest.raises(CommandError) as err:
        call_command("import_places", str(data_dir / "places_empty.geojson"), "--category", "park")
    assert "aucune entité" in str(err.value)
    with pytest.raises(CommandError) as err:
        call_command("import_places", str(data_dir / "places_parks_osm_extract.geojson"),
                     "--category", "volcano")
    assert "Catégorie inconnue" in str(err.value)
