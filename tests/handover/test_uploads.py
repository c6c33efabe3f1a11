"""Delivery photos go straight from the courier's app to the private media
bucket (moto's S3 over HTTP) through a presigned POST; the server checks what
arrived before it records anything."""

import base64
import json

import pytest
import requests

from handover.models import Proof
from tests.helpers import assert_error

from .images import JPEG, PDF, png_base64
from .test_proof import delivery, events_url, proof_url

pytestmark = pytest.mark.django_db


def uploads_url(package) -> str:
    return f"/api/v1/packages/{package.tracking_number}/proof-uploads/"


def presign(client, package, content_type="image/jpeg") -> dict:
    response = client.post(uploads_url(package), {"content_type": content_type}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def upload(post: dict, body: bytes, content_type="image/jpeg") -> None:
    """The app's upload, as a browser form would send it (moto's server does not check POST policies)."""
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("photo", body, content_type)}, timeout=10)
    assert answer.status_code in (200, 201, 204), answer.text


def test_the_presigned_post_limits_type_size_and_key(client_for, net, waiting, proof_bucket):
    post = presign(client_for(net.clerk_b), waiting, "image/png")
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"key": post["key"]} in conditions
    assert {"bucket": proof_bucket["name"]} in conditions
    assert post["key"].startswith(f"proofs/{waiting.tracking_number}/upload-")
    assert post["fields"]["key"] == post["key"]


def test_only_jpeg_or_png_may_be_asked_for(client_for, net, waiting, proof_bucket):
    error = assert_error(
        client_for(net.clerk_b).post(uploads_url(waiting), {"content_type": "application/pdf"}, format="json"), 400
    )
    assert "content_type" in error["details"]


def test_a_delivery_with_an_uploaded_photo(client_for, net, waiting, proof_bucket):
    client = client_for(net.clerk_b)
    post = presign(client, waiting)
    upload(post, JPEG)
    response = client.post(events_url(waiting), delivery(photo_key=post["key"]), format="json")
    assert response.status_code == 201, response.content
    proof = Proof.objects.get(package=waiting)
    assert proof.photo == post["key"]
    # The signature went to the same private bucket.
    stored = proof_bucket["client"].get_object(Bucket=proof_bucket["name"], Key=proof.signature)
    assert stored["Body"].read() == base64.b64decode(png_base64())
    answer = client.get(proof_url(waiting)).json()
    assert "X-Amz-Expires=300" in answer["photo_url"]
    assert requests.get(answer["photo_url"], timeout=10).content == JPEG
    assert requests.get(answer["signature_url"], timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (JPEG + b"\x00" * (20 * 1024 * 1024), "image/jpeg", "Larger than 10 MB."),
        (PDF, "image/jpeg", "Not a JPEG or PNG image."),
        (PDF, "application/pdf", "Not a JPEG or PNG image."),
        (JPEG, "image/png", "Not a JPEG or PNG image."),
    ],
)
def test_the_server_checks_the_uploaded_object(client_for, net, waiting, proof_bucket, body, content_type, message):
    """The bucket is reached with the presigned key, but by a client ignoring the policy (moto enforces none)."""
    client = client_for(net.clerk_b)
    key = presign(client, waiting)["key"]
    proof_bucket["client"].put_object(Bucket=proof_bucket["name"], Key=key, Body=body, ContentType=content_type)
    error = assert_error(client.post(events_url(waiting), delivery(photo_key=key), format="json"), 400)
    assert error["details"] == {"photo_key": [message]}
    waiting.refresh_from_db()
    assert waiting.status == "ready_for_pickup"


def test_a_key_of_another_package_or_none_uploaded_is_refused(client_for, net, waiting, proof_bucket):
    from .conftest import valuable

    client = client_for(net.clerk_b)
    other = valuable(net)
    other_post = presign(client, other)
    upload(other_post, JPEG)
    other_key = other_post["key"]
    for key in (other_key, f"proofs/{waiting.tracking_number}/../{other.tracking_number}/x", "../../etc/passwd"):
        error = assert_error(client.post(events_url(waiting), delivery(photo_key=key), format="json"), 400)
        assert error["details"] == {"photo_key": ["Not an upload of this package."]}
    never_uploaded = presign(client, waiting)["key"]
    error = assert_error(client.post(events_url(waiting), delivery(photo_key=never_uploaded), format="json"), 400)
    assert error["details"] == {"photo_key": ["No such upload."]}


def test_photos_are_for_the_office_holding_a_waiting_parcel(client_for, net, waiting, package_c, proof_bucket):
    assert_error(client_for(net.clerk_a).post(uploads_url(waiting), {"content_type": "image/png"}, format="json"), 404)
    # Registered at C, not waiting for its receiver: nothing to photograph yet.
    assert_error(client_for(net.hq).post(uploads_url(package_c), {"content_type": "image/png"}, format="json"), 409)


def test_without_a_media_bucket_the_app_is_told_to_use_the_page(client_for, net, waiting):
    error = assert_error(
        client_for(net.clerk_b).post(uploads_url(waiting), {"content_type": "image/png"}, format="json"), 409
    )
    assert error["code"] == "uploads_unavailable"
