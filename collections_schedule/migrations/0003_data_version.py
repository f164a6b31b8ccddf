"""A version number of the schedule data, bumped by PostgreSQL itself on every write to the tables
the schedule API reads (collections_schedule/selectors.py keys the cache with it).

A statement-level trigger catches every write path: the services, the admin, QuerySet.update(),
bulk_create, fixtures, raw SQL, TRUNCATE. The number comes from a sequence, so a value is never
given twice (not even after a rollback), and it lives in a row, so it becomes visible to the
other connections exactly when the data does (at commit) and to the writing one at once. The
table is not a Django model: `flush` (tests) must not empty it."""
from django.db import migrations

TABLES = ["stream", "zoneset", "zone", "collectionexception", "holiday", "wateringrule",
          "wateringban"]

FORWARD = [
    "CREATE SEQUENCE collections_schedule_data_version_seq",
    """CREATE TABLE collections_schedule_data_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL)""",
    """INSERT INTO collections_schedule_data_version
       VALUES (1, nextval('collections_schedule_data_version_seq'))""",
    """CREATE FUNCTION collections_schedule_bump_version() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           UPDATE collections_schedule_data_version
           SET version = nextval('collections_schedule_data_version_seq') WHERE id = 1;
           RETURN NULL;
       END $$""",
] + [f"""CREATE TRIGGER collections_schedule_{t}_version
         AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON collections_schedule_{t}
         FOR EACH STATEMENT EXECUTE FUNCTION collections_schedule_bump_version()"""
     for t in TABLES]

BACKWARD = [f"DROP TRIGGER collections_schedule_{t}_version ON collections_schedule_{t}"
            for t in TABLES] + [
    "DROP FUNCTION collections_schedule_bump_version()",
    "DROP TABLE collections_schedule_data_version",
    "DROP SEQUENCE collections_schedule_data_version_seq",
]


class Migration(migrations.Migration):
    dependencies = [("collections_schedule", "0002_streams")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
