"""Tracking-number serials are drawn through a keyed permutation from now on
(shipments.tracking_numbers.issued_tracking_number).

Serials issued before it were the sequence's values themselves, from its start
up to where it stands now. This one-row table remembers where that was, so that
a permuted serial never lands on one of them; on a fresh database the range is
empty. Not a model: nothing but the allocation reads it, and a test database
flush must not empty it.
"""

from django.db import migrations

CREATE = """
CREATE TABLE shipments_tracking_serial_scheme (plain_below bigint NOT NULL);
INSERT INTO shipments_tracking_serial_scheme (plain_below)
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM shipments_tracking_serial;
"""


class Migration(migrations.Migration):
    dependencies = [("shipments", "0006_unit_labels")]

    operations = [migrations.RunSQL(CREATE, "DROP TABLE shipments_tracking_serial_scheme")]
