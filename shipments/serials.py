"""Fresh tracking numbers, drawn from the database sequence
(``shipments_tracking_serial``) and turned into numbers by ``tracking_numbers``'
keyed permutation: the registration draws one, a package import a block."""

from django.conf import settings
from django.db import connection

from .models import SERVICE_INDICATORS
from .tracking_numbers import issued_tracking_number, positions_to_draw


def tracking_numbers_for(service: str, count: int = 1) -> list[str]:
    """``count`` fresh tracking numbers from the database sequence, in one round
    trip (safe across processes: a sequence never hands out a value twice, and
    its positions become serials through a keyed permutation,
    ``tracking_numbers.issued_tracking_number``, so they are not consecutive)."""
    numbers: list[str] = []
    indicator, country = SERVICE_INDICATORS[service], settings.TRACKING_NUMBER_COUNTRY
    with connection.cursor() as cursor:
        while len(numbers) < count:
            wanted = positions_to_draw(count - len(numbers))
            cursor.execute(
                "SELECT nextval('shipments_tracking_serial'), scheme.plain_below "
                "FROM generate_series(1, %s), shipments_tracking_serial_scheme AS scheme",
                [wanted],
            )
            drawn: list[str] = []
            for position, plain_below in cursor.fetchall():
                number = issued_tracking_number(
                    indicator, position, country, key=settings.TRACKING_NUMBER_KEY, plain_below=plain_below
                )
                if number is not None and len(numbers) + len(drawn) < count:
                    drawn.append(number)
            # A number of ours registered some other way (imported before imports refused
            # them) is skipped: the next one is drawn, never a duplicate and its 500.
            cursor.execute("SELECT tracking_number FROM shipments_package WHERE tracking_number = ANY(%s)", [drawn])
            taken = {number for (number,) in cursor.fetchall()}
            numbers += [number for number in drawn if number not in taken]
    return numbers


def next_tracking_number(service: str) -> str:
    """One fresh tracking number (see ``tracking_numbers_for``)."""
    return tracking_numbers_for(service, 1)[0]
