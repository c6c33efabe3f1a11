"""The holding job on the 1M database.

Keys:
- ``holding_expiry_ms_1m``: one run of ``shipments.returns.expire_holdings``
  with nothing to do (goal < 1000). The generated parcels waiting for pickup
  are first given the state the job keeps them in: holding periods ending over
  the next two weeks, those ending within three days already reminded. A run
  then reads its two partial indexes (``package_holding_idx``,
  ``package_holding_remind_idx``) and finds nothing.
"""


def _holding_expiry(bench) -> dict:
    from django.db import connection
    from django.utils import timezone

    from shipments.returns import REMIND_BEFORE, expire_holdings

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE shipments_package
            SET holding_until = %(now)s + interval '1 hour' + (id %% 14) * interval '1 day',
                holding_reminded_at = CASE WHEN (id %% 14) * interval '1 day' + interval '1 hour' <= %(remind)s
                                           THEN %(now)s END
            WHERE status = 'ready_for_pickup'
            """,
            {"now": now, "remind": REMIND_BEFORE},
        )
        waiting = cursor.rowcount
        cursor.execute("ANALYZE shipments_package")
    first = expire_holdings(limit=10)
    if first["reminded"] or first["returned"]:
        raise RuntimeError(f"expire_holdings found something to do after the state was set: {first}")
    print(f"bench: holding: {waiting} parcels waiting for pickup", flush=True)
    return {"holding_expiry_ms_1m": bench.timed_ms(lambda: expire_holdings(limit=10), repeat=10, warmup=2)}


def run(bench) -> dict:
    bench.use("1m")
    return _holding_expiry(bench)
