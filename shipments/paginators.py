"""A paginator that does not count millions of rows to draw a page.

``COUNT(*)`` over the whole package table reads every row (PostgreSQL keeps
no row count), which at a million packages costs more than the page itself.
A count capped at ``exact_limit`` rows is exact for small results. Beyond it
the whole table's count comes from the planner's statistics
(``pg_class.reltuples``: "about 1,000,000 packages"), and a filtered or
searched list says only that more than ``exact_limit`` match: the planner's
guess for "name contains …" can be off a hundredfold, and a count that is
wrong is worse than none. Either way the cost no longer grows with the table.

Pages: every page offered holds rows. Past ``exact_limit`` the pages stop at
the first ``exact_limit`` rows (newest first), so no page number shown leads
past the end, and no page costs a deep OFFSET; to reach older packages one
narrows the list.
"""

from math import ceil

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    # Up to this many rows the count is exact (a capped count stops reading at
    # exact_limit + 1 rows, so it is cheap whatever the table size).
    exact_limit = 1000

    #: True when ``count`` is an estimate ("about 1,000,000 packages").
    is_estimate = False
    #: True when all that is known is "more than exact_limit" (a filtered or searched list).
    is_lower_bound = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        # The same queries at any table size (one, with the table's statistics
        # when the list is the whole table), so a page costs the same at 1k and at 1M rows.
        capped_queryset = queryset.order_by()[: self.exact_limit + 1]
        if not queryset.query.where and not queryset.query.distinct:
            capped, estimate = self._capped_and_table_estimate(capped_queryset)
        else:
            capped, estimate = capped_queryset.count(), 0
        if capped <= self.exact_limit:
            return capped
        if estimate > self.exact_limit:
            self.is_estimate = True
            return estimate
        self.is_lower_bound = True
        return capped

    @cached_property
    def is_exact(self) -> bool:
        self.count  # noqa: B018 (counting sets the flags)
        return not (self.is_estimate or self.is_lower_bound)

    @cached_property
    def num_pages(self):
        pages = super().num_pages
        if self.is_exact:
            return pages
        return min(pages, ceil(self.exact_limit / self.per_page))

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
