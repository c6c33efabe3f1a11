"""The outbox in the admin: on the package page, HQ's changelist and actions, the home's failed count."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from shipments.services import package_record_event
from tests.factories import party, register_package
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def accepted_package(office_a, office_c, clerk_a):
    package = register_package(
        origin=office_a,
        destination=office_c,
        actor=clerk_a,
        sender=party("Sam", phone="+12125550142", email="sam.sender@example.com", notify_email=True),
        receiver=party("Rita", phone="+12125550143", notify_sms=True),
    )
    package_record_event(package=package, status="accepted", office=office_a, actor=clerk_a)
    return package


def test_the_package_page_lists_the_notifications_with_masked_recipients(office_a, office_c, clerk_a, tariff):
    package = accepted_package(office_a, office_c, clerk_a)
    Notification.objects.filter(package=package, channel="sms").update(
        state="sent", attempts=1, message_id="sns-message-42"
    )
    Notification.objects.filter(package=package, channel="email").update(attempts=2, last_error="SendEmail: throttled")
    page = login(clerk_a).get(reverse("admin:shipments_package_change", args=[package.pk])).content.decode()
    section = page.split('id="notifications-group"', 1)[1].split('-group"', 1)[0]
    assert "Notifications" in section
    assert "+12•••43" in section
    assert "s•••@example.com" in section
    assert "+12125550143" not in section
    assert "sam.sender@example.com" not in section
    assert "sns-message-42" in section
    assert "SendEmail: throttled" in section


def test_the_outbox_is_hqs(office_a, office_c, clerk_a, hq, tariff):
    accepted_package(office_a, office_c, clerk_a)
    url = reverse("admin:notifications_notification_changelist")
    assert login(clerk_a).get(url).status_code == 403
    response = login(hq).get(url, {"state__exact": "pending", "channel__exact": "sms", "status__exact": "accepted"})
    assert response.status_code == 200
    assert [row.channel for row in response.context["cl"].result_list] == ["sms"]


def test_outbox_changelist_query_count(office_a, office_c, clerk_a, hq, tariff, django_assert_max_num_queries):
    for _ in range(5):
        accepted_package(office_a, office_c, clerk_a)
    client = login(hq)
    url = reverse("admin:notifications_notification_changelist")
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_retry_now_and_give_up(office_a, office_c, clerk_a, hq, tariff):
    package = accepted_package(office_a, office_c, clerk_a)
    failed = Notification.objects.get(package=package, channel="sms")
    failed.state, failed.attempts, failed.last_error = "failed", 8, "Publish: down"
    failed.save()
    later = Notification.objects.get(package=package, channel="email")
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timezone.timedelta(hours=1))
    client = login(hq)
    url = reverse("admin:notifications_notification_changelist")
    response = client.post(url, {"action": "retry_now", "_selected_action": [failed.pk, later.pk]}, follow=True)
    assert "2 notification(s) due now: the dispatcher tries each once more within a minute" in (
        response.content.decode()
    )
    failed.refresh_from_db()
    later.refresh_from_db()
    assert (failed.state, failed.attempts) == ("pending", 8)  # the attempts keep counting
    assert later.next_attempt_at <= timezone.now()
    client.post(url, {"action": "give_up", "_selected_action": [later.pk]})
    later.refresh_from_db()
    assert later.state == "failed"


def test_a_retried_row_is_sent_by_the_dispatcher_loop_and_counts_its_attempt(office_a, office_c, clerk_a, hq, tariff):
    """`make run` runs `dispatch_notifications --every 60` beside the server, so
    "Retry now" is sent there too; the retry is attempt 9, not attempt 1."""
    package = accepted_package(office_a, office_c, clerk_a)
    failed = Notification.objects.get(package=package, channel="sms")
    Notification.objects.filter(pk=failed.pk).update(state="failed", attempts=8, last_error="Publish: down")
    login(hq).post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk]},
    )
    out = StringIO()
    call_command("dispatch_notifications", every=0.01, runs=2, stdout=out)
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == ("sent", 9, "")
    assert out.getvalue().startswith("sent ")


def test_make_run_runs_the_dispatcher_beside_the_server_and_stops_it_with_the_server():
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/bin/activate", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    loop, _, rest = recipe.partition("manage.py dispatch_notifications --every 60 &")
    assert rest, recipe
    trap = next(line for line in rest.splitlines() if line.startswith("trap "))
    assert trap.startswith("trap 'kill ")
    assert "$dispatcher" in trap  # stopped with the server
    assert "manage.py runserver" in rest


def test_the_dispatcher_loop_refuses_a_period_of_zero(db):
    with pytest.raises(CommandError, match="greater than zero"):
        call_command("dispatch_notifications", every=0)


def test_the_admin_home_counts_failed_notifications_for_hq(office_a, office_c, clerk_a, hq, tariff):
    package = accepted_package(office_a, office_c, clerk_a)
    assert "failed-notifications" not in login(hq).get(reverse("admin:index")).content.decode()
    Notification.objects.filter(package=package).exclude(channel="topic").update(state="failed")
    page = login(hq).get(reverse("admin:index")).content.decode()
    assert "2 notifications failed" in page
    assert "failed-notifications" not in login(clerk_a).get(reverse("admin:index")).content.decode()
