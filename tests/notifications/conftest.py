"""AWS for the notification tests: moto's server over HTTP (the session's
``moto_server``), with a fresh topic, an SQS queue subscribed to it (raw
delivery) and an SES identity per test. boto3 finds it through
AWS_ENDPOINT_URL, as the code finds real AWS through the standard environment."""

import json
import urllib.request
import uuid
from types import SimpleNamespace

import boto3
import pytest
from django.test import override_settings

from notifications import backends


def _moto_data(endpoint: str) -> dict:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310
        return json.load(response)


@pytest.fixture
def aws(moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    backends.client.cache_clear()
    options = {"region_name": "us-east-1", "endpoint_url": moto_server}
    sns, sqs, ses = (boto3.client(name, **options) for name in ("sns", "sqs", "sesv2"))
    name = f"parcel-events-{uuid.uuid4().hex[:8]}"
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sender = f"notifications-{name}@example.com"
    ses.create_email_identity(EmailIdentity=sender)

    def topic_messages() -> list[dict]:
        """Everything the queue got, drained."""
        received = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                attributes = {key: value["StringValue"] for key, value in message.get("MessageAttributes", {}).items()}
                received.append({"body": json.loads(message["Body"]), "attributes": attributes})
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )

    def sms_to(phone: str) -> list[str]:
        return [sms["message"] for sms in _moto_data(moto_server)["sns"]["SMS"] if sms["phone_number"] == phone]

    def emails_to(address: str) -> list[dict]:
        return [
            message
            for message in _moto_data(moto_server)["ses"]["Message"]
            if address in message["destinations"].get("ToAddresses", []) and message["source"] == sender
        ]

    with override_settings(
        NOTIFICATIONS_BACKEND="aws",
        NOTIFICATIONS_TOPIC_ARN=topic_arn,
        NOTIFICATIONS_FROM_EMAIL=sender,
        PUBLIC_TRACKING_URL="https://track.example.com",
    ):
        yield SimpleNamespace(
            endpoint=moto_server,
            topic_arn=topic_arn,
            topic_messages=topic_messages,
            sms_to=sms_to,
            emails_to=emails_to,
            down=lambda: (monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9"), backends.client.cache_clear()),
            up=lambda: (monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server), backends.client.cache_clear()),
        )
    backends.client.cache_clear()
