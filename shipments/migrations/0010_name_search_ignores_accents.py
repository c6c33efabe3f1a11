"""The name search ignores accents and case: "alvarez" finds "José Álvarez".

``shipments_name_key(text)`` is the form a name is compared in: without
accents, in upper case. It is IMMUTABLE, so the trigram indexes of 0003 are
rebuilt on it (an expression index: every row has it the moment it is written,
whichever path writes it, COPY imports included). shipments.selectors.NameKey
calls it on both sides of the search.

Where the ``unaccent`` extension is available (Aurora, Debian's PostgreSQL) it
does the work: a trusted extension, so the database owner who runs migrations
may create it. It is called with its dictionary named, schema-qualified, which
is what makes the wrapper immutable in fact. Where it is missing (the embedded
pgserver of ``make run``) or may not be created, the key is the name in Unicode
NFKD with its combining marks removed: the same for accented letters, without
unaccent's extras (ß, Æ, Ø, Ł), and slower, which a laptop's data can afford.
"""

from django.db import migrations

CREATE = r"""
DO $$
DECLARE
    body text := $body$ SELECT upper(regexp_replace(normalize($1, NFKD), '[\u0300-\u036f]', '', 'g')) $body$;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
            body := $body$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, $1)) $body$;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'may not create unaccent: names are compared in NFKD without combining marks';
        END;
    ELSE
        RAISE NOTICE 'unaccent is not available: names are compared in NFKD without combining marks';
    END IF;
    EXECUTE 'CREATE OR REPLACE FUNCTION shipments_name_key(text) RETURNS text '
        || 'LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS ' || quote_literal(body);

    DROP INDEX IF EXISTS package_sender_name_trgm_idx;
    DROP INDEX IF EXISTS package_receiver_name_trgm_idx;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX package_sender_name_key_trgm_idx
            ON shipments_package USING gin (shipments_name_key(sender_name::text) gin_trgm_ops);
        CREATE INDEX package_receiver_name_key_trgm_idx
            ON shipments_package USING gin (shipments_name_key(receiver_name::text) gin_trgm_ops);
    END IF;
END
$$;
"""

DROP = """
DROP INDEX IF EXISTS package_sender_name_key_trgm_idx;
DROP INDEX IF EXISTS package_receiver_name_key_trgm_idx;
DROP FUNCTION IF EXISTS shipments_name_key(text);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS package_sender_name_trgm_idx
            ON shipments_package USING gin ((UPPER(sender_name::text)) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS package_receiver_name_trgm_idx
            ON shipments_package USING gin ((UPPER(receiver_name::text)) gin_trgm_ops);
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0009_package_changes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
