"""The counter's money over the API: the payment on the create body, a
package's payments, tills, the day and the remittances; malformed money is a
400 naming the field, never a 500."""

from datetime import UTC, datetime

import pytest

from counter.models import Payment, Till
from shipments.models import Package
from tests.api.test_packages import new_parcel

from .conftest import at_destination, card, counter_package, hand_over

TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture
def api(client_for, clerk_a):
    return client_for(clerk_a)


def details(response) -> dict:
    return response.json()["error"]["details"]


def test_registration_records_the_payment_the_frontend_reports(api, office_c, tariff):
    response = api.post("/api/v1/tills/", {"office": "aaa01", "float": "100.00"}, format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "open"
    body = new_parcel(accept=True, payment={"method": "cash", "amount_tendered": "50.00"})
    response = api.post("/api/v1/packages/", body, format="json")
    assert response.status_code == 201, response.content
    number = response.json()["tracking_number"]
    payments = api.get(f"/api/v1/packages/{number}/payments/").json()
    assert payments["state"]["label"] == "Paid (cash)"
    [payment] = payments["payments"]
    cost = Package.objects.get(tracking_number=number).cost_total
    assert (payment["amount"], payment["change_given"], payment["clerk"]) == (str(cost), f"{50 - cost:.2f}", "clerk_a")


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        ({"method": "cash", "amount_tendered": "-5"}, "payment.amount_tendered"),
        ({"method": "cash", "amount_tendered": "NaN"}, "payment.amount_tendered"),
        ({"method": "cash", "amount_tendered": "1e30"}, "payment.amount_tendered"),
        ({"method": "cash", "amount_tendered": "10.001"}, "payment.amount_tendered"),
        ({"method": "card", "reference": "A1", "card_last4": "4242", "currency": "EUR"}, "payment.currency"),
        ({"method": "card", "reference": "4111111111111111", "card_last4": "1111"}, "payment.reference"),
        ({"method": "bitcoin"}, "payment.method"),
    ],
)
def test_malformed_money_on_the_create_body_names_the_field(api, office_c, tariff, payment, field):
    response = api.post("/api/v1/packages/", new_parcel(payment=payment), format="json")
    assert response.status_code == 400
    assert field in details(response)
    assert not Package.objects.exists()


def test_a_card_number_typed_as_the_last_four_is_refused_as_one(api, office_c, tariff):
    payment = {"method": "card", "reference": "A1", "card_last4": "4111 1111 1111 1111"}
    response = api.post("/api/v1/packages/", new_parcel(payment=payment), format="json")
    assert response.status_code == 400
    assert details(response)["payment.card_last4"] == [
        "That looks like a card number: never type it. Give only the last four digits."
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("cod", ["-1", "NaN", "1e30", "1.005"])
def test_a_malformed_cod_amount_names_the_field(api, office_c, tariff, cod):
    response = api.post(
        "/api/v1/packages/", new_parcel(payment={"method": "prepaid", "reference": "P"}, cod_amount=cod), format="json"
    )
    assert response.status_code == 400
    assert "cod_amount" in details(response)


@pytest.mark.parametrize("amount", ["-1", "NaN", "1e30", "0.001", "Infinity"])
def test_a_malformed_payment_amount_names_the_field(api, office_a, office_c, clerk_a, tariff, amount):
    package = counter_package(office_a, office_c, clerk_a)
    response = api.post(
        f"/api/v1/packages/{package.tracking_number}/payments/",
        {"method": "prepaid", "reference": "P", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in details(response)


def test_a_later_payment_and_the_cod_collection(client_for, office_a, office_c, clerk_a, tariff, hq):
    package = counter_package(office_a, office_c, clerk_a, payment=card(), cod_amount="12.00")
    at_destination(package, office_c)
    hq_api = client_for(hq)
    body = {"kind": "cod", "method": "card", "reference": "COD-1", "card_last4": "1234"}
    response = hq_api.post(f"/api/v1/packages/{package.tracking_number}/payments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"]["cod_collected"] is True
    assert hand_over(package, hq).package.status == "delivered"  # issue 22's handover, now allowed


def test_a_second_open_till_is_a_409_and_the_close_answers_the_variance(api):
    assert api.post("/api/v1/tills/", {"office": "AAA01", "float": "20.00"}, format="json").status_code == 201
    second = api.post("/api/v1/tills/", {"office": "AAA01", "float": "20.00"}, format="json")
    assert second.status_code == 409
    till = Till.objects.get()
    closed = api.post(f"/api/v1/tills/{till.pk}/close/", {"counted": "19.50"}, format="json")
    assert closed.status_code == 200
    assert {key: closed.json()[key] for key in ("expected", "counted", "variance", "state")} == {
        "expected": "20.00",
        "counted": "19.50",
        "variance": "-0.50",
        "state": "closed",
    }
    assert api.get("/api/v1/tills/?state=open").json()["results"] == []
    assert api.get("/api/v1/tills/?state=nonsense").status_code == 400


@pytest.mark.parametrize("value", ["-1", "NaN", "1e30", "0.001"])
def test_a_malformed_float_or_count_names_the_field(api, value):
    response = api.post("/api/v1/tills/", {"office": "AAA01", "float": value}, format="json")
    assert response.status_code == 400
    assert "float" in details(response)
    api.post("/api/v1/tills/", {"office": "AAA01", "float": "1.00"}, format="json")
    response = api.post(f"/api/v1/tills/{Till.objects.get().pk}/close/", {"counted": value}, format="json")
    assert response.status_code == 400
    assert "counted" in details(response)


def test_the_day_and_its_close_as_json_and_csv(client_for, manager_a, office_a):
    api = client_for(manager_a)
    day = api.get(f"/api/v1/offices/AAA01/days/{TODAY}/")
    assert day.status_code == 200
    assert day.json()["closed"] is None
    csv = api.get(f"/api/v1/offices/AAA01/days/{TODAY}/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().startswith("office,day,line,method,amount,count,currency")
    closed = api.post(f"/api/v1/offices/AAA01/days/{TODAY}/close/")
    assert closed.status_code == 200
    assert closed.json()["closed"]["closed_by"] == "manager_a"
    assert api.post(f"/api/v1/offices/AAA01/days/{TODAY}/close/").status_code == 409
    assert api.get("/api/v1/offices/AAA01/days/2026-13-01/").status_code == 400
    assert api.get("/api/v1/offices/AAA01/days/9999-12-31/").status_code == 400


def test_the_remittance_list_and_pay_out(client_for, manager_a, office_a, office_c, hq, tariff):
    from .conftest import cod_collected

    collected = cod_collected(office_a, office_c, hq)
    api = client_for(manager_a)
    rows = api.get("/api/v1/remittances/?office=AAA01").json()["results"]
    assert [(row["id"], row["amount"], row["bank_reference"]) for row in rows] == [(collected.pk, "25.00", None)]
    paid = api.post(f"/api/v1/remittances/{collected.pk}/pay/", {"bank_reference": "BANK-9"}, format="json")
    assert paid.status_code == 201
    assert paid.json()["bank_reference"] == "BANK-9"
    assert api.get("/api/v1/remittances/?office=AAA01").json()["results"] == []
    assert Payment.objects.get(pk=collected.pk).remittance.bank_reference == "BANK-9"
