"""The ETA watch's index on the package table: only packages a ``delayed``
event may follow, by ETA. Once flagged, a package is ``delayed`` and leaves the
index, so a run with nothing new reads next to nothing (detect_delays_ms_1m).
Raw SQL here, not in shipments' Meta: the watch owns it."""

from django.db import migrations

STATUSES = "('accepted', 'in_transit', 'arrived', 'out_for_delivery')"


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_outbox"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS package_eta_watch_idx ON shipments_package (expected_delivery_at) "
            f"WHERE status IN {STATUSES}",
            "DROP INDEX IF EXISTS package_eta_watch_idx",
        ),
    ]
