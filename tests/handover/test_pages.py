"""The delivery page, the package page's proof and the delivery receipt, as a clerk uses them."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handover.models import Proof

from .images import JPEG, PDF, png

pytestmark = pytest.mark.django_db


def login(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def deliver_url(package) -> str:
    return f"/admin/handover/{package.pk}/deliver/"


def page_url(package) -> str:
    return f"/admin/shipments/package/{package.pk}/change/"


def signature() -> str:
    return "data:image/png;base64," + base64.b64encode(png()).decode()


def test_the_package_page_links_the_delivery_page(client, net, waiting):
    page = login(client, net.clerk_b).get(page_url(waiting)).content.decode()
    assert f'href="{deliver_url(waiting)}"' in page


def test_a_counter_delivery_with_a_signature_and_a_photo(client, net, waiting):
    login(client, net.clerk_b)
    form = client.get(deliver_url(waiting)).content.decode()
    assert "signature-pad.js" in form
    assert 'data-signature-input="id_signature_png"' in form
    response = client.post(
        deliver_url(waiting),
        {
            "received_by": "Jane Smith",
            "relationship": "addressee",
            "signature_png": signature(),
            "photo": SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    proof = Proof.objects.get(package=waiting)
    assert proof.photo.startswith(f"proofs/{waiting.tracking_number}/upload-")
    page = client.get(page_url(waiting)).content.decode()
    assert "Jane Smith" in page
    assert 'alt="Signature of Jane Smith"' in page
    assert 'alt="Photo of the handover"' in page
    receipt = client.get(f"/admin/handover/{waiting.pk}/receipt/").content.decode()
    assert "Delivery receipt" in receipt
    assert "@page { size: A4" in receipt
    assert 'alt="Signature of Jane Smith"' in receipt


def test_without_a_signature_or_with_a_pdf_photo_nothing_is_recorded(client, net, waiting):
    login(client, net.clerk_b)
    response = client.post(deliver_url(waiting), {"received_by": "Jane Smith", "relationship": "addressee"})
    assert response.status_code == 200
    assert "The receiver signs for the parcel." in response.content.decode()
    response = client.post(
        deliver_url(waiting),
        {
            "received_by": "Jane Smith",
            "relationship": "addressee",
            "signature_png": signature(),
            "photo": SimpleUploadedFile("scan.jpg", PDF, content_type="image/jpeg"),
        },
    )
    assert "The photo must be a JPEG or PNG image." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "ready_for_pickup"
    assert not Proof.objects.exists()


def test_another_offices_clerk_gets_no_delivery_page_receipt_or_file(client, net, waiting):
    from handover.rules import ProofInput
    from handover.services import package_hand_over

    package_hand_over(
        package=waiting,
        actor=net.clerk_b,
        proof=ProofInput(received_by="Jane Smith", relationship="addressee", signature_png=png()),
    )
    login(client, net.clerk_a)
    assert client.get(deliver_url(waiting)).status_code == 404
    assert client.get(f"/admin/handover/{waiting.pk}/receipt/").status_code == 404
    # A made-up or expired file link is refused.
    assert client.get("/handover/files/not-a-signed-token/").status_code == 404
