"""Proofs of delivery are a record like tracking events: the same guards refuse
UPDATE, DELETE and TRUNCATE (shipments 0002, 0008), and grant_application_role,
which reads these triggers, gives the application INSERT and SELECT only."""

from django.db import migrations

GUARD = """
CREATE TRIGGER handover_proof_append_only
    BEFORE UPDATE OR DELETE ON handover_proof
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();

CREATE TRIGGER handover_proof_no_truncate
    BEFORE TRUNCATE ON handover_proof
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS handover_proof_append_only ON handover_proof;
DROP TRIGGER IF EXISTS handover_proof_no_truncate ON handover_proof;
"""


class Migration(migrations.Migration):
    dependencies = [("handover", "0001_proofs_and_collection_codes"), ("shipments", "0013_package_changes_append_only")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]
