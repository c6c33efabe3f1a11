"""A package's recorded changes (``PackageChange``, issue 20: who changed its parties, when,
from which file) are a record like its events and charges: the same guards refuse UPDATE,
DELETE and TRUNCATE (0002, 0008), and grant_application_role, which reads these triggers,
gives the application INSERT and SELECT only."""

from django.db import migrations

GUARD = """
CREATE TRIGGER shipments_packagechange_append_only
    BEFORE UPDATE OR DELETE ON shipments_packagechange
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();

CREATE TRIGGER shipments_packagechange_no_truncate
    BEFORE TRUNCATE ON shipments_packagechange
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS shipments_packagechange_append_only ON shipments_packagechange;
DROP TRIGGER IF EXISTS shipments_packagechange_no_truncate ON shipments_packagechange;
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0012_package_change_sources")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]
