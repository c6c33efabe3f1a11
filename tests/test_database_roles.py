"""The record cannot be rewritten by the application: it runs as a role that
may insert into and read tracking events and charges but not change, delete
or empty them, nor switch their triggers off (manage.py grant_application_role,
docs/database-roles.md), while it keeps normal rights on the other tables."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import ProgrammingError

from shipments.models import Charge, TrackingEvent
from tests.factories import register_package

EVENTS, CHARGES = TrackingEvent._meta.db_table, Charge._meta.db_table


@pytest.fixture
def application_role(transactional_db):
    """A login role of its own (roles are shared by every test database of the server)."""
    name = f"parcels_app_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


@pytest.fixture
def as_application(application_role):
    """A connection to the test database as the role, after the grants (in autocommit)."""
    call_command(
        "grant_application_role", application_role, database="default", stdout=io.StringIO(), stderr=io.StringIO()
    )
    owner = connections["default"]
    wrapper = owner.__class__({**owner.settings_dict, "USER": application_role, "PASSWORD": ""}, "app_role")
    yield wrapper
    wrapper.close()


@pytest.fixture
def package(office_a, office_b, tariff):
    return register_package(origin=office_a, destination=office_b)


REFUSED = [
    f"UPDATE {EVENTS} SET note = 'rewritten'",
    f"DELETE FROM {EVENTS}",
    f"TRUNCATE {EVENTS}",
    f"ALTER TABLE {EVENTS} DISABLE TRIGGER shipments_trackingevent_append_only",
    f"ALTER TABLE {EVENTS} DISABLE TRIGGER ALL",
    f"DROP TRIGGER shipments_trackingevent_append_only ON {EVENTS}",
    f"UPDATE {CHARGES} SET total = 0",
    f"DELETE FROM {CHARGES}",
    f"TRUNCATE {CHARGES}",
    f"ALTER TABLE {CHARGES} DISABLE TRIGGER shipments_charge_append_only",
    f"ALTER TABLE {CHARGES} DISABLE TRIGGER ALL",
    "SELECT setval('shipments_tracking_serial', 10000000)",
    "UPDATE shipments_tracking_serial_scheme SET plain_below = 0",
    "DELETE FROM django_migrations",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_cannot_rewrite_the_record(as_application, package, statement):
    with as_application.cursor() as cursor, pytest.raises(ProgrammingError, match="permission denied|must be owner"):
        cursor.execute(statement)
    assert TrackingEvent.objects.filter(package=package).count() == 1
    assert Charge.objects.get(package=package).total == package.cost_total


def test_the_application_role_inserts_and_reads_the_record_and_writes_the_rest(as_application, package):
    with as_application.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS} (package_id, status, office_id, occurred_at, recorded_at, source, note, reason,"
            " received_by) VALUES (%s, 'accepted', %s, now(), now(), 'scan', '', '', '')",
            [package.pk, package.origin_office_id],
        )
        cursor.execute(f"SELECT count(*) FROM {EVENTS} WHERE package_id = %s", [package.pk])
        assert cursor.fetchone() == (2,)
        cursor.execute(f"SELECT total FROM {CHARGES} WHERE package_id = %s", [package.pk])
        assert cursor.fetchone() == (package.cost_total,)
        # Normal rights on the other tables, and new tracking serials.
        cursor.execute("UPDATE shipments_package SET status = 'accepted' WHERE id = %s", [package.pk])
        cursor.execute("DELETE FROM django_session")
        cursor.execute("SELECT nextval('shipments_tracking_serial')")
        cursor.execute("INSERT INTO api_throttlewindow (key, hits, expires) VALUES ('k', 1, now())")
        cursor.execute("DELETE FROM api_throttlewindow")
    package.refresh_from_db()
    assert package.status == "accepted"


def test_grants_are_idempotent_and_refuse_the_owner_itself(application_role):
    for _ in range(2):
        out = io.StringIO()
        call_command("grant_application_role", application_role, database="default", stdout=out, stderr=io.StringIO())
        assert "2 append-only (insert and read)" in out.getvalue()
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("grant_application_role", connection.settings_dict["USER"], database="default")
    with pytest.raises(CommandError, match="There is no role"):
        call_command("grant_application_role", "nobody_by_that_name", database="default")


def test_a_dry_run_grants_nothing(application_role):
    out, err = io.StringIO(), io.StringIO()
    call_command("grant_application_role", application_role, database="default", dry_run=True, stdout=out, stderr=err)
    assert "dry run, rolled back" in out.getvalue()
    assert f'GRANT SELECT, INSERT ON "public"."{EVENTS}"' in err.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, 'INSERT')", [application_role, EVENTS])
        assert cursor.fetchone() == (False,)
