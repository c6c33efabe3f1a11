"""No server-side request forgery: an endpoint must resolve to public addresses
only, when it is saved and again before each delivery (DNS can change between
the two), and the connection goes to the very address that was checked;
redirects are not followed; https only where WEBHOOK_REQUIRE_HTTPS (production)."""

import ipaddress

import pytest
from django.test import override_settings

from shipments.exceptions import ShipmentError
from tests.factories import register_package
from webhooks.delivery import dispatch_due
from webhooks.models import Attempt
from webhooks.rules import address_refusal, allowed_networks, target, url_problems
from webhooks.services import subscription_create

from .conftest import PARTNER_HOST

PUBLIC = "93.184.216.34"
# One address of each refused range, with the word the refusal names.
REFUSED = [
    ("127.0.0.1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.5.4", "private"),
    ("192.168.0.10", "private"),
    ("169.254.169.254", "link-local"),  # the cloud's metadata service
    ("224.0.0.251", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 (an address refused, not one bound)
    ("100.64.0.1", "public"),  # carrier-grade NAT: not private, not public either
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("ff02::1", "multicast"),
    ("::", "unspecified"),
    ("fec0::1", "site-local"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4 inside IPv6
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_each_range_is_refused(address, kind):
    refusal = address_refusal(ipaddress.ip_address(address))
    assert kind in refusal
    assert "public addresses only" in refusal


def test_public_addresses_pass_and_allowed_networks_let_others_through():
    assert address_refusal(ipaddress.ip_address(PUBLIC)) == ""
    assert address_refusal(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) == ""
    allowed = allowed_networks("10.20.0.0/16, 127.0.0.1/32")
    assert address_refusal(ipaddress.ip_address("10.20.1.1"), allowed) == ""
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allowed) == ""
    assert address_refusal(ipaddress.ip_address("10.21.1.1"), allowed) != ""


@pytest.mark.parametrize(
    ("url", "https_only", "problem"),
    [
        ("http://hooks.partner.example/in", True, "Use an https:// URL."),
        ("ftp://hooks.partner.example/in", False, "Use an https:// (or http://) URL."),
        ("https://user:pass@hooks.partner.example/in", False, "No user name or password"),
        ("https://hooks.partner.example/in\x00", False, "no spaces or control characters"),
        ("https:///in", False, "names no host"),
        ("https://hooks.partner.example:99999/in", False, "valid host and port"),
        ("https://hooks.partner.example/" + "a" * 2000, False, "At most 2000 characters."),
        ("https://" + "ü" * 70 + ".example/in", False, "not a valid name"),  # a label longer than IDNA allows
    ],
)
def test_url_rules(url, https_only, problem):
    assert any(problem in message for message in url_problems(url, require_https=https_only))


def test_https_passes_in_production_and_http_outside_it():
    assert url_problems("https://hooks.partner.example/in", require_https=True) == []
    assert url_problems("https://bücher.example/in", require_https=True) == []
    assert target("https://bücher.example/in").host == "xn--bcher-kva.example"
    assert url_problems("http://hooks.partner.example/in", require_https=False) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_refused_when_saved(dns, address, kind):
    dns.answers[PARTNER_HOST] = [PUBLIC, address]  # one bad answer among good ones is enough
    with pytest.raises(ShipmentError) as refused:
        subscription_create(url=f"https://{PARTNER_HOST}/in")
    assert kind in refused.value.details["url"][0]
    # A literal address in the URL is checked the same way.
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(ShipmentError):
        subscription_create(url=f"https://{literal}/in")


@pytest.mark.django_db
def test_a_host_that_does_not_resolve_is_refused(dns):
    with pytest.raises(ShipmentError) as refused:
        subscription_create(url="https://nowhere.invalid/in")
    assert "does not resolve" in refused.value.details["url"][0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_refused_at_delivery_when_dns_changed_since(receiver, dns, office_a, office_c, tariff, address, kind):
    """Saved while the host was public; at delivery it resolves to a refused
    address (DNS rebinding): nothing is sent, the log says why."""
    dns.answers[PARTNER_HOST] = [PUBLIC]
    subscription = subscription_create(url=receiver.url)
    dns.answers[PARTNER_HOST] = [address]
    register_package(origin=office_a, destination=office_c)
    with override_settings(WEBHOOK_ALLOWED_NETWORKS=[]):
        dispatch_due()
    assert receiver.requests == []
    [attempt] = Attempt.objects.filter(subscription=subscription)
    assert attempt.status_code is None
    assert kind in attempt.error


@pytest.mark.django_db(transaction=True)
def test_redirects_are_not_followed(receiver, dns, office_a, office_c, tariff):
    subscription = subscription_create(url=receiver.url)
    receiver.script = [(307, 0, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    register_package(origin=office_a, destination=office_c)
    dispatch_due()
    assert len(receiver.requests) == 1
    [attempt] = Attempt.objects.filter(subscription=subscription)
    assert attempt.status_code == 307
    assert subscription.messages.get().state == "pending"  # a redirect is not a delivery: retried later
