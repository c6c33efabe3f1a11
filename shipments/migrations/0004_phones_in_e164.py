"""Phones were stored as typed; they are E.164 from now on (shipments.rules.phone_e164),
so existing rows are rewritten the same way. A number that cannot be read is kept
as it was typed (nothing is lost; the package page shows it)."""

from django.db import migrations

BATCH = 5000


def to_e164(apps, schema_editor):
    from shipments.rules import phone_e164

    # The migration's own connection (``migrate --database migrations``: the tables'
    # owner), never the default alias: the application's role may have no rights yet.
    packages = apps.get_model("shipments", "Package").objects.using(schema_editor.connection.alias)
    rows = (
        packages.exclude(sender_phone="", receiver_phone="")
        .order_by("pk")
        .values_list("pk", "sender_phone", "sender_address__country", "receiver_phone", "receiver_address__country")
    )
    changed = []
    for pk, sender_phone, sender_country, receiver_phone, receiver_country in rows.iterator(chunk_size=BATCH):
        sender = phone_e164(sender_phone, sender_country) or sender_phone
        receiver = phone_e164(receiver_phone, receiver_country) or receiver_phone
        if (sender, receiver) != (sender_phone, receiver_phone):
            changed.append(packages.model(pk=pk, sender_phone=sender, receiver_phone=receiver))
        if len(changed) >= BATCH:
            packages.bulk_update(changed, ["sender_phone", "receiver_phone"])
            changed = []
    packages.bulk_update(changed, ["sender_phone", "receiver_phone"])


class Migration(migrations.Migration):
    dependencies = [("shipments", "0003_package_name_trigram_indexes")]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop, elidable=True)]
