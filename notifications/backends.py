"""Where messages go: Amazon SNS and SES (``aws``) or the log (``log``, for
``make run`` without AWS). NOTIFICATIONS_BACKEND picks one.

boto3 clients are created lazily, once per process and per timeout profile:
never at import time (every Lambda cold start would pay for it)."""

import functools
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("notifications")


class DeliveryError(Exception):
    """AWS refused or did not answer; the row is retried later."""


class OptedOut(Exception):
    """SNS says the number opted out of SMS: skipped, never retried."""


@dataclass
class TopicEntry:
    key: str
    message: str
    attributes: dict[str, str]


@dataclass
class TopicResult:
    message_id: str = ""
    error: str = ""


class LogBackend:
    """Logs what would have gone out and calls it sent."""

    calls_network = False

    def send_sms(self, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", phone, text)
        return f"log-{uuid.uuid4()}"

    def send_email(self, to: str, subject: str, text: str, html: str) -> str:
        logger.info("Email to %s: %s\n%s", to, subject, text)
        return f"log-{uuid.uuid4()}"

    def publish_topic(self, entries: list[TopicEntry]) -> dict[str, TopicResult]:
        for entry in entries:
            logger.info("Topic message %s %s", entry.attributes, entry.message)
        return {entry.key: TopicResult(message_id=f"log-{uuid.uuid4()}") for entry in entries}


# Two timeout profiles: right after a clerk's request (short, no retries: the
# dispatcher catches up) and the scheduled dispatcher (patient, boto3 retries).
# https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
PROFILES = {
    "request": {"connect_timeout": 1, "read_timeout": 2, "retries": {"total_max_attempts": 1}},
    "dispatcher": {"connect_timeout": 3, "read_timeout": 10, "retries": {"mode": "standard", "max_attempts": 3}},
}


@functools.cache
def client(service: str, profile: str):
    """A boto3 client; region and endpoint from the standard AWS environment
    (AWS_REGION, AWS_ENDPOINT_URL)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(service, region_name=settings.AWS_REGION, config=Config(**PROFILES[profile]))


class AwsBackend:
    """SMS through SNS Publish, email through SES v2, the topic through SNS PublishBatch."""

    calls_network = True

    def __init__(self, profile: str = "dispatcher"):
        self.profile = profile

    def _call(self, service: str, operation: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(client(service, self.profile), operation)(**params)
        except ClientError as error:
            raise DeliveryError(f"{operation}: {error.response.get('Error', {}).get('Code', '')} {error}") from error
        except BotoCoreError as error:
            raise DeliveryError(f"{operation}: {error}") from error

    def send_sms(self, phone: str, text: str) -> str:
        if self._call("sns", "check_if_phone_number_is_opted_out", phoneNumber=phone)["isOptedOut"]:
            raise OptedOut("The number opted out of SMS (SNS).")
        response = self._call(
            "sns",
            "publish",
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return response["MessageId"]

    def send_email(self, to: str, subject: str, text: str, html: str) -> str:
        response = self._call(
            "sesv2",
            "send_email",
            FromEmailAddress=settings.NOTIFICATIONS_FROM_EMAIL,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
                }
            },
        )
        return response["MessageId"]

    def publish_topic(self, entries: list[TopicEntry]) -> dict[str, TopicResult]:
        """At most 10 entries (SNS PublishBatch's limit)."""
        response = self._call(
            "sns",
            "publish_batch",
            TopicArn=settings.NOTIFICATIONS_TOPIC_ARN,
            PublishBatchRequestEntries=[
                {
                    "Id": entry.key,
                    "Message": entry.message,
                    "MessageAttributes": {
                        name: {"DataType": "String", "StringValue": value}
                        for name, value in entry.attributes.items()
                        if value
                    },
                }
                for entry in entries
            ],
        )
        results = {item["Id"]: TopicResult(message_id=item["MessageId"]) for item in response.get("Successful", [])}
        for item in response.get("Failed", []):
            results[item["Id"]] = TopicResult(error=f"{item.get('Code', '')}: {item.get('Message', '')}")
        return results


Backend = LogBackend | AwsBackend


def get_backend(profile: str = "dispatcher") -> Backend:
    if settings.NOTIFICATIONS_BACKEND == "aws":
        return AwsBackend(profile)
    return LogBackend()
