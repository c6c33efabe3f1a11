import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from offices.models import Membership, Office
from shipments.models import Charge, Package, Tariff, TrackingEvent
from shipments.statuses import Status, effect_of
from tests.factories import OfficeFactory
from tests.helpers import PRODUCTION_ENV

User = get_user_model()
ROOT = Path(__file__).resolve().parent.parent


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Office, Tariff, User, Membership, Package, TrackingEvent, Charge)
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_whole_network_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert first["Office"] >= 5
    assert set(Tariff.objects.values_list("service", flat=True)) == {"standard", "express", "overnight"}
    assert User.objects.get(username="hq").is_superuser
    for office in Office.objects.all():
        roles = set(office.memberships.values_list("role", flat=True))
        assert roles == {"clerk", "manager"}
        assert office.location.latitude is not None
        assert office.opening_hours  # the pickup message gives them
    assert 200 <= first["Package"] <= 1000
    assert set(Package.objects.values_list("status", flat=True)) == set(Status.values)
    # Exchange codes and a few bags in every state (dispatches/).
    from dispatches.models import Bag

    assert not Office.objects.filter(exchange_code__isnull=True).exists()
    assert set(Bag.objects.values_list("state", flat=True)) == set(Bag.State.values)
    latest = {p.pk: p.events.order_by("-occurred_at", "-id").first().status for p in Package.objects.all()[:50]}
    assert all(Package.objects.get(pk=pk).status == status for pk, status in latest.items())

    from notifications.models import Notification

    assert not Notification.objects.exists()  # the demo's history notifies nobody
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    assert out.getvalue() == ""  # a rerun that changes nothing says nothing
    call_command("seed_demo", stdout=out, verbosity=2)
    assert "packages unchanged" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_packages_tops_up_with_generated_histories():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", packages=1500, stdout=io.StringIO(), stderr=io.StringIO())
    assert Package.objects.count() == 1500
    # Generated rows obey the same rules as the services: valid numbers, consistent timelines.
    from shipments.tracking_numbers import normalize_tracking_number

    for package in Package.objects.order_by("-id")[:200].prefetch_related("events"):
        assert normalize_tracking_number(package.tracking_number) == package.tracking_number
        events = list(package.events.all())
        assert events[0].status == "created"
        assert events[-1].status == package.status
        assert package.charges.filter(kind="shipping").get().total == package.cost_total
        # The package's columns are what its timeline does to a new package, as the service applies it.
        state = {"status": "created", "current_office_id": package.origin_office_id, "accepted_at": None}
        state |= {"expected_delivery_at": None, "delivered_at": None, "received_by": ""}
        for event in events[1:]:
            state |= effect_of(
                event.status,
                office_id=event.office_id,
                occurred_at=event.occurred_at,
                transit_days=package.transit_days,
                received_by=event.received_by,
            )
        assert {field: getattr(package, field) for field in state} == state
    numbers = list(Package.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == 1500
    # Drawn through the keyed permutation, as the services draw them: not a run of neighbours.
    serials = sorted(int(number[2:10]) for number in numbers)
    assert sum(b - a <= 13 for a, b in zip(serials, serials[1:], strict=False)) < 15
    call_command("seed_demo", packages=1500, stdout=io.StringIO(), stderr=io.StringIO())
    assert Package.objects.count() == 1500


@pytest.mark.django_db
@pytest.mark.parametrize("allowed", ["unset", False])
def test_seed_demo_refuses_settings_that_do_not_allow_demo_data(settings, allowed):
    if allowed == "unset":
        del settings.DEMO_DATA_ALLOWED  # as in the base and production settings
    else:
        settings.DEMO_DATA_ALLOWED = allowed
    with pytest.raises(CommandError, match="published password.*DEMO_DATA_ALLOWED"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not Office.objects.exists()


def test_production_settings_have_no_seed_demo_command():
    env = {**os.environ, **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr


@pytest.mark.django_db
def test_add_clerk_creates_a_cognito_only_staff_user_and_is_idempotent():
    OfficeFactory(code="NYC01")
    OfficeFactory(code="BOS01")
    out = io.StringIO()
    call_command("add_clerk", "jane", "--office", "nyc01", "--email", "jane@example.com", stdout=out)
    assert "jane: created, clerk at NYC01" in out.getvalue()
    jane = User.objects.get(username="jane")
    assert jane.is_staff
    assert not jane.has_usable_password()
    assert jane.email == "jane@example.com"

    call_command("add_clerk", "jane", "--office", "NYC01", "--email", "jane@example.com", stdout=out)
    assert "jane: unchanged" in out.getvalue()
    call_command("add_clerk", "jane", "--office", "BOS01", "--manager", stdout=out)
    assert dict(jane.memberships.values_list("office__code", "role")) == {"NYC01": "clerk", "BOS01": "manager"}


@pytest.mark.django_db
def test_add_clerk_reads_a_password_from_stdin(monkeypatch):
    OfficeFactory(code="NYC01")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Pass!\n"))
    call_command("add_clerk", "sam", "--office", "NYC01", "--password-stdin", stdout=io.StringIO())
    assert User.objects.get(username="sam").check_password("s3cret-Pass!")


@pytest.mark.django_db
def test_add_clerk_refuses_an_unknown_office_clearly():
    with pytest.raises(CommandError, match="There is no office XYZ01"):
        call_command("add_clerk", "x", "--office", "XYZ01")
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password", "refused"),
    [("sam", "1", "too short"), ("bad name!", None, "Enter a valid username")],
)
def test_add_clerk_refuses_a_weak_password_and_a_bad_user_name(monkeypatch, username, password, refused):
    OfficeFactory(code="NYC01")
    arguments = ["add_clerk", username, "--office", "NYC01"]
    if password is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        arguments.append("--password-stdin")
    with pytest.raises(CommandError, match=refused):
        call_command(*arguments, stdout=io.StringIO())
    assert not User.objects.filter(username=username).exists()
