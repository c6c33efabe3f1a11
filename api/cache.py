"""The database cache, with a one-statement ``set`` for throttle counters.

Django's DatabaseCache.set counts the whole table, then selects, then updates
or inserts inside a savepoint: five statements on every API request just to
remember a throttle history. PostgreSQL does it in one statement (INSERT ...
ON CONFLICT), which is also atomic under concurrent requests, without
waiting for the disk flush (synchronous_commit off for this write only), and the same
statement clears a few expired rows (through the index on ``expires``) so the
table never needs Django's COUNT(*)-based cull. Same table, same row format:
``get`` is Django's own.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

EXPIRED_ROWS_CLEARED_PER_WRITE = 50


class UpsertDatabaseCache(DatabaseCache):
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        expires = datetime.max.replace(tzinfo=UTC) if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        value = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH expired AS (DELETE FROM {table} WHERE cache_key IN ("  # noqa: S608 (table name quoted by the backend, values are parameters)
                f"  SELECT cache_key FROM {table} WHERE expires < %s AND cache_key <> %s LIMIT %s)) "
                f"INSERT INTO {table} (cache_key, value, expires) "
                # Do not wait for the WAL flush: losing the last throttle hits in a
                # database crash is harmless, and the wait is most of this write's time.
                "SELECT %s, %s, %s FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait "
                "ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                [
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    key,
                    EXPIRED_ROWS_CLEARED_PER_WRITE,
                    key,
                    value,
                    connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0)),
                ],
            )
