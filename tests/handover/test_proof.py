"""Proof of delivery: recorded with every delivery a person records, refused
without one, seen by staff who may see the package and by nobody else."""

import base64

import pytest

from handover.models import Proof
from handover.rules import ProofInput
from handover.services import package_hand_over
from shipments.exceptions import ShipmentError
from shipments.services import package_record_event
from tests.helpers import assert_error

from .images import PDF, png, png_base64

pytestmark = pytest.mark.django_db


def delivery(**changes) -> dict:
    body = {
        "status": "delivered",
        "received_by": "Jane Smith",
        "relationship": "household",
        "signature_png": png_base64(),
    }
    return {**body, **changes}


def events_url(package) -> str:
    return f"/api/v1/packages/{package.tracking_number}/events/"


def proof_url(package) -> str:
    return f"/api/v1/packages/{package.tracking_number}/proof/"


def test_a_delivery_through_the_api_records_its_proof(client_for, net, waiting):
    response = client_for(net.clerk_b).post(
        events_url(waiting),
        delivery(id_document_type="passport", id_document_last4="x123", latitude="40.7128004999", longitude=-74.006),
        format="json",
    )
    assert response.status_code == 201, response.content
    proof = Proof.objects.get(package=waiting)
    assert (proof.received_by, proof.relationship, proof.id_document_type, proof.id_document_last4) == (
        "Jane Smith",
        "household",
        "passport",
        "X123",
    )
    assert (str(proof.latitude), str(proof.longitude)) == ("40.712800", "-74.006000")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.received_by) == ("delivered", "Jane Smith")


def test_the_proof_answers_staff_with_short_lived_links(client_for, net, waiting):
    client = client_for(net.clerk_b)
    client.post(events_url(waiting), delivery(), format="json")
    answer = client.get(proof_url(waiting)).json()
    assert {"received_by", "relationship", "delivered_at", "signature_url", "photo_url", "id_document_type"} <= set(
        answer
    )
    assert (answer["received_by"], answer["relationship"], answer["photo_url"]) == ("Jane Smith", "household", None)
    signature = client.get(answer["signature_url"])
    assert signature.status_code == 200
    assert b"".join(signature.streaming_content) == png()
    assert "id_document_last4" not in answer


def test_a_delivery_without_its_proof_is_refused_naming_each_field(client_for, net, waiting):
    client = client_for(net.clerk_b)
    error = assert_error(client.post(events_url(waiting), {"status": "delivered"}, format="json"), 400)
    assert set(error["details"]) == {"received_by", "relationship", "signature_png"}
    waiting.refresh_from_db()
    assert waiting.status == "ready_for_pickup"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"signature_png": "not base64!"}, "signature_png"),
        ({"signature_png": base64.b64encode(PDF).decode()}, "signature_png"),
        ({"signature_png": base64.b64encode(png() + b"\x00" * 210_000).decode()}, "signature_png"),
        ({"relationship": "cousin"}, "relationship"),
        ({"id_document_last4": "12345"}, "id_document_last4"),
        ({"id_document_last4": "1234"}, "id_document_type"),
        ({"latitude": "NaN", "longitude": 1}, "latitude"),
        ({"latitude": "1e30", "longitude": 1}, "latitude"),
        ({"latitude": 10}, "longitude"),
        ({"received_by": "   "}, "received_by"),
        ({"received_by": "Jane\x00Smith"}, "received_by"),
    ],
)
def test_each_bad_value_is_a_400_naming_its_field(client_for, net, waiting, changes, field):
    error = assert_error(client_for(net.clerk_b).post(events_url(waiting), delivery(**changes), format="json"), 400)
    assert field in error["details"]
    assert not Proof.objects.exists()


def test_a_person_cannot_record_a_delivery_without_a_proof(net, waiting):
    with pytest.raises(ShipmentError) as refused:
        package_record_event(package=waiting, status="delivered", actor=net.clerk_b, received_by="Jane")
    assert refused.value.code == "proof_required"


def test_another_offices_clerk_sees_no_proof(client_for, net, waiting):
    package_hand_over(
        package=waiting,
        actor=net.clerk_b,
        proof=ProofInput(received_by="Jane Smith", relationship="addressee", signature_png=png()),
    )
    assert_error(client_for(net.clerk_a).get(proof_url(waiting)), 404)
    assert client_for(net.clerk_b).get(proof_url(waiting)).status_code == 200


def test_the_public_sees_initials_only(client_for, net, waiting):
    package_hand_over(
        package=waiting,
        actor=net.clerk_b,
        proof=ProofInput(
            received_by="Jane Smith",
            relationship="neighbour",
            signature_png=png(),
            id_document_type="passport",
            id_document_last4="A123",
        ),
    )
    public = client_for(None).get(f"/api/v1/track/{waiting.tracking_number}/")
    text = public.content.decode()
    assert "Delivered, signed by J. S." in text
    for secret in ("Jane", "Smith", "neighbour", "passport", "A123", "proofs/"):
        assert secret not in text
    assert_error(client_for(None).get(proof_url(waiting)), 401)
    page = client_for(None).get(f"/track/?number={waiting.tracking_number}").content.decode()
    assert "signed by J. S." in page
    assert "Smith" not in page


def test_a_proof_is_never_changed(net, waiting):
    proof = package_hand_over(
        package=waiting,
        actor=net.clerk_b,
        proof=ProofInput(received_by="Jane Smith", relationship="addressee", signature_png=png()),
    )
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE handover_proof SET received_by = 'Someone else' WHERE id = %s", [proof.pk])
