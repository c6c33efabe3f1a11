"""Demo data for `manage.py seed_demo`: the network (offices, tariffs, users)
and a few hundred packages, made through the services like a real counter day.
``demo.bulk`` generates millions more for scale work.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from offices.models import Membership, Office
from offices.services import clerk_upsert, office_upsert
from shipments.models import Package, Service, Tariff
from shipments.pricing import PriceList
from shipments.services import package_record_event, package_register, tariff_upsert
from shipments.statuses import HANDOVER_STATUSES, Status
from shipments.values import Address, Parcel, Party

from .tables import FIRST_NAMES, JOURNEYS, LAST_NAMES, STEP, STREETS

DEMO_PASSWORDS = {"hq": "hq-demo-pass", "clerk": "clerk-demo-pass", "manager": "manager-demo-pass"}
DEMO_PACKAGES = 300

DEMO_OPENING_HOURS = "Mon–Fri 8:00–19:00, Sat 9:00–13:00"

OFFICES = [
    (
        "NYC01",
        "New York Midtown",
        "350 5th Ave",
        "New York",
        "NY",
        "10118",
        "40.748817",
        "-73.985428",
        "America/New_York",
    ),
    (
        "BOS01",
        "Boston Back Bay",
        "800 Boylston St",
        "Boston",
        "MA",
        "02199",
        "42.347054",
        "-71.082230",
        "America/New_York",
    ),
    (
        "CHI01",
        "Chicago Loop",
        "233 S Wacker Dr",
        "Chicago",
        "IL",
        "60606",
        "41.878876",
        "-87.635915",
        "America/Chicago",
    ),
    (
        "ATL01",
        "Atlanta Downtown",
        "191 Peachtree St NE",
        "Atlanta",
        "GA",
        "30303",
        "33.758930",
        "-84.387390",
        "America/New_York",
    ),
    (
        "MIA01",
        "Miami Brickell",
        "1111 Brickell Ave",
        "Miami",
        "FL",
        "33131",
        "25.763710",
        "-80.191790",
        "America/New_York",
    ),
    ("DAL01", "Dallas Uptown", "2200 Ross Ave", "Dallas", "TX", "75201", "32.787910", "-96.799390", "America/Chicago"),
    (
        "DEN01",
        "Denver Union Station",
        "1701 Wynkoop St",
        "Denver",
        "CO",
        "80202",
        "39.752880",
        "-105.000190",
        "America/Denver",
    ),
    (
        "SEA01",
        "Seattle Pioneer Square",
        "400 Occidental Ave S",
        "Seattle",
        "WA",
        "98104",
        "47.598930",
        "-122.332970",
        "America/Los_Angeles",
    ),
    (
        "SFO01",
        "San Francisco SoMa",
        "101 4th St",
        "San Francisco",
        "CA",
        "94103",
        "37.784120",
        "-122.403900",
        "America/Los_Angeles",
    ),
    (
        "LAX01",
        "Los Angeles Downtown",
        "350 S Grand Ave",
        "Los Angeles",
        "CA",
        "90071",
        "34.052740",
        "-118.252600",
        "America/Los_Angeles",
    ),
]

TARIFFS = {
    Service.STANDARD: {
        "transit_days": 5,
        "base_fee": "4.50",
        "per_kg": "1.20",
        "per_km": "0.0020",
        "return_fee": "3.50",
    },
    Service.EXPRESS: {
        "transit_days": 2,
        "base_fee": "9.00",
        "per_kg": "2.00",
        "per_km": "0.0040",
        "return_fee": "6.00",
    },
    Service.OVERNIGHT: {
        "transit_days": 1,
        "base_fee": "19.00",
        "per_kg": "3.50",
        "per_km": "0.0060",
        "return_fee": "9.00",
    },
}
TARIFF_COMMON = {
    "currency": "USD",
    "insurance_rate": "0.0100",
    "surcharge_rate": "0.0800",
    "tax_rate": "0.0700",
    "cod_fee": "2.50",
}


class Summary(dict):
    def add(self, key: str, count: int = 1):
        self[key] = self.get(key, 0) + count


def seed_network(summary: Summary) -> list[Office]:
    """Offices, tariffs, the HQ superuser and one clerk and one manager per office."""
    offices = []
    for code, name, line1, city, region, postal_code, lat, lon, tz in OFFICES:
        office, created, changed = office_upsert(
            actor=None,
            code=code,
            name=name,
            address={
                "line1": line1,
                "city": city,
                "region": region,
                "postal_code": postal_code,
                "country": "US",
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
            phone="+1 212 555 0100",
            email=f"{code.lower()}@parcels.example",
            time_zone=tz,
            opening_hours=DEMO_OPENING_HOURS,
            # The office of exchange on its bags' S9 identifiers: country + city + "A" (NYC01: USNYCA).
            exchange_code=f"US{code[:3]}A",
        )
        summary.add("offices created" if created else "offices updated" if changed else "offices unchanged")
        offices.append(office)
    for service, values in TARIFFS.items():
        wanted = {**TARIFF_COMMON, **values}
        if Tariff.objects.filter(service=service).exists():
            summary.add("tariffs unchanged")  # HQ may have changed the demo prices: keep theirs
        else:
            tariff_upsert(actor=None, service=service, **wanted)
            summary.add("tariffs created")

    User = get_user_model()
    hq = User.objects.filter(username="hq").first()
    if hq is None:
        User.objects.create_superuser("hq", "hq@parcels.example", DEMO_PASSWORDS["hq"])
        summary.add("users created")
    else:
        summary.add("users unchanged")
    # Hash each demo password once: hashing is deliberately slow (~0.5 s).
    hashed = {role: make_password(DEMO_PASSWORDS[role]) for role in (Membership.Role.CLERK, Membership.Role.MANAGER)}
    for office in offices:
        for role in (Membership.Role.CLERK, Membership.Role.MANAGER):
            user, created, changed = clerk_upsert(
                actor=None,
                username=f"{role}.{office.code.lower()}",
                office=office,
                role=role,
                email=f"{role}.{office.code.lower()}@parcels.example",
            )
            if created:
                User.objects.filter(pk=user.pk).update(password=hashed[role])
            summary.add("users created" if created else "users updated" if changed else "users unchanged")
    return offices


def _party(rng: random.Random, office: Office) -> Party:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Party(
        name=f"{first} {last}",
        phone=f"+1212555{rng.randrange(10**4):04d}",  # valid numbers (phonenumbers), 555: fictional
        email=f"{first}.{last}@example.com".lower(),
        address=Address(
            line1=f"{rng.randrange(1, 999)} {rng.choice(STREETS)}",
            city=office.location.city,
            region=office.location.region,
            postal_code=office.location.postal_code,
            country="US",
        ),
        notify_sms=rng.random() < 0.5,
        notify_email=rng.random() < 0.7,
    )


def seed_demo_packages(offices: list[Office], summary: Summary, count: int = DEMO_PACKAGES) -> None:
    """A few hundred packages over every status, made through the services."""
    missing = count - Package.objects.count()
    if missing <= 0:
        summary.add("packages unchanged", count)
        return
    rng = random.Random(20261123 + missing)
    statuses = list(JOURNEYS)
    now = timezone.now()
    price_list = PriceList.load()
    clerks = {m.office_id: m.user for m in Membership.objects.filter(role=Membership.Role.CLERK).select_related("user")}
    for number in range(missing):
        final_status = statuses[number % len(statuses)]
        origin, destination = rng.sample(offices, 2)
        registered_at = now - timedelta(days=rng.uniform(2, 90))
        with transaction.atomic():
            package = package_register(
                actor=clerks.get(origin.pk),
                parcel=Parcel(
                    origin_office=origin,
                    destination_office=destination,
                    service=rng.choice(Service.values),
                    weight_grams=rng.randrange(100, 20_000),
                    length_cm=rng.randrange(10, 80),
                    width_cm=rng.randrange(10, 60),
                    height_cm=rng.randrange(5, 50),
                    declared_value=Decimal(rng.choice([0, 0, 25, 100, 250, 1000])),
                ),
                price_list=price_list,
                sender=_party(rng, origin),
                receiver=_party(rng, destination),
                registered_at=registered_at,
            )
            for step, (status, where, reason) in enumerate(JOURNEYS[final_status], start=1):
                office = {"origin": origin, "destination": destination}.get(where)
                package_record_event(
                    package=package,
                    status=status,
                    office=office,
                    # A person hands a parcel over only with a proof (handover/); the demo's history
                    # records its handovers as the system, as an import of a partner's does.
                    actor=clerks.get(office.pk) if office and status not in HANDOVER_STATUSES else None,
                    occurred_at=registered_at + step * STEP,
                    source="scan",
                    reason=reason,
                    received_by={Status.DELIVERED: package.receiver_name, Status.RETURNED: package.sender_name}.get(
                        status, ""
                    ),
                )
        summary.add("packages created")
