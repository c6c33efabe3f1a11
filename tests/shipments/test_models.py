"""Tracking events and charges are append-only: the model refuses to save a
row again, and database triggers refuse every UPDATE, DELETE and TRUNCATE,
whether it comes from raw SQL or a queryset; ``Model.delete()`` is refused
before any SQL. (What the application's own database role may do at all:
tests/test_database_roles.py.)"""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.forms.models import model_to_dict

from shipments.models import Charge, TrackingEvent
from tests.factories import register_package

# model, a column to change, the value to change it to (in SQL and in Python)
APPEND_ONLY = [
    pytest.param(TrackingEvent, "note", "'changed'", "changed", id="tracking-event"),
    pytest.param(Charge, "total", "0.01", Decimal("0.01"), id="charge"),
]


@pytest.fixture
def package(office_a, office_b, tariff):
    """A registered package: one `created` event and one shipping charge."""
    return register_package(origin=office_a, destination=office_b)


@contextmanager
def refused_by_the_trigger(model):
    # The savepoint keeps the test's transaction usable after the error, to read the rows again.
    with pytest.raises(InternalError, match=f"{model._meta.db_table} rows are append-only"), transaction.atomic():
        yield


def rows(model) -> list[dict]:
    return [model_to_dict(row) for row in model.objects.order_by("pk")]


def test_a_saved_tracking_event_cannot_be_saved_again(package, django_assert_num_queries):
    event = package.events.get()
    event.note = "changed"
    # Refused by the model, before any SQL is sent.
    with django_assert_num_queries(0), pytest.raises(ValueError, match="append-only; record a new event instead"):
        event.save()
    assert TrackingEvent.objects.get(pk=event.pk).note == ""


def test_a_saved_charge_cannot_be_saved_again(package, django_assert_num_queries):
    charge = package.charges.get()
    charge.total = Decimal("0.01")
    with django_assert_num_queries(0), pytest.raises(ValueError, match="immutable; record a refund instead"):
        charge.save()
    assert Charge.objects.get(pk=charge.pk).total == package.cost_total


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_raw_sql_update_is_refused(package, model, column, sql_value, value):
    before = rows(model)
    with refused_by_the_trigger(model), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = {sql_value}")
    assert rows(model) == before


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_raw_sql_delete_is_refused(package, model, column, sql_value, value):
    before = rows(model)
    with refused_by_the_trigger(model), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {model._meta.db_table}")
    assert rows(model) == before


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_truncate_is_refused_even_to_the_tables_owner(package, model, column, sql_value, value):
    before = rows(model)
    with connection.cursor() as cursor:
        # The test settings allow it for the flush between transactional tests (migration 0005).
        cursor.execute("SET LOCAL shipments.allow_truncate = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key checks pending from the fixtures
        with pytest.raises(InternalError, match="rows are append-only: TRUNCATE is refused"), transaction.atomic():
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    assert rows(model) == before


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_queryset_update_is_refused(package, model, column, sql_value, value):
    before = rows(model)
    with refused_by_the_trigger(model):
        model.objects.filter(package=package).update(**{column: value})
    assert rows(model) == before


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_queryset_delete_is_refused(package, model, column, sql_value, value):
    before = rows(model)
    with refused_by_the_trigger(model):
        model.objects.filter(package=package).delete()
    assert rows(model) == before


@pytest.mark.parametrize(("model", "column", "sql_value", "value"), APPEND_ONLY)
def test_deleting_a_saved_row_is_refused_by_the_model(package, model, column, sql_value, value):
    row = model.objects.get(package=package)
    with pytest.raises(ValueError, match="append-only|immutable"):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()
