"""The package list's date range refuses a range that ends before it starts,
as the cost report does, instead of showing an empty list."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.helpers import login

CHANGELIST = reverse("admin:shipments_package_changelist")


def test_an_end_before_the_start_is_said_and_the_range_ignored(net):
    today = timezone.localdate()
    params = {"created_at_from": today.isoformat(), "created_at_to": (today - timedelta(days=7)).isoformat()}
    response = login(net.hq).get(CHANGELIST, params, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date" in page
    assert "that date filter was ignored" in page
    assert set(response.context["cl"].result_list) == {net.a_to_c, net.b_to_c, net.c_to_b}
