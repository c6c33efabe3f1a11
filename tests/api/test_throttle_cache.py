"""The throttle cache: Django's database cache table, written in one statement."""

from django.core.cache import caches
from django.db import connection


def test_set_and_get_round_trip_and_overwrite(db, django_assert_num_queries):
    cache = caches["throttle"]
    with django_assert_num_queries(1):
        cache.set("history", [1.0, 2.0], 60)
    cache.set("history", [3.0], 60)
    assert cache.get("history") == [3.0]
    # The default cache reads the same rows: one table, one format.
    assert caches["default"].get("history") == [3.0]


def test_writes_clear_expired_rows(db):
    cache = caches["throttle"]
    caches["default"].set("stale", "x", 60)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_cache SET expires = now() - interval '1 hour' WHERE cache_key LIKE %s", ["%stale"]
        )
    cache.set("fresh", "y", 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_cache WHERE cache_key LIKE %s", ["%stale"])
        assert cursor.fetchone()[0] == 0
    assert cache.get("fresh") == "y"
