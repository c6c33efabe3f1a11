"""Trigram indexes for the admin's sender/receiver name search (ILIKE '%…%').

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER(%s)``,
so the indexes are on that expression. pg_trgm is a contrib extension: Aurora
and Debian's PostgreSQL have it, the embedded pgserver used by `make run` does
not. Where it is missing (or we may not create it), the search still works,
only without the index.
"""

from django.db import migrations

CREATE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        RAISE NOTICE 'pg_trgm is not available: name search runs without trigram indexes';
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'may not create pg_trgm: name search runs without trigram indexes';
        RETURN;
    END;
    CREATE INDEX IF NOT EXISTS package_sender_name_trgm_idx
        ON shipments_package USING gin ((UPPER(sender_name::text)) gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS package_receiver_name_trgm_idx
        ON shipments_package USING gin ((UPPER(receiver_name::text)) gin_trgm_ops);
END
$$;
"""

DROP = """
DROP INDEX IF EXISTS package_sender_name_trgm_idx;
DROP INDEX IF EXISTS package_receiver_name_trgm_idx;
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0002_tracking_serial_and_append_only_events")]

    operations = [migrations.RunSQL(CREATE, DROP)]
