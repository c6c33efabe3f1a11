"""Registering a package at the counter: quote first, then register."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shipments.models import Package
from shipments.pricing import quote
from shipments.values import Parcel
from tests.helpers import login

ADD = reverse("admin:shipments_package_add")


def form_data(net, **overrides):
    data = {
        "origin_office": net.a.pk,
        "destination_office": net.c.pk,
        "service": "express",
        "weight_grams": "1200",
        "length_cm": "30",
        "width_cm": "20",
        "height_cm": "10",
        "declared_value": "100",
        "accept": "on",
        "sender_name": "Sam Sender",
        "sender_phone": "+12125550100",
        "sender_email": "sam@example.com",
        "sender_line1": "1 Main St",
        "sender_city": "Springfield",
        "sender_country": "us",
        "sender_notify_sms": "on",
        "receiver_name": "Rita Receiver",
        "receiver_phone": "+12125550111",
        "receiver_line1": "9 Elm St",
        "receiver_city": "Shelbyville",
        "receiver_country": "US",
        "receiver_notify_email": "",
        # The payment block (counter.forms): paid by card at the terminal.
        "payment_method": "card",
        "payment_reference": "AUTH-1",
        "card_last4": "4242",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def expected_quote(net):
    return quote(
        Parcel(
            origin_office=net.a,
            destination_office=net.c,
            service="express",
            weight_grams=1200,
            length_cm=30,
            width_cm=20,
            height_cm=10,
            declared_value=Decimal("100"),
        )
    )


def test_the_form_starts_at_the_clerks_office(net):
    response = login(net.clerk_a).get(ADD)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["origin_office"].value() == net.a.pk
    assert list(form.fields["origin_office"].queryset) == [net.a]
    assert "Get a quote" in response.content.decode()
    assert 'name="_register"' not in response.content.decode()


def test_quote_shows_the_breakdown_and_saves_nothing(net):
    before = Package.objects.count()
    response = login(net.clerk_a).post(ADD, {**form_data(net), "_quote": "Get a quote"})
    page = response.content.decode()
    cost = expected_quote(net)
    assert response.context["quote"] == cost
    assert f"Price: {cost.total} USD" in page
    assert f'<td class="money">{cost.insurance}</td>' in page
    assert 'name="_register"' in page
    assert f'name="quoted_total" value="{cost.total}"' in page
    assert Package.objects.count() == before


def test_register_after_quote_saves_through_the_service_and_links_the_label_and_receipt(net):
    cost = expected_quote(net)
    response = login(net.clerk_a).post(
        ADD, {**form_data(net), "quoted_total": str(cost.total), "_register": "Register"}, follow=True
    )
    package = Package.objects.get(sender_name="Sam Sender")
    assert response.redirect_chain[-1][0] == reverse("admin:shipments_package_change", args=[package.pk])
    page = response.content.decode()
    assert f"Registered {package.tracking_number}" in page
    assert reverse("admin:shipments_package_label", args=[package.pk]) in page
    assert reverse("admin:shipments_package_receipt", args=[package.pk]) in page
    assert package.status == "accepted"  # "handed over now" was ticked
    assert package.cost_total == cost.total
    assert package.created_by == net.clerk_a
    assert package.sender_notify_sms
    assert not package.receiver_notify_email
    assert package.receiver_address.country == "US"
    assert package.sender_address.country == "US"
    assert list(package.events.values_list("status", flat=True)) == ["created", "accepted"]
    assert package.charges.get().total == cost.total


def test_register_without_a_quote_shows_the_price_first(net):
    response = login(net.clerk_a).post(ADD, {**form_data(net), "_register": "Register"})
    assert response.status_code == 200
    assert not Package.objects.filter(sender_name="Sam Sender").exists()
    assert "Check it with the customer and press Register again" in response.content.decode()
    assert response.context["quote"] == expected_quote(net)


def test_register_refuses_when_the_details_changed_since_the_quote(net):
    stale = expected_quote(net).total - Decimal("1.00")
    response = login(net.clerk_a).post(ADD, {**form_data(net), "quoted_total": str(stale), "_register": "Register"})
    assert not Package.objects.filter(sender_name="Sam Sender").exists()
    assert "The price is now" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weight_grams": "80000"}, "weight_grams", "Parcels over 70 kg are freight"),
        ({"sender_phone": ""}, "sender_phone", "A phone number is needed for SMS notifications."),
        ({"receiver_country": "U1"}, "receiver_country", "Use the two-letter ISO country code"),
    ],
)
def test_domain_errors_come_back_as_form_errors(net, overrides, field, message):
    data = {**form_data(net, **overrides), "_register": "Register"}
    data["quoted_total"] = str(expected_quote(net).total)
    response = login(net.clerk_a).post(ADD, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors.get(field, []) + form.non_field_errors())
    assert not Package.objects.filter(sender_name="Sam Sender").exists()


def test_a_clerk_cannot_register_at_another_office(net):
    response = login(net.clerk_a).post(ADD, {**form_data(net, origin_office=net.b.pk), "_quote": "Get a quote"})
    assert "origin_office" in response.context["form"].errors
    assert response.context["quote"] is None


@pytest.mark.parametrize("button", ["_quote", "_register"])
def test_every_problem_of_the_form_is_shown_at_once(net, button):
    """A 90 kg parcel whose sender wants SMS without a phone, with a receiver
    whose city is missing: the page lists all three, not one after the other."""
    data = {**form_data(net, weight_grams="90000", sender_phone="", receiver_city=""), button: "Go"}
    response = login(net.clerk_a).post(ADD, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Parcels over 70 kg are freight; we cannot take them at the counter." in page
    assert "A phone number is needed for SMS notifications." in page
    assert "This field is required." in page  # the receiver's city
    assert response.context["quote"] is None
    assert not Package.objects.filter(sender_name="Sam Sender").exists()
