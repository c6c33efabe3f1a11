"""Payments, package accounts, day closes and COD pay-outs are a record like
tracking events and charges: the shipments guards (0002, 0008) refuse UPDATE,
DELETE and TRUNCATE, and grant_application_role, which reads these triggers,
gives the application INSERT and SELECT only (docs/database-roles.md)."""

from django.db import migrations

TABLES = ("counter_payment", "counter_packageaccount", "counter_dayclose", "counter_remittance")

GUARD = "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();

CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();
"""
    for table in TABLES
)

UNGUARD = "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""
    for table in TABLES
)


class Migration(migrations.Migration):
    dependencies = [("counter", "0001_money"), ("shipments", "0013_package_changes_append_only")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]
