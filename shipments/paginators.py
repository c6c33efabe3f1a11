"""A paginator that does not count millions of rows to draw a page.

``COUNT(*)`` over the whole package table reads every row (PostgreSQL keeps
no row count), which at a million packages costs more than the page itself.
For an unfiltered list the count comes from the planner's statistics
(``pg_class.reltuples``); for a filtered one a count capped at ``exact_limit``
rows is exact for small results, and beyond it the planner's estimate of the
query is used. Either way the cost no longer grows with the table.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    # Up to this many rows the count is exact (a capped count stops reading at
    # exact_limit + 1 rows, so it is cheap whatever the table size).
    exact_limit = 1000

    #: True when ``count`` is an estimate ("about 1,000,000 packages").
    is_estimate = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        if not queryset.query.where and not queryset.query.distinct:
            estimate = self._table_estimate(queryset)
            if estimate > self.exact_limit:
                self.is_estimate = True
                return estimate
        capped = queryset.order_by()[: self.exact_limit + 1].count()
        if capped <= self.exact_limit:
            return capped
        self.is_estimate = True
        return max(self._query_estimate(queryset), capped)

    @staticmethod
    def _table_estimate(queryset) -> int:
        with connections[queryset.db].cursor() as cursor:
            # reltuples is -1 for a table never analysed or vacuumed.
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
        return max(row[0], 0) if row else 0

    @staticmethod
    def _query_estimate(queryset) -> int:
        sql, params = queryset.order_by().query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
