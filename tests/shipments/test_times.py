"""Which zone a time is shown in, and how the zone is named (shipments.times, offices.access)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from offices import access
from shipments.times import local_text, zone_label
from tests.factories import OfficeFactory, clerk_at, register_package
from tests.helpers import login

MOMENT = datetime(2026, 1, 15, 18, 46, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", "Jan. 15, 2026, 1:46 p.m. EST"),
        ("UTC", "Jan. 15, 2026, 6:46 p.m. UTC"),
        # No abbreviation for São Paulo ("-03"): the zone's name says it.
        ("America/Sao_Paulo", "Jan. 15, 2026, 3:46 p.m. (America/Sao_Paulo)"),
    ],
)
def test_a_time_names_its_zone(zone, expected):
    assert local_text(MOMENT, ZoneInfo(zone)) == expected


def test_summer_time_is_named_too():
    assert zone_label(datetime(2026, 7, 1, 12, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))) == "EDT"


@pytest.mark.django_db
def test_the_users_zone_is_their_first_active_offices():
    boston = OfficeFactory(code="BOS01", time_zone="America/New_York")
    denver = OfficeFactory(code="DEN01", time_zone="America/Denver")
    closed = OfficeFactory(code="AAA99", time_zone="Asia/Tokyo", is_active=False)
    assert access.default_time_zone(clerk_at(denver, boston, closed)) == "America/New_York"
    assert access.default_time_zone(clerk_at(denver)) == "America/Denver"
    assert access.default_time_zone(clerk_at(username="hq.nobody", is_superuser=True)) == "UTC"


@pytest.mark.django_db
def test_the_api_answers_in_utc_whoever_asks():
    office = OfficeFactory(code="NYC01", time_zone="America/New_York")
    package = register_package(origin=office, destination=OfficeFactory(code="BOS01"), registered_at=MOMENT)
    body = login(clerk_at(office)).get(f"/api/v1/packages/{package.tracking_number}/").json()
    assert body["created_at"] == "2026-01-15T18:46:00Z"
