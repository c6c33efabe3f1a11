"""Two dispatchers at once: neither takes a message another holds, nor a later
message of the same package and subscription while an earlier one is pending
(event order), whatever the timing."""

import threading

import pytest
from django.db import connections, transaction

from shipments.services import package_record_event
from tests.factories import register_package
from webhooks.delivery import claim
from webhooks.models import Message
from webhooks.services import subscription_create


@pytest.mark.django_db(transaction=True)
def test_a_held_message_blocks_its_package_but_not_others(dns, office_a, office_c, tariff):
    subscription_create(url="https://hooks.partner.example/in")
    held_package = register_package(origin=office_a, destination=office_c)
    package_record_event(package=held_package, status="accepted", office=office_a)
    other = register_package(origin=office_a, destination=office_c)
    first, second = Message.objects.filter(package=held_package).order_by("id")
    locked, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert locked.wait(10)
        claimed = claim(Message.objects.all(), limit=10)
        # The other package's message only: the held one is skipped, the next of its package waits for it.
        assert [message.package_id for message in claimed] == [other.pk]
    finally:
        release.set()
        thread.join()
    # Leased now (due again after the lease), the next of its package still waits: only the held package's head.
    assert [message.pk for message in claim(Message.objects.all(), limit=10)] == [first.pk]
    assert claim(Message.objects.all(), limit=10) == []
    Message.objects.filter(pk=first.pk).update(state="sent")
    assert [message.pk for message in claim(Message.objects.all(), limit=10)] == [second.pk]
