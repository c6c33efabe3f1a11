"""Offices' exchange codes (S9 positions 1–12): set by import_offices and in the
admin, shown by the API, unique and six capital letters."""

import csv

import pytest
from rest_framework.test import APIClient

from offices.models import Office
from tests.helpers import login

pytestmark = pytest.mark.django_db
HEADER = "code,name,line1,city,country,latitude,longitude,timezone,exchange_code\n"


def test_import_offices_sets_exchange_codes_and_rejects_bad_ones_by_line(run_command, tmp_path):
    source, errors = tmp_path / "offices.csv", tmp_path / "errors.csv"
    source.write_text(
        HEADER
        + "NYC01,New York,1 Main St,New York,US,40.7,-74.0,America/New_York,usnyca\n"
        + "BOS01,Boston,1 Main St,Boston,US,42.3,-71.0,America/New_York,USNY\n"
        + "CHI01,Chicago,1 Main St,Chicago,US,41.8,-87.6,America/Chicago,USNYCA\n"
        + "MIA01,Miami,1 Main St,Miami,US,25.7,-80.2,America/New_York,\n"
    )
    status, out, _ = run_command("import_offices", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 2, updated 0, unchanged 0, rejected 2" in out
    assert dict(Office.objects.values_list("code", "exchange_code")) == {"NYC01": "USNYCA", "MIA01": None}
    rejected = {line: (field, reason) for line, field, reason in list(csv.reader(errors.open()))[1:]}
    assert rejected["3"] == ("exchange_code", "Use 6 capital letters, e.g. USNYCA.")
    assert rejected["4"][0] == "exchange_code"
    assert "already exists" in rejected["4"][1]


def test_the_api_shows_an_office_exchange_code(nyc, nyc_clerk):
    api = APIClient()
    api.force_authenticate(nyc_clerk)
    assert api.get("/api/v1/offices/NYC01/").json()["exchange_code"] == "USNYCA"


def test_hq_sets_an_exchange_code_in_the_admin(nyc, hq):
    page = login(hq).get(f"/admin/offices/office/{nyc.pk}/change/")
    assert 'name="exchange_code"' in page.content.decode()
    location = nyc.location
    form = {
        "code": "NYC01",
        "name": "New York",
        "exchange_code": "usnycb",
        "phone": "",
        "email": "",
        "time_zone": "America/New_York",
        "is_active": "on",
        "line1": location.line1,
        "city": location.city,
        "country": "US",
        "latitude": "40.0",
        "longitude": "-75.0",
    }
    response = login(hq).post(f"/admin/offices/office/{nyc.pk}/change/", form)
    assert response.status_code == 302
    nyc.refresh_from_db()
    assert nyc.exchange_code == "USNYCB"
