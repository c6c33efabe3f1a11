"""Many labels at once from the API (POST labels.zpl): one ZPL stream in the order
asked, each label whole; what cannot be printed is a 400 naming its position."""

import pytest

from shipments.tracking_numbers import make_tracking_number
from shipments.zpl import MAX_LABELS_PER_STREAM
from tests.factories import register_package
from tests.helpers import assert_error

from .test_zpl import parse

pytestmark = pytest.mark.django_db

URL = "/api/v1/labels.zpl"


def post(client, body):
    return client.post(URL, body, content_type="application/json", HTTP_ACCEPT="application/zpl")


def test_a_hundred_labels_come_as_one_stream_in_the_order_asked(net, client_for):
    packages = [register_package(origin=net.a, destination=net.c) for _ in range(100)]
    numbers = [package.tracking_number for package in reversed(packages)]
    response = post(client_for(net.clerk_a), {"tracking_numbers": [*numbers, numbers[0].lower()]})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zpl; charset=utf-8"
    assert 'filename="labels-100.zpl"' in response["Content-Disposition"]
    labels = parse(response.content.decode("utf-8"))  # the strict parser: every command known
    printed = [next(f.data for f in label.fields if f.kind == "code128") for label in labels]
    assert printed == numbers  # a repeated number prints once


def test_what_cannot_be_printed_is_named_by_its_position(net, client_for):
    own, theirs = net.a_to_c.tracking_number, register_package(origin=net.b, destination=net.c).tracking_number
    response = post(
        client_for(net.clerk_a), {"tracking_numbers": [own, theirs, "XX123", make_tracking_number("EE", 1, "US")]}
    )
    error = assert_error(response, 400)
    assert response["Content-Type"] == "application/json"
    assert set(error["details"]) == {"tracking_numbers.1", "tracking_numbers.2", "tracking_numbers.3"}
    # Another office's parcel and an unknown one look the same.
    assert error["details"]["tracking_numbers.1"] == error["details"]["tracking_numbers.3"]


@pytest.mark.parametrize(
    "body",
    [{}, {"tracking_numbers": []}, {"tracking_numbers": "EE473124829US"}, {"tracking_numbers": ["x"], "dpi": 600}],
)
def test_a_malformed_request_is_a_400(net, client_for, body):
    error = assert_error(post(client_for(net.clerk_a), body), 400)
    assert set(error["details"]) & {"tracking_numbers", "dpi"}


def test_more_than_a_stream_holds_is_refused(net, client_for):
    numbers = [net.a_to_c.tracking_number] * (MAX_LABELS_PER_STREAM + 1)
    error = assert_error(post(client_for(net.clerk_a), {"tracking_numbers": numbers}), 400)
    assert "tracking_numbers" in error["details"]
