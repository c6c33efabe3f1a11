"""A list request the API cannot answer as asked is a 400 naming the parameter
(README, Endpoints), never a quietly shortened or empty page."""

import pytest

from tests.factories import register_package
from tests.helpers import assert_error

LISTS = ["/api/v1/packages/?", "/api/v1/offices/AAA01/packages/?direction=sent&"]


@pytest.mark.parametrize("url", LISTS)
def test_a_page_size_over_200_is_refused(url, client_for, hq, office_a):
    client = client_for(hq)
    error = assert_error(client.get(f"{url}page_size=201"), 400, "invalid")
    assert error["details"] == {"page_size": ["A whole number from 1 to 200."]}
    assert_error(client.get(f"{url}page_size={'9' * 5000}"), 400, "invalid")
    assert client.get(f"{url}page_size=200").status_code == 200


def test_a_tracking_number_with_a_wrong_check_digit_is_invalid_tracking_number(client_for, hq, package_a):
    number = package_a.tracking_number
    typo = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    for url in LISTS:
        error = assert_error(client_for(hq).get(f"{url}search={typo.lower()}"), 400, "invalid_tracking_number")
        assert "check digit" in error["message"]
        assert list(error["details"]) == ["search"]
    assert client_for(hq).get(f"/api/v1/packages/?search={number}").json()["results"][0]["tracking_number"] == number


@pytest.mark.parametrize("parameter", ["origin_office", "destination_office", "current_office"])
def test_an_unknown_office_code_is_refused(parameter, client_for, hq, package_a):
    for url in LISTS:
        error = assert_error(client_for(hq).get(f"{url}{parameter}=NOPE9"), 400, "invalid")
        assert error["details"] == {parameter: ["There is no office “NOPE9”."]}
    # A known code in any case still filters.
    assert client_for(hq).get(f"/api/v1/packages/?{parameter}=ccc01").status_code == 200


def test_a_date_range_that_ends_before_it_starts_is_refused(client_for, hq, office_a, office_c, tariff):
    register_package(origin=office_a, destination=office_c)
    for url in LISTS:
        response = client_for(hq).get(f"{url}created_after=2026-05-01&created_before=2026-04-01")
        error = assert_error(response, 400, "invalid")
        assert list(error["details"]) == ["created_before"]
        assert "before it starts" in error["details"]["created_before"][0]
    same_day = client_for(hq).get("/api/v1/packages/?created_after=2026-05-01&created_before=2026-05-01")
    assert same_day.status_code == 200
