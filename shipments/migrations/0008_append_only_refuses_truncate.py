"""TRUNCATE empties a table without firing its row triggers, so the
append-only guard of 0002 did not cover it: a statement trigger refuses it on
tracking events and charges.

A session that sets ``shipments.allow_truncate`` to ``on`` may truncate them:
only the tables' owner has the TRUNCATE privilege at all (the application's
role does not; see docs/database-roles.md), and the owner could drop the
trigger anyway, so the setting adds no power; it turns an accident into a
deliberate act. The test settings set it, as Django empties every table
between transactional tests with TRUNCATE.
"""

from django.db import migrations

REFUSE_TRUNCATE = """
CREATE OR REPLACE FUNCTION shipments_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('shipments.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% rows are append-only: TRUNCATE is refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER shipments_trackingevent_no_truncate
    BEFORE TRUNCATE ON shipments_trackingevent
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();

CREATE TRIGGER shipments_charge_no_truncate
    BEFORE TRUNCATE ON shipments_charge
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();
"""

ALLOW_TRUNCATE = """
DROP TRIGGER IF EXISTS shipments_trackingevent_no_truncate ON shipments_trackingevent;
DROP TRIGGER IF EXISTS shipments_charge_no_truncate ON shipments_charge;
DROP FUNCTION IF EXISTS shipments_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0007_tracking_serial_scheme")]

    operations = [migrations.RunSQL(REFUSE_TRUNCATE, ALLOW_TRUNCATE)]
