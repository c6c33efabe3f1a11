"""Webhook rules over plain values, no database and no network: which URLs and
addresses are acceptable (no server-side request forgery), the retry schedule,
how an answer is judged, and what a message says."""

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from urllib.parse import urlsplit

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
# The Standard Webhooks schedule: the first attempt at once, then after each failure
# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h; then the message has failed.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Answers that ask us to slow down: the whole subscription waits (Retry-After, or the next delay).
SLOW_DOWN = frozenset({429, 502, 503, 504})
GONE = 410
# Failing without a single success for this long turns a subscription off.
DISABLE_AFTER = timedelta(days=5)
# A Retry-After longer than this is read as this.
MAX_RETRY_AFTER = timedelta(hours=24)

# The address kinds refused, with ipaddress's property for each (IPv4 and IPv6 alike).
_REFUSED_KINDS = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_site_local", "site-local"),
    ("is_private", "private"),
)


@cache
def _networks(allowed: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in allowed if network.strip())


def allowed_networks(value: str | list[str] | tuple[str, ...]) -> tuple:
    """WEBHOOK_ALLOWED_NETWORKS (comma-separated CIDRs, or a list) as networks; raises ValueError if one is not."""
    items = value.split(",") if isinstance(value, str) else value
    return _networks(tuple(items))


def address_refusal(address: Address, allowed: tuple = ()) -> str:
    """Why ``address`` may not be called, or "" when it may: loopback, private,
    link-local (169.254.169.254, the cloud's metadata service), multicast,
    reserved, unspecified and other non-public ranges are refused, IPv6 ones and
    IPv4 addresses inside IPv6 (::ffff:127.0.0.1, 6to4, Teredo) alike, unless
    ``allowed`` (WEBHOOK_ALLOWED_NETWORKS) holds the address."""
    if any(address.version == network.version and address in network for network in allowed):
        return ""
    candidates: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates += [inner for inner in (address.ipv4_mapped, address.sixtofour) if inner is not None]
        if address.teredo is not None:
            candidates += list(address.teredo)
    # The IPv4 address inside first: it names the range better (::ffff:127.0.0.1 is loopback).
    for candidate in reversed(candidates):
        if candidate is not address and any(candidate in network for network in allowed if network.version == 4):
            continue
        for prop, name in _REFUSED_KINDS:
            if getattr(candidate, prop, False):
                return f"{address} is a {name} address; webhooks go to public addresses only."
        if not candidate.is_global:
            return f"{address} is not a public address; webhooks go to public addresses only."
    return ""


@dataclass(frozen=True)
class Target:
    """Where a URL points: scheme, host name (or literal address), port and the request's path."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def literal(self) -> Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def url_problems(url: str, *, require_https: bool) -> list[str]:
    """What is wrong with ``url`` as an endpoint, before resolving its host."""
    if not url:
        return ["Give the endpoint's URL."]
    if len(url) > MAX_URL_LENGTH:
        return [f"At most {MAX_URL_LENGTH} characters."]
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        return ["A URL has no spaces or control characters."]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ["This is not a URL with a valid host and port."]
    problems = []
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed:
        problems.append("Use an https:// URL." if require_https else "Use an https:// (or http://) URL.")
    if not parts.hostname:
        problems.append("The URL names no host.")
    elif _ascii_host(parts.hostname) is None:
        problems.append("The host name is not a valid name.")
    if parts.username is not None or parts.password is not None:
        problems.append("No user name or password in the URL; the signature authenticates us.")
    if parts.fragment:
        problems.append("No #fragment in the URL.")
    if port == 0:
        problems.append("Port 0 cannot be called.")
    return problems


def _ascii_host(host: str) -> str | None:
    """The host as sent on the wire (an international name in IDNA), or None if it cannot be."""
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None


def target(url: str) -> Target:
    """A URL that passed ``url_problems``, taken apart."""
    parts = urlsplit(url)
    scheme = parts.scheme
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(
        scheme=scheme,
        host=(_ascii_host(parts.hostname or "") or "").rstrip("."),
        port=parts.port or (443 if scheme == "https" else 80),
        path=path,
    )


# --- answers --------------------------------------------------------------------------------


def next_delay(attempts: int) -> timedelta | None:
    """After ``attempts`` failed attempts: the wait before the next, or None when the schedule is used up."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a wait, at most
    MAX_RETRY_AFTER; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²": int() refuses it
        wait = timedelta(seconds=min(int(value[:9]), int(MAX_RETRY_AFTER.total_seconds())))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = when - now
    return max(timedelta(0), min(wait, MAX_RETRY_AFTER))


def delivered(status_code: int | None) -> bool:
    """Only a 2xx counts (a redirect is not followed, so it is a failure)."""
    return status_code is not None and 200 <= status_code < 300


# --- what a message says -----------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def package_body(
    *,
    event_type: str,
    tracking_number: str,
    status: str,
    reason: str,
    occurred_at: datetime,
    office: str | None,
    origin_office: str,
    destination_office: str,
    expected_delivery_at: datetime | None,
    returning: bool,
    service: str,
) -> str:
    """The JSON body of a package event (Standard Webhooks' type, timestamp and
    data): the parcel's journey only, no names, addresses, phones or emails."""
    return json.dumps(
        {
            "type": event_type,
            "timestamp": _iso(occurred_at),
            "data": {
                "tracking_number": tracking_number,
                "status": status,
                "reason": reason,
                "occurred_at": _iso(occurred_at),
                "office": office,
                "origin_office": origin_office,
                "destination_office": destination_office,
                "expected_delivery_at": _iso(expected_delivery_at),
                "returning": returning,
                "service": service,
            },
        },
        separators=(",", ":"),
    )


def ping_body(*, subscription_id: int, now: datetime) -> str:
    return json.dumps(
        {"type": "webhook.test", "timestamp": _iso(now), "data": {"subscription": subscription_id}},
        separators=(",", ":"),
    )
