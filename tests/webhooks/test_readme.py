"""The README's verification snippet, run as printed against real deliveries:
it accepts a signed event, recognises a retry by its webhook-id, and refuses a
tampered body, an old timestamp and another secret."""

import re
from pathlib import Path

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from tests.factories import register_package
from webhooks.delivery import dispatch_due
from webhooks.models import Message
from webhooks.services import messages_redeliver, subscription_create

ROOT = Path(__file__).resolve().parents[2]


def readme_receiver(secret: str, monkeypatch) -> dict:
    section = (ROOT / "README.md").read_text().split("## Partner webhooks (`webhooks/`)", 1)[1].split("\n## ", 1)[0]
    [snippet] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(snippet.strip().splitlines()) <= 20
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    namespace: dict = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 (our own README's snippet)
    return namespace


@pytest.mark.django_db(transaction=True)
def test_the_readme_snippet_verifies_real_deliveries(receiver, office_a, office_c, tariff, monkeypatch):
    subscription = subscription_create(url=receiver.url)
    package = register_package(origin=office_a, destination=office_c)
    dispatch_due()
    messages_redeliver(subscription=subscription, webhook_id=Message.objects.get().webhook_id)
    dispatch_due()
    first, retry = receiver.requests
    receive = readme_receiver(subscription.secret, monkeypatch)["receive"]
    event = receive(first.body, first.headers)
    assert event["data"]["tracking_number"] == package.tracking_number
    assert receive(retry.body, retry.headers) is None  # the same webhook-id: handled already
    old = first.headers | {"webhook-timestamp": str(int(first.headers["webhook-timestamp"]) - 301)}
    for body, headers in ((first.body.replace(b"created", b"returned"), first.headers), (first.body, old)):
        with pytest.raises(WebhookVerificationError):
            receive(body, headers)
    other = readme_receiver(subscription_create(url=receiver.url).secret, monkeypatch)["receive"]
    with pytest.raises(WebhookVerificationError):
        other(first.body, first.headers)
