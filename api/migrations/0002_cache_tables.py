"""The database cache tables (settings.CACHES) come with the migrations: a plain
``manage.py migrate``, all a deploy runs, leaves a database every page works on,
with no separate ``createcachetable`` step to forget. ``createcachetable`` only
creates what is missing, so this is safe on a database that has them."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_throttle_window")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
