"""An https:// endpoint (as production requires) is called at the address that
was checked, with the host's name in TLS (SNI) and in the certificate check:
the right certificate is accepted, one for another name is refused."""

import datetime
import ssl
import threading
from http.server import ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings
from standardwebhooks import Webhook

from tests.factories import register_package
from webhooks import client
from webhooks.delivery import dispatch_due
from webhooks.models import Attempt
from webhooks.services import subscription_create

from .conftest import PARTNER_HOST, Receiver, _handler

pytestmark = pytest.mark.django_db(transaction=True)


def _certificate(tmp_path, name: str):
    """A CA, and a certificate it signed for ``name``: (CA file, certificate file, key file)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = (tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


@pytest.fixture
def https_receiver(tmp_path, dns):
    def start(certificate_name: str):
        ca, certificate, key = _certificate(tmp_path, certificate_name)
        state = Receiver()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        state.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return state, str(ca)

    servers: list = []
    dns.answers[PARTNER_HOST] = ["127.0.0.1"]
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    client.close_pools()


def test_an_https_endpoint_with_the_hosts_certificate_gets_the_event(https_receiver, office_a, office_c, tariff):
    receiver, ca = https_receiver(PARTNER_HOST)
    with override_settings(WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"], WEBHOOK_CA_BUNDLE=ca, WEBHOOK_REQUIRE_HTTPS=True):
        subscription = subscription_create(url=f"https://{PARTNER_HOST}:{receiver.port}/hooks")
        register_package(origin=office_a, destination=office_c)
        dispatch_due()
    [request] = receiver.requests
    assert request.headers["Host"] == f"{PARTNER_HOST}:{receiver.port}"
    assert Webhook(subscription.secret).verify(request.body, request.headers)["type"] == "package.created"


def test_a_certificate_for_another_name_is_refused(https_receiver, office_a, office_c, tariff):
    receiver, ca = https_receiver("other.example")
    with override_settings(WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"], WEBHOOK_CA_BUNDLE=ca):
        subscription = subscription_create(url=f"https://{PARTNER_HOST}:{receiver.port}/hooks")
        register_package(origin=office_a, destination=office_c)
        dispatch_due()
    assert receiver.requests == []
    [attempt] = Attempt.objects.filter(subscription=subscription)
    assert attempt.status_code is None
    assert "certificate" in attempt.error.lower() or "hostname" in attempt.error.lower()
