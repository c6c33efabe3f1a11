"""Admin pages at scale: the package changelist, an exact tracking-number search
and one office's 90-day cost report, rendered through the test client against
the 1k and 1M package databases (warm, median of 20)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

CHANGELIST = "/admin/shipments/package/"


def _client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured)


def _at_scale(bench) -> dict:
    """Search and report timings on the 1M database (already selected)."""
    from datetime import datetime

    from offices.models import Office
    from shipments.models import Package

    results = {}
    hq, clerk, manager = _client("hq"), _client("clerk.nyc01"), _client("manager.nyc01")
    # Numbers from the middle of the table (any BENCH_PACKAGES size; 500,000th at 1M).
    numbers = Package.objects.order_by("pk").values_list("tracking_number", flat=True)
    number = numbers[numbers.count() // 2]
    results["admin_search_ms_1m"] = bench.timed_ms(lambda: _get(hq, CHANGELIST, {"q": number}))
    nyc01_numbers = numbers.filter(origin_office__code="NYC01")
    visible = nyc01_numbers[min(5_000, nyc01_numbers.count() // 2)]
    results["admin_search_ms_1m_clerk"] = bench.timed_ms(lambda: _get(clerk, CHANGELIST, {"q": visible}))

    office = Office.objects.get(code="NYC01")
    today = datetime.now(ZoneInfo(office.time_zone)).date()
    params = {"date_from": (today - timedelta(days=89)).isoformat(), "date_to": today.isoformat()}
    report_url = f"/admin/shipments/package/report/{office.code}/"
    results["report_ms_1m"] = bench.timed_ms(lambda: _get(manager, report_url, params), repeat=10)
    csv_params = {**params, "format": "csv"}
    results["report_csv_ms_1m"] = bench.timed_ms(lambda: _get(manager, report_url, csv_params), repeat=10)
    return results


def run(bench) -> dict:
    results: dict[str, float] = {}
    queries = {}
    clients = {}
    for size in ("1k", "1m"):
        bench.use(size)
        for who, username in (("", "hq"), ("_clerk", "clerk.nyc01")):
            # A session lives in its own database: one client per size.
            clients[size, who] = client = _client(username)
            queries[f"{size}{who}"] = _queries(client, CHANGELIST)
    # The 1M page is judged against the 1k page: measure them in alternating rounds.
    for who in ("", "_clerk"):
        timings = bench.interleaved_ms(
            {size: (lambda c=clients[size, who]: _get(c, CHANGELIST)) for size in ("1k", "1m")}
        )
        for size, milliseconds in timings.items():
            results[f"admin_changelist_ms_{size}{who}"] = milliseconds
    bench.use("1m")
    results.update(_at_scale(bench))
    # The same page must cost the same number of queries at both sizes.
    results["admin_changelist_queries"] = queries["1m"]
    results["admin_changelist_queries_1k"] = queries["1k"]
    results["admin_changelist_queries_clerk"] = queries["1m_clerk"]
    results["admin_changelist_queries_1k_clerk"] = queries["1k_clerk"]
    return results
