"""factory_boy factories. Packages are made through the registration service,
so their cost, charge and first event are what a clerk would get."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from offices.models import Location, Membership, Office
from shipments.models import Service, Tariff
from shipments.services import package_register
from shipments.values import Address, Parcel, Party


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    line1 = factory.Sequence(lambda n: f"{n + 1} Main St")
    city = "Springfield"
    country = "US"
    latitude = Decimal("40.000000")
    longitude = Decimal("-75.000000")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"OFF{n:02d}")
    name = factory.LazyAttribute(lambda office: f"Office {office.code}")
    exchange_code = factory.LazyAttribute(lambda office: exchange_code_for(office.code))
    location = factory.SubFactory(LocationFactory)


def exchange_code_for(code: str) -> str:
    """Six capital letters made from an office code (digits as letters: AAA01 → AAAABX), one per code."""
    letters = "".join(char if char.isalpha() else "ABCDEFGHIJ"[int(char)] for char in code)
    return (letters + "XXXXXX")[:6]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("pass-for-tests")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    role = Membership.Role.CLERK


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff
        django_get_or_create = ("service",)

    service = Service.STANDARD
    transit_days = 5
    currency = "USD"
    base_fee = Decimal("5.00")
    per_kg = Decimal("1.00")
    per_km = Decimal("0.0100")
    insurance_rate = Decimal("0.0100")
    surcharge_rate = Decimal("0.1000")
    tax_rate = Decimal("0.2000")
    return_fee = Decimal("4.50")


def clerk_at(*offices: Office, role: str = Membership.Role.CLERK, **user_fields):
    user = UserFactory(**user_fields)
    for office in offices:
        MembershipFactory(user=user, office=office, role=role)
    return user


def party(name: str = "Ada Lovelace", **fields) -> Party:
    return Party(
        name=name,
        address=Address(line1="1 Analytical Way", city="London", country="GB"),
        phone=fields.pop("phone", "+12125550100"),
        email=fields.pop("email", "ada@example.com"),
        **fields,
    )


def register_package(*, origin: Office, destination: Office, actor=None, **overrides):
    """A registered package (status ``created``) with sensible parcel facts."""
    TariffFactory(service=overrides.get("service", Service.STANDARD))
    parcel = {
        "origin_office": origin,
        "destination_office": destination,
        "service": Service.STANDARD,
        "weight_grams": 1000,
        "length_cm": 10,
        "width_cm": 10,
        "height_cm": 10,
        "declared_value": Decimal("0"),
        "currency": None,
    }
    people = {"actor": actor, "sender": party("Sam Sender"), "receiver": party("Rita Receiver")}
    for key, value in overrides.items():
        (parcel if key in parcel else people)[key] = value
    return package_register(parcel=Parcel(**parcel), **people)
