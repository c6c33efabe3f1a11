"""The counter's money in the admin: the header's till, the cash-up page, a
package's payment block, the day close page and its CSV, the remittance list."""

from decimal import Decimal

from django.urls import reverse

from counter.models import DayClose, Payment, Till
from counter.services import office_day
from tests.helpers import login

from .conftest import card, cod_collected

CASHUP = reverse("admin:counter_till_cashup")


def test_a_clerk_opens_and_cashes_up_a_till(clerk_a, office_a):
    client = login(clerk_a)
    assert "No till open" in client.get(reverse("admin:index")).content.decode()
    response = client.post(CASHUP, {"_open": "1", "office": office_a.pk, "opening_float": "150.00"}, follow=True)
    page = response.content.decode()
    assert "Till open at AAA01 (float 150.00 USD)" in page
    assert 'id="till_expected">150.00 USD' in page
    response = client.post(
        CASHUP, {"_close": "1", "counted": "", "denominations": "100 x 1\n20.00 x 2\n5 x 2"}, follow=True
    )
    assert "Till closed: expected 150.00, counted 150.00, variance 0.00 USD." in response.content.decode()
    assert Till.objects.get().closed_at is not None


def test_the_cash_up_shows_the_managers_note_rule(clerk_a, office_a):
    client = login(clerk_a)
    client.post(CASHUP, {"_open": "1", "office": office_a.pk, "opening_float": "150.00"})
    response = client.post(CASHUP, {"_close": "1", "counted": "100.00"})
    assert "over the limit of 5.00: a manager" in response.content.decode()
    assert Till.objects.get().closed_at is None


def test_the_package_page_takes_a_payment(register, clerk_a, office_a, settings):
    settings.COUNTER_UNPAID_ALLOWED = True
    package = register(None)
    client = login(clerk_a)
    pay = reverse("admin:counter_till_pay", args=[package.pk])
    response = client.post(pay, {"kind": "payment", "payment_method": "cash", "amount_tendered": "50"}, follow=True)
    assert "Open a till at AAA01" in response.content.decode()
    client.post(CASHUP, {"_open": "1", "office": office_a.pk, "opening_float": "0"})
    response = client.post(pay, {"kind": "payment", "payment_method": "cash", "amount_tendered": "50"}, follow=True)
    page = response.content.decode()
    assert f"Payment of {package.cost_total} USD (cash, change {Decimal(50) - package.cost_total}) recorded." in page
    assert '<span id="payment_state">Paid (cash)</span>' in page


def test_the_managers_day_close_page_prints_and_closes(register, manager_a, office_a, clerk_a):
    register(card())
    client = login(manager_a)
    url = reverse("admin:counter_till_day", args=["AAA01", office_day(office_a).isoformat()])
    page = client.get(url).content.decode()
    assert 'id="day_parcels">1<' in page
    assert "@page { size: A4" in page
    csv = client.get(url + "csv/")
    assert csv["Content-Disposition"].startswith('attachment; filename="day-AAA01-')
    response = client.post(url, {"_close_day": "1"}, follow=True)
    assert "is closed" in response.content.decode()
    assert DayClose.objects.filter(office=office_a).exists()
    assert login(clerk_a).get(url).status_code == 403


def test_the_remittance_list_pays_out(manager_a, office_a, office_c, hq, tariff):
    collected = cod_collected(office_a, office_c, hq)
    client = login(manager_a)
    url = reverse("admin:counter_till_remittances")
    assert collected.package.tracking_number in client.get(url).content.decode()
    response = client.post(url, {"payment": collected.pk, "bank_reference": "BANK-3"}, follow=True)
    assert "Nothing to pay out." in response.content.decode()
    assert Payment.objects.get(pk=collected.pk).remittance.bank_reference == "BANK-3"
    assert client.post(url, {"payment": "abc", "bank_reference": "x"}).status_code == 404


def test_a_count_of_pieces_in_other_digits_is_an_error_on_the_cash_up(clerk_a, office_a):
    client = login(clerk_a)
    client.post(CASHUP, {"_open": "1", "office": office_a.pk, "opening_float": "150.00"})
    response = client.post(CASHUP, {"_close": "1", "counted": "", "denominations": "20.00 x ²"})
    assert response.status_code == 200
    assert "“20.00 x ²”: write value x pieces, e.g. 20.00 x 3." in response.content.decode()
    assert Till.objects.get().closed_at is None
