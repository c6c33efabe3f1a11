"""Times with their zone named on the pages the README promises it for, beyond
the package's own: its notifications, HQ's outbox, the sign-in records."""

from datetime import UTC, datetime

from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from notifications.models import Notification
from shipments.services import package_record_event
from tests.factories import OfficeFactory, UserFactory, clerk_at, party, register_package
from tests.helpers import login

CREATED = datetime(2026, 1, 15, 18, 46, tzinfo=UTC)  # 1:46 p.m. in New York (EST)


def new_york_package(tariff):
    nyc = OfficeFactory(code="NYC01", time_zone="America/New_York")
    sfo = OfficeFactory(code="SFO01", time_zone="America/Los_Angeles")
    clerk = clerk_at(nyc, username="clerk_nyc")
    package = register_package(
        origin=nyc, destination=sfo, actor=clerk, receiver=party("Rita", phone="+12125550143", notify_sms=True)
    )
    package_record_event(package=package, status="accepted", office=nyc, actor=clerk)
    Notification.objects.filter(package=package).update(created_at=CREATED, next_attempt_at=CREATED)
    return package, clerk


def test_the_package_pages_notifications_are_in_its_zone_with_the_zone_named(tariff):
    package, clerk = new_york_package(tariff)
    page = login(clerk).get(reverse("admin:shipments_package_change", args=[package.pk])).content.decode()
    section = page.split('id="notifications-group"', 1)[1].split("</fieldset>", 1)[0]
    assert "Jan. 15, 2026, 1:46 p.m. EST" in section
    assert "6:46 p.m." not in section


def test_the_outbox_list_and_detail_name_the_zone(tariff):
    package, _ = new_york_package(tariff)
    hq = UserFactory(username="hq_nyc", is_superuser=True)
    client = login(hq)  # HQ without an office: UTC
    page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert "Jan. 15, 2026, 6:46 p.m. UTC" in page
    notification = Notification.objects.filter(package=package, channel="sms").get()
    page = client.get(reverse("admin:notifications_notification_change", args=[notification.pk])).content.decode()
    assert "Jan. 15, 2026, 6:46 p.m. UTC" in page


def test_the_sign_in_records_name_the_zone(db):
    hq = UserFactory(username="hq_sign_ins", is_superuser=True)
    client = login(hq)  # (signing in clears expired failed attempts: those below come after)
    attempt = AccessAttempt.objects.create(
        username="mallory", ip_address="192.0.2.9", user_agent="curl", failures_since_start=2, path_info="/admin/"
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=CREATED)
    entry = AccessLog.objects.create(username="hq_sign_ins", ip_address="192.0.2.1", user_agent="curl")
    AccessLog.objects.filter(pk=entry.pk).update(attempt_time=CREATED, logout_time=CREATED)
    for name, pk in (("accessattempt", attempt.pk), ("accesslog", entry.pk)):
        listing = client.get(reverse(f"admin:axes_{name}_changelist")).content.decode()
        assert "Jan. 15, 2026, 6:46 p.m. UTC" in listing, name
        detail = client.get(reverse(f"admin:axes_{name}_change", args=[pk])).content.decode()
        assert "Jan. 15, 2026, 6:46 p.m. UTC" in detail, name
