"""Phone numbers are stored in E.164 however they are typed, refused when they
are not phone numbers, and found by search in any of those spellings."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from offices.models import Office
from offices.services import office_upsert
from shipments.models import Package
from shipments.rules import PHONE_INVALID, phone_e164
from tests.factories import party, register_package
from tests.helpers import login

ADD = reverse("admin:shipments_package_add")
# Numbers with the digits of a phone but no area code: phonenumbers calls them possible, not valid.
NOT_PHONES = ("555-0100", "+1 555 0100", "+15550100")


def test_phone_spellings_become_one_number():
    assert phone_e164("+1 212 555 0142") == "+12125550142"
    assert phone_e164("(212) 555-0142", "us") == "+12125550142"
    assert phone_e164("020 7946 0958", "GB") == "+442079460958"
    assert phone_e164("  ") == ""
    assert phone_e164("call me maybe", "US") is None
    assert phone_e164("12", "US") is None


@pytest.mark.parametrize("typed", NOT_PHONES)
def test_a_number_phonenumbers_does_not_call_valid_is_not_a_phone(typed):
    assert phone_e164(typed, "US") is None
    assert phone_e164("+1 212 555 0100", "US") == "+12125550100"  # 555-01XX is fictional, and valid


def _counter_form(**changes) -> dict:
    return {
        "service": "express",
        "weight_grams": "1200",
        "length_cm": "30",
        "width_cm": "20",
        "height_cm": "10",
        "sender_name": "Sam Sender",
        "sender_line1": "1 Main St",
        "sender_city": "Springfield",
        "sender_country": "US",
        "receiver_name": "Rita Receiver",
        "receiver_line1": "9 Elm St",
        "receiver_city": "Shelbyville",
        "receiver_country": "US",
        **changes,
    }


@pytest.mark.parametrize("typed", NOT_PHONES)
def test_every_way_in_refuses_a_number_that_is_not_valid_with_the_same_message(typed, net, client_for, tmp_path):
    # The counter form.
    data = _counter_form(origin_office=net.a.pk, destination_office=net.c.pk, sender_phone=typed)
    response = login(net.clerk_a).post(ADD, data)
    assert response.context["form"].errors["sender_phone"] == [PHONE_INVALID]
    # The API.
    body = {
        "origin_office": "AAA01",
        "destination_office": "CCC01",
        "service": "standard",
        "weight_grams": 500,
        "length_cm": 10,
        "width_cm": 10,
        "height_cm": 10,
        "sender": {"name": "Sam", "phone": typed, "address": {"line1": "1 A St", "city": "NY", "country": "US"}},
        "receiver": {"name": "Rita", "address": {"line1": "2 B St", "city": "LA", "country": "US"}},
    }
    response = client_for(net.clerk_a).post("/api/v1/packages/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["sender.phone"] == [PHONE_INVALID]
    # The office import (the package import: tests/imports/test_packages.py).
    source = tmp_path / "offices.csv"
    source.write_text(
        "code,name,line1,city,country,latitude,longitude,phone,timezone\n"
        f"NEW01,New,1 Main St,Springfield,US,40,-75,{typed},UTC\n"
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):  # exits 1: a row was rejected
        call_command("import_offices", str(source), "--errors", str(errors), stdout=io.StringIO(), stderr=io.StringIO())
    assert list(csv.reader(errors.open()))[1:] == [["2", "phone", PHONE_INVALID]]
    # The service behind the office admin.
    with pytest.raises(ValidationError) as refused:
        office_upsert(actor=None, code="AAA01", name="Office A", address={"country": "US"}, phone=typed)
    assert refused.value.message_dict == {"phone": [PHONE_INVALID]}
    assert Package.objects.count() == 3
    assert not Office.objects.filter(code="NEW01").exists()


def test_the_office_admin_stores_a_valid_phone_in_e164_and_refuses_another(net):
    office = net.a
    location = office.location
    form = {
        "name": office.name,
        "phone": "(212) 555-0142",
        "email": "",
        "time_zone": office.time_zone,
        "is_active": "on",
        "line1": location.line1,
        "city": location.city,
        "country": "US",
        "latitude": "40",
        "longitude": "-75",
    }
    url = reverse("admin:offices_office_change", args=[office.pk])
    response = login(net.hq).post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    office.refresh_from_db()
    assert office.phone == "+12125550142"
    response = login(net.hq).post(url, form | {"phone": "+1 555 0100"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == [PHONE_INVALID]


def test_the_api_stores_e164_and_refuses_what_is_not_a_phone(client_for, clerk_a, office_a, office_c, tariff):
    clerk_a_client = client_for(clerk_a)
    body = {
        "origin_office": "AAA01",
        "destination_office": "CCC01",
        "service": "standard",
        "weight_grams": 500,
        "length_cm": 10,
        "width_cm": 10,
        "height_cm": 10,
        "sender": {
            "name": "Sam",
            "phone": "(212) 555-0142",
            "address": {"line1": "1 A St", "city": "NY", "country": "US"},
        },
        "receiver": {"name": "Rita", "address": {"line1": "2 B St", "city": "LA", "country": "US"}},
    }
    response = clerk_a_client.post("/api/v1/packages/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["sender"]["phone"] == "+12125550142"

    body["receiver"] |= {"phone": "call me maybe", "notify_sms": True}
    response = clerk_a_client.post("/api/v1/packages/", body, format="json")
    assert response.status_code == 400
    assert "not a valid phone number" in response.json()["error"]["details"]["receiver.phone"][0]
    assert Package.objects.count() == 1


def test_the_counter_form_says_which_phone_is_wrong(net):
    data = {
        "origin_office": net.a.pk,
        "destination_office": net.c.pk,
        "service": "express",
        "weight_grams": "1200",
        "length_cm": "30",
        "width_cm": "20",
        "height_cm": "10",
        "sender_name": "Sam Sender",
        "sender_phone": "call me maybe",
        "sender_line1": "1 Main St",
        "sender_city": "Springfield",
        "sender_country": "US",
        "receiver_name": "Rita Receiver",
        "receiver_line1": "9 Elm St",
        "receiver_city": "Shelbyville",
        "receiver_country": "US",
    }
    response = login(net.clerk_a).post(ADD, data)
    assert response.status_code == 200
    assert response.context["form"].errors["sender_phone"] == [PHONE_INVALID]


def test_search_finds_a_phone_however_it_is_typed(net, client_for):
    package = register_package(origin=net.a, destination=net.c, sender=party("Phoebe Phone", phone="+1 212 555 0142"))
    assert Package.objects.get(pk=package.pk).sender_phone == "+12125550142"
    for typed in ("+1 212 555 0142", "+12125550142", "2125550142", "(212) 555-0142"):
        page = login(net.clerk_a).get(reverse("admin:shipments_package_changelist"), {"q": typed})
        assert [p.tracking_number for p in page.context["cl"].result_list] == [package.tracking_number], typed
        listed = client_for(net.clerk_a).get("/api/v1/packages/", {"search": typed}).json()["results"]
        assert [row["tracking_number"] for row in listed] == [package.tracking_number], typed


def test_the_migration_rewrites_phones_typed_before(net):
    package = net.a_to_c
    Package.objects.filter(pk=package.pk).update(sender_phone="+1 (212) 555-0142", receiver_phone="call me maybe")
    migration = MigrationLoader(connection).get_migration("shipments", "0004_phones_in_e164")
    from django.apps import apps

    with connection.schema_editor() as schema_editor:  # as migrate runs it: on the migration's connection
        migration.operations[0].code(apps, schema_editor)
    package.refresh_from_db()
    assert (package.sender_phone, package.receiver_phone) == ("+12125550142", "call me maybe")
