"""A partner's endpoint for the webhook tests: a real HTTP server on
127.0.0.1 in a thread (allowed through WEBHOOK_ALLOWED_NETWORKS, as the README
says an internal receiver is), and DNS answers of the test's choosing for the
partner's host name (everything else resolves as usual)."""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from webhooks import client
from webhooks.models import Message, Subscription

PARTNER_HOST = "hooks.partner.example"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST from ``script`` in turn ((status, seconds to wait first,
    extra headers)), then 200; records every request it got."""

    port: int = 0
    requests: list[Request] = field(default_factory=list)
    script: list[tuple[int, float, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{PARTNER_HOST}:{self.port}/hooks/parcels"


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Keep-alive (the dispatcher reuses its connections); no delayed-ACK stall between headers and body.
        disable_nagle_algorithm = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                status, wait, headers = receiver.script.pop(0) if receiver.script else (200, 0.0, {})
            if wait:
                time.sleep(wait)
            answer = f"answer {status}".encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the dispatcher gave up waiting

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(dns):
    """The partner's endpoint, its host name resolving to it."""
    dns.answers[PARTNER_HOST] = ["127.0.0.1"]
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with override_settings(WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"], WEBHOOK_TIMEOUT_SECONDS=0.5):
        yield state
    server.shutdown()
    server.server_close()
    client.close_pools()


@pytest.fixture
def dns(monkeypatch):
    """``dns.answers[host] = ["10.0.0.7"]``: what the partner's host resolves to
    from now on (a public address at first)."""
    answers: dict[str, list[str]] = {PARTNER_HOST: ["93.184.216.34"]}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(answers=answers)


def time_passes() -> None:
    """As if the retry schedule's waits were over: what is pending is due, nothing is slowed down."""
    now = timezone.now()
    Message.objects.filter(state="pending").update(next_attempt_at=now)
    Subscription.objects.filter(~Q(paused_until=None)).update(paused_until=now)
