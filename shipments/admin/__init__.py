"""The clerks' back-office for packages and tariffs.

Everything a clerk sees is scoped by ``offices.access`` through the selectors
(the same rule as the API); everything they change goes through
``shipments.services``. Packages, their tracking events and charges are never
edited or deleted here: a status changes by recording the next event. Built to
stay fast on millions of packages: no full COUNT(*), no SELECT DISTINCT for
filter choices, no query per row.

- ``packages``: the package list, page and bulk actions;
- ``filters``, ``inlines``: their parts;
- ``views``, ``forms``: the counter pages (register, scan, record a step,
  label, cost report);
- ``tariffs``: the price list.
"""

from . import packages, tariffs  # noqa: F401  (registers the ModelAdmins)
