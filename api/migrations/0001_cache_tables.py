"""The database cache tables (the API's throttle counts requests in one) come
with the migrations: a plain ``manage.py migrate``, all a deploy runs, leaves a
database the public tracking endpoint works on. ``createcachetable`` only
creates what is missing, so this is safe on a database that has them."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
