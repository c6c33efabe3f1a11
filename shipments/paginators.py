"""A paginator that does not count millions of rows to draw a page.

``COUNT(*)`` over the whole package table reads every row (PostgreSQL keeps
no row count), which at a million packages costs more than the page itself.
A count capped at ``exact_limit`` rows is exact for small results; beyond it
the count comes from the planner: ``pg_class.reltuples`` for a whole table,
the EXPLAIN estimate of the query for a filtered list. Either way the cost no
longer grows with the table.
"""

import json

from django.core.exceptions import EmptyResultSet
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
        # The same queries at any table size (one for a whole table, two for
        # a filtered list), so a page costs the same at 1k and at 1M rows.
        capped_queryset = queryset.order_by()[: self.exact_limit + 1]
        if not queryset.query.where and not queryset.query.distinct:
            capped, estimate = self._capped_and_table_estimate(capped_queryset)
        else:
            capped, estimate = capped_queryset.count(), self._query_estimate(queryset)
        if capped <= self.exact_limit:
            return capped
        self.is_estimate = True
        return max(estimate, capped)

    @staticmethod
    def _capped_and_table_estimate(capped_queryset) -> tuple[int, int]:
        sql, params = capped_queryset.values("pk").query.sql_with_params()
        table = capped_queryset.model._meta.db_table
        with connections[capped_queryset.db].cursor() as cursor:
            # reltuples is -1 for a table never analysed or vacuumed.
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({sql}) capped), "  # noqa: S608 (SQL compiled by Django, values are parameters)
                "(SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass)",
                [*params, table],
            )
            capped, estimate = cursor.fetchone()
        return capped, estimate or 0

    @staticmethod
    def _query_estimate(queryset) -> int:
        try:
            sql, params = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:  # .none(), or an empty "in" list: nothing to ask the planner
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
