"""A bag's and a dispatch's timeline (``BagEvent``: opened, closed, dispatched, received,
checked — who, where, when) is a record like a parcel's events: the same guards as
shipments 0002/0008 refuse UPDATE, DELETE and TRUNCATE, and grant_application_role,
which reads these triggers, gives the application INSERT and SELECT only."""

from django.db import migrations

GUARD = """
CREATE TRIGGER dispatches_bagevent_append_only
    BEFORE UPDATE OR DELETE ON dispatches_bagevent
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();

CREATE TRIGGER dispatches_bagevent_no_truncate
    BEFORE TRUNCATE ON dispatches_bagevent
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refuse_truncate();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS dispatches_bagevent_append_only ON dispatches_bagevent;
DROP TRIGGER IF EXISTS dispatches_bagevent_no_truncate ON dispatches_bagevent;
"""


class Migration(migrations.Migration):
    dependencies = [("dispatches", "0001_initial"), ("shipments", "0008_append_only_refuses_truncate")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]
