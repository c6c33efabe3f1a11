"""Calling a partner's endpoint: resolve its host, refuse what is not public
(rules.address_refusal), and connect to the very address that was checked, so
DNS that changes between the check and the connection (rebinding) cannot slip
through. One urllib3 pool per endpoint and address keeps connections open
between messages; no retries (the outbox retries), no redirects."""

import ipaddress
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .rules import Address, Target, address_refusal, allowed_networks

# Endpoints whose open connections are kept; the least recently used is closed past this.
MAX_POOLS = 64
# Connections kept per endpoint (the dispatcher's sending threads share them).
POOL_SIZE = 8
# What is read of an answer at most; a longer one is cut and its connection closed.
MAX_READ = 64 * 1024


class Refused(Exception):
    """The endpoint may not be called (its address, or a host that does not resolve)."""


@dataclass
class Answer:
    status_code: int | None
    body: bytes
    retry_after: str | None
    duration_ms: int
    error: str = ""


def resolve(target: Target) -> list[Address]:
    """Every address of the target's host (a literal address is itself)."""
    literal = target.literal
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{target.host} does not resolve ({error}).") from error
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(f"{target.host} does not resolve.")
    return addresses


def vetted_address(target: Target) -> Address:
    """The address to connect to; Refused if the host resolves to any refused address."""
    allowed = allowed_networks(settings.WEBHOOK_ALLOWED_NETWORKS)
    addresses = resolve(target)
    for address in addresses:
        refusal = address_refusal(address, allowed)
        if refusal:
            raise Refused(f"{target.host}: {refusal}" if target.literal is None else refusal)
    return addresses[0]


_pools: OrderedDict[tuple, Any] = OrderedDict()
_pools_lock = threading.Lock()


def _pool(target: Target, address: Address):
    import urllib3

    key = (target.scheme, target.host, target.port, str(address))
    with _pools_lock:
        pool = _pools.get(key)
        if pool is not None:
            _pools.move_to_end(key)
            return pool
        options: dict[str, Any] = {"port": target.port, "maxsize": POOL_SIZE, "block": False, "retries": False}
        if target.scheme == "https":
            # Connected to the address, but the certificate must be the host's (SNI and the name check).
            name = target.host if target.literal is None else None
            pool = urllib3.HTTPSConnectionPool(
                str(address),
                server_hostname=name,
                assert_hostname=name or str(address),
                ca_certs=settings.WEBHOOK_CA_BUNDLE or None,
                **options,
            )
        else:
            pool = urllib3.HTTPConnectionPool(str(address), **options)
        _pools[key] = pool
        while len(_pools) > MAX_POOLS:
            _, old = _pools.popitem(last=False)
            old.close()
        return pool


def post(target: Target, address: Address, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to the target at ``address``; never raises for the endpoint's sake."""
    import urllib3

    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    started = time.perf_counter()
    try:
        response = _pool(target, address).urlopen(
            "POST",
            target.path,
            body=body,
            headers={"Host": target.host_header, **headers},
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            preload_content=False,
            assert_same_host=False,
        )
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
        return Answer(None, b"", None, _since(started), error=_reason(error))
    try:
        kept = response.read(MAX_READ)
        if not response.isclosed() and response.read(1):
            response.close()  # more than we read: the connection is not reused
        else:
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
        response.close()
        return Answer(response.status, b"", None, _since(started), error=_reason(error))
    return Answer(response.status, kept, response.headers.get("Retry-After"), _since(started))


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _reason(error: Exception) -> str:
    import urllib3

    if isinstance(error, urllib3.exceptions.TimeoutError | urllib3.exceptions.ReadTimeoutError):
        return "No answer within the timeout."
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {reason}"[:500]


def close_pools() -> None:
    """Close every kept connection (tests, and a settings change)."""
    with _pools_lock:
        while _pools:
            _, pool = _pools.popitem()
            pool.close()
