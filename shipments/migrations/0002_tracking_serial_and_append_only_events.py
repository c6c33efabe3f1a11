"""The tracking-number sequence, and a trigger that keeps tracking events and
charges append-only even against raw SQL."""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION shipments_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER shipments_trackingevent_append_only
    BEFORE UPDATE OR DELETE ON shipments_trackingevent
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();

CREATE TRIGGER shipments_charge_append_only
    BEFORE UPDATE OR DELETE ON shipments_charge
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS shipments_trackingevent_append_only ON shipments_trackingevent;
DROP TRIGGER IF EXISTS shipments_charge_append_only ON shipments_charge;
DROP FUNCTION IF EXISTS shipments_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE shipments_tracking_serial START 10000000 MINVALUE 1 MAXVALUE 99999999 NO CYCLE",
            "DROP SEQUENCE shipments_tracking_serial",
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
