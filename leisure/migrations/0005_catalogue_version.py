"""A version number of the catalogue's data, bumped by PostgreSQL itself on every write to what
the catalogue's filters and map show (leisure/selectors.py keys the cache with it): the seasons,
categories, activities, groups and time slots, and the places they meet at with their
categories. Not the registrations: registration night writes them by the thousand, and the
seats left are always counted live.

As collections_schedule's 0003_data_version: a statement-level trigger catches every write path
(services, admin, importer, QuerySet.update(), bulk_create, fixtures, raw SQL, TRUNCATE); the
number comes from a sequence (never given twice, not even after a rollback) and lives in a row,
visible to other connections exactly when the data is (at commit). Not a Django model: `flush`
(tests) must not empty it."""
from django.db import migrations

TABLES = ["leisure_season", "leisure_activitycategory", "leisure_activity", "leisure_group",
          "leisure_timeslot", "geo_place", "geo_placecategory"]

FORWARD = [
    "CREATE SEQUENCE leisure_catalogue_version_seq",
    """CREATE TABLE leisure_catalogue_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL)""",
    "INSERT INTO leisure_catalogue_version VALUES (1, nextval('leisure_catalogue_version_seq'))",
    """CREATE FUNCTION leisure_bump_catalogue_version() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           UPDATE leisure_catalogue_version
           SET version = nextval('leisure_catalogue_version_seq') WHERE id = 1;
           RETURN NULL;
       END $$""",
] + [f"""CREATE TRIGGER {t}_leisure_catalogue_version
         AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t}
         FOR EACH STATEMENT EXECUTE FUNCTION leisure_bump_catalogue_version()"""
     for t in TABLES]

BACKWARD = [f"DROP TRIGGER {t}_leisure_catalogue_version ON {t}" for t in TABLES] + [
    "DROP FUNCTION leisure_bump_catalogue_version()",
    "DROP TABLE leisure_catalogue_version",
    "DROP SEQUENCE leisure_catalogue_version_seq",
]


class Migration(migrations.Migration):
    dependencies = [("leisure", "0004_calendartoken"), ("geo", "0003_address_street_source")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
