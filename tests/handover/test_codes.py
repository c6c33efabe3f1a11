"""Collection codes: sent to the receiver only, kept as a salted hash, asked for
before a valuable parcel is handed over, locked after five wrong tries, sent
anew by a manager (three a day), never shown to staff."""

import logging
import re

import pytest

from handover.models import CollectionCode, Proof
from notifications.models import Notification
from notifications.services import dispatch_due
from offices.models import Membership
from shipments.services import package_record_event
from tests.factories import clerk_at, party, register_package
from tests.helpers import assert_error

from .conftest import valuable, walk_to
from .test_pages import login
from .test_proof import delivery, events_url, proof_url

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[Cc]ollection code(?: is|:) (\d{6})")


def codes_sent(caplog) -> list[str]:
    """Send what is due (the `log` backend stands in for SNS), and read the codes the receiver got."""
    with caplog.at_level(logging.DEBUG):
        dispatch_due()
    return [match for record in caplog.records for match in CODE.findall(record.getMessage())]


@pytest.fixture
def manager_b(net):
    return clerk_at(net.b, role=Membership.Role.MANAGER, username="manager_b")


def test_the_receiver_gets_the_code_and_only_it_is_kept_hashed(net, caplog):
    package = valuable(net, notify_sms=True, phone="+12125550177")
    rows = Notification.objects.filter(package=package, recipient="receiver", status="ready_for_pickup")
    assert [row.sealed != "" for row in rows] == [True]
    caplog.clear()
    (code,) = codes_sent(caplog)
    sms = [record.getMessage() for record in caplog.records if code in record.getMessage()]
    assert len(sms) == 1
    assert sms[0].startswith("SMS to +12125550177: Parcel")  # the receiver's message, and no other log line
    assert [row.sealed for row in rows.all()] == [""]  # sent: the sealed code is gone
    stored = CollectionCode.objects.get(package=package)
    assert stored.state == "active"
    assert code not in stored.code_hash
    assert stored.code_hash.startswith("scrypt$")


def test_delivery_asks_for_the_code_and_counts_wrong_ones(client_for, net, caplog):
    package = valuable(net, notify_sms=True)
    (code,) = codes_sent(caplog)
    client = client_for(net.clerk_b)
    error = assert_error(client.post(events_url(package), delivery(), format="json"), 400, "collection_code_required")
    assert list(error["details"]) == ["collection_code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    error = assert_error(client.post(events_url(package), delivery(collection_code=wrong), format="json"), 400)
    assert error["details"] == {"collection_code": ["Wrong code; 4 more tries."]}
    response = client.post(events_url(package), delivery(collection_code=code), format="json")
    assert response.status_code == 201, response.content
    assert Proof.objects.get(package=package).collection_code_checked
    assert CollectionCode.objects.get(package=package).state == "used"


def test_five_wrong_codes_lock_until_a_manager_sends_a_new_one(client, client_for, net, manager_b, caplog):
    package = valuable(net, notify_email=True, email="vera@example.com")
    (code,) = codes_sent(caplog)
    api = client_for(net.clerk_b)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        assert_error(api.post(events_url(package), delivery(collection_code=wrong), format="json"), 400)
    error = assert_error(api.post(events_url(package), delivery(collection_code=code), format="json"), 400)
    assert error["code"] == "collection_code_locked"
    page = login(client, net.clerk_b).get(f"/admin/shipments/package/{package.pk}/change/").content.decode()
    assert "locked after five wrong codes" in page
    assert "_resend_code" not in page  # a clerk sees the lock; a manager lifts it
    client.post(f"/admin/handover/{package.pk}/resend-code/")
    assert CollectionCode.objects.filter(package=package).count() == 1
    login(client, manager_b).post(f"/admin/handover/{package.pk}/resend-code/")
    caplog.clear()
    (new_code,) = codes_sent(caplog)
    response = api.post(events_url(package), delivery(collection_code=new_code), format="json")
    assert response.status_code == 201, response.content


def test_a_manager_sends_at_most_three_codes_a_day(client, net, manager_b, caplog):
    package = valuable(net, notify_sms=True)
    login(client, manager_b)
    for _ in range(4):
        response = client.post(f"/admin/handover/{package.pk}/resend-code/", follow=True)
    assert "Three new codes were sent in the last 24 hours" in response.content.decode()
    assert CollectionCode.objects.filter(package=package, cause="resent").count() == 3
    assert CollectionCode.objects.filter(package=package, state="active").count() == 1


def test_the_code_is_absent_from_every_staff_response(client, client_for, net, manager_b, caplog):
    package = valuable(net, notify_sms=True, notify_email=True, email="vera@example.com")
    (code, same) = codes_sent(caplog)  # by SMS and by email
    assert code == same
    seen = []
    for user in (net.clerk_b, manager_b, net.hq):
        api = client_for(user)
        seen.append(api.get(f"/api/v1/packages/{package.tracking_number}/").content)
        seen.append(api.get("/api/v1/offices/BBB01/packages/?direction=on_hand").content)
        admin = login(client, user)
        pages = [f"/admin/shipments/package/{package.pk}/change/", f"/admin/handover/{package.pk}/deliver/"]
        if user == net.hq:  # the outbox's own list is HQ's
            pages.append(f"/admin/notifications/notification/?q={package.tracking_number}")
        for url in pages:
            response = admin.get(url)
            assert response.status_code == 200, url
            seen.append(response.content)
    api = client_for(net.clerk_b)
    seen.append(api.post(events_url(package), delivery(collection_code=code), format="json").content)
    seen.append(api.get(proof_url(package)).content)
    seen.append(client.get(f"/admin/handover/{package.pk}/receipt/").content)
    seen.append(client_for(None).get(f"/api/v1/track/{package.tracking_number}/").content)
    assert all(code.encode() not in content for content in seen)
    assert all(not CODE.search(content.decode()) for content in seen)


def test_the_code_cannot_be_tried_before_the_parcel_waits_for_its_receiver(client_for, net, caplog):
    package = valuable(net, notify_sms=True)  # ready for pickup at B
    (code,) = codes_sent(caplog)
    package_record_event(package=package, status="delivered", received_by="Vera")  # by the system: no proof
    other = register_package(
        origin=net.c, destination=net.b, declared_value=900, receiver=party("Oskar Other", notify_sms=True)
    )
    walk_to(other, ("accepted", net.c), ("in_transit", net.c), ("arrived", net.b), ("out_for_delivery", net.b))
    package_record_event(package=other, status="delayed", reason="weather")
    error = assert_error(
        client_for(net.clerk_b).post(events_url(other), delivery(collection_code=code), format="json"), 409
    )
    assert error["code"] == "not_ready_for_handover"
    assert CollectionCode.objects.get(package=other).failed_attempts == 0


def test_a_receiver_who_gets_no_messages_shows_an_identity_document(client_for, net):
    package = valuable(net)  # asked for neither SMS nor email
    assert not CollectionCode.objects.filter(package=package).exists()
    client = client_for(net.clerk_b)
    error = assert_error(client.post(events_url(package), delivery(), format="json"), 400)
    assert list(error["details"]) == ["id_document_type"]
    document = {"id_document_type": "national_id", "id_document_last4": "7Q2B"}
    assert client.post(events_url(package), delivery(**document), format="json").status_code == 201


def test_the_sender_may_ask_for_a_code_on_a_cheap_parcel(client_for, net, caplog):
    from tests.api.test_packages import new_parcel

    body = new_parcel(origin_office="CCC01", destination_office="BBB01", collection_code_requested=True)
    body["payment"] = {"method": "prepaid", "reference": "POSTAGE-1"}  # paid, so it may be accepted
    body["receiver"]["phone"] = "+12125550188"
    body["receiver"]["notify_sms"] = True
    answer = client_for(net.hq).post("/api/v1/packages/", body, format="json").json()
    assert answer["collection_code_requested"] is True
    assert answer["declared_value"] == "120.00"
    from shipments.models import Package

    package = Package.objects.get(tracking_number=answer["tracking_number"])
    walk_to(package, ("accepted", net.c), ("in_transit", net.c), ("arrived", net.b), ("ready_for_pickup", net.b))
    sent = codes_sent(caplog)  # by SMS and by email (new_parcel's receiver asked for both)
    assert len(sent) == 2
    assert len(set(sent)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_tries_each_count_and_one_handover_wins(net, caplog):
    import threading

    from django.db import connection as thread_connection

    from handover.rules import ProofInput
    from handover.services import package_hand_over
    from shipments.exceptions import ShipmentError

    from .images import png

    with caplog.at_level(logging.INFO):
        wrong_tries = valuable(net, notify_sms=True, phone="+12125550191")
        handed_twice = valuable(net, notify_sms=True, phone="+12125550192")
        dispatch_due()  # in this test, what committed was sent at once already
    codes = {
        phone: code
        for record in caplog.records
        for code in CODE.findall(record.getMessage())
        for phone in ("+12125550191", "+12125550192")
        if record.getMessage().startswith(f"SMS to {phone}")
    }
    barrier = threading.Barrier(7)
    outcomes = []

    def hand_over(package, code):
        proof = ProofInput(received_by="Vera", relationship="addressee", signature_png=png(), collection_code=code)
        try:
            barrier.wait(timeout=10)
            package_hand_over(package=package, proof=proof, actor=net.clerk_b)
            outcomes.append("delivered")
        except ShipmentError as error:
            outcomes.append(error.code)
        except Exception as error:  # a deadlock or any other 500 is a failure, not a lost race
            outcomes.append(repr(error))
        finally:
            thread_connection.close()

    wrong = f"{(int(codes['+12125550191']) + 3) % 1_000_000:06d}"
    threads = [threading.Thread(target=hand_over, args=(wrong_tries, wrong)) for _ in range(5)]
    threads += [threading.Thread(target=hand_over, args=(handed_twice, codes["+12125550192"])) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("delivered") == 1
    assert all(outcome == "delivered" or outcome.isidentifier() for outcome in outcomes), outcomes  # refusals only
    locked = CollectionCode.objects.get(package=wrong_tries)
    assert (locked.failed_attempts, locked.state) == (5, "locked")
    assert Proof.objects.filter(package=handed_twice).count() == 1
