"""The on-time report pages: an office's for its managers (another office's is a
404, a clerk has none), the network's for HQ, the CSV the same numbers."""

from datetime import timedelta

from django.urls import reverse

from tests.helpers import login
from tests.shipments.test_ontime import SECOND, delivered, returned


def _history(net):
    start = SECOND + timedelta(days=2)  # last month: within the default twelve
    delivered(net.a, net.c, accepted_at=start, after_days=2)
    returned(net.a, net.c, at=start + timedelta(days=1), reason="refused")
    delivered(net.b, net.c, accepted_at=start, after_days=9)


def test_a_manager_reads_their_offices_report_and_its_csv(net):
    _history(net)
    client = login(net.manager_a)
    page = client.get(reverse("admin:shipments_package_on_time_pick"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("admin:shipments_package_on_time", args=["AAA01"])
    text = page.content.decode()
    assert "On-time report for AAA01" in text
    assert "100.0 %" in text  # the one delivered parcel, on time
    assert "refused by receiver: 1" in text
    csv_text = client.get(reverse("admin:shipments_package_on_time", args=["AAA01"]), {"format": "csv"})
    assert csv_text["Content-Type"].startswith("text/csv")
    assert "refused:1" in csv_text.content.decode()

    assert client.get(reverse("admin:shipments_package_on_time", args=["BBB01"])).status_code == 404
    assert client.get(reverse("admin:shipments_package_on_time_network")).status_code == 403
    assert login(net.clerk_a).get(reverse("admin:shipments_package_on_time_pick")).status_code == 403


def test_hq_reads_the_networks_report(net):
    _history(net)
    page = login(net.hq).get(reverse("admin:shipments_package_on_time_network")).content.decode()
    assert "On-time report for the whole network" in page
    assert "50.0 %" in page  # two delivered standard parcels that month, one of them late
