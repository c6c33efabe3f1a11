"""Partner webhooks in the admin: HQ's subscriptions (the secret shown once,
addresses checked), the delivery log of every attempt, redelivery, and the
home page's notice of subscriptions the deliveries turned off."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import register_package
from tests.helpers import login
from webhooks.delivery import dispatch_due
from webhooks.models import Message, Subscription
from webhooks.services import subscription_create

from .conftest import PARTNER_HOST, time_passes

ADD = reverse("admin:webhooks_subscription_add")


def test_hq_adds_a_subscription_and_sees_its_secret_once(hq, dns, office_a):
    client = login(hq)
    response = client.post(
        ADD,
        {
            "url": f"https://{PARTNER_HOST}/in",
            "events": ["accepted", "delivered"],
            "origin_offices": [office_a.pk],
            "description": "Shop A",
            "active": "on",
        },
        follow=True,
    )
    subscription = Subscription.objects.get()
    page = response.content.decode()
    assert f"shown this once (the partner verifies signatures with it): {subscription.secret}" in page
    assert subscription.events == ["accepted", "delivered"]
    assert list(subscription.origin_offices.all()) == [office_a]
    change = client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk])).content.decode()
    assert subscription.secret not in change


def test_the_admin_refuses_a_private_address(hq, dns):
    dns.answers[PARTNER_HOST] = ["169.254.169.254"]
    response = login(hq).post(ADD, {"url": f"https://{PARTNER_HOST}/in", "active": "on"})
    assert response.status_code == 200
    assert "169.254.169.254 is a link-local address" in response.content.decode()
    assert not Subscription.objects.exists()


def test_webhooks_are_hqs(clerk_a, manager_a):
    for user in (clerk_a, manager_a):
        assert login(user).get(reverse("admin:webhooks_subscription_changelist")).status_code == 403
        assert login(user).get(reverse("admin:webhooks_message_changelist")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_log_shows_every_attempt_and_redeliver_sends_again(hq, receiver, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    package = register_package(origin=office_a, destination=office_c)
    receiver.script = [(500, 0, {}), (200, 1.0, {})]
    for _ in range(3):
        dispatch_due()
        time_passes()
    message = Message.objects.get(subscription=subscription, package=package)
    client = login(hq)
    page = client.get(reverse("admin:webhooks_message_change", args=[message.pk])).content.decode()
    log = page.split("Delivery log", 1)[1]
    assert "answer 500" in log
    assert "No answer within the timeout." in log
    assert log.count("<tr") >= 4  # the head and three attempts
    response = client.post(
        reverse("admin:webhooks_message_changelist"),
        {"action": "redeliver", "_selected_action": [message.pk]},
        follow=True,
    )
    assert "1 message(s) due now" in response.content.decode()
    dispatch_due()
    assert [request.headers["webhook-id"] for request in receiver.requests] == [message.webhook_id] * 4


def test_the_home_page_names_subscriptions_the_deliveries_turned_off(hq, clerk_a, dns):
    subscription = subscription_create(url=f"https://{PARTNER_HOST}/in", description="Shop A")
    Subscription.objects.filter(pk=subscription.pk).update(
        active=False, disabled_at=timezone.now(), disabled_reason="The endpoint answered 410 Gone."
    )
    page = login(hq).get(reverse("admin:index")).content.decode()
    assert 'id="turned-off-webhooks"' in page
    assert "Shop A</a> (The endpoint answered 410 Gone.)" in page
    assert 'id="turned-off-webhooks"' not in login(clerk_a).get(reverse("admin:index")).content.decode()


def test_the_deliveries_changelist_costs_a_fixed_number_of_queries(
    hq, dns, office_a, office_c, tariff, django_assert_max_num_queries
):
    subscription_create(url=f"https://{PARTNER_HOST}/in")
    for _ in range(5):
        register_package(origin=office_a, destination=office_c)
    client = login(hq)
    url = reverse("admin:webhooks_message_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
