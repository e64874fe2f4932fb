"""Where a webhook may be sent: one reading of its URL, for registration and for every attempt.

Pure Python, no Django: the caller passes the operator's switches (WEBHOOKS_ALLOW_HTTP,
WEBHOOKS_ALLOW_PRIVATE_NETWORKS) in, and words a refusal for whoever reads it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
# Everything RFC 3986 allows in a path and query, and "%" so that escapes already there stay as they are.
_REQUEST_TARGET_SAFE = "/?:@!$&'()*+,;=%~"


class Refusal(StrEnum):
    CHARACTERS = "characters"  # whitespace, a control character or a backslash
    USERINFO = "userinfo"  # a user name or password before the host
    SCHEME = "scheme"
    PORT = "port"
    HOST = "host"
    UNRESOLVED = "unresolved"
    NOT_PUBLIC = "not_public"


class TargetRefused(Exception):
    def __init__(self, refusal: Refusal, host: str = "") -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.host = host


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str  # "https", or "http" where the operator allows it
    host: str  # a lower-case ASCII name (IDNA), or an IP address without brackets
    port: int
    request_target: str  # path and query as sent on the request line; the fragment never leaves

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == {"https": 443, "http": 80}[self.scheme] else f"{host}:{self.port}"


def webhook_target_parse(url: str, *, allow_http: bool) -> WebhookTarget:
    """Read a webhook URL strictly, or raise TargetRefused.

    The connection is made to what this returns, never to the URL string: a second parser (the HTTP
    client's) reading `https://127.0.0.1:8623\\@8.8.8.8/` differently from this one is how a check on
    8.8.8.8 once let a request go to 127.0.0.1. What two parsers might disagree on is refused outright.
    """
    if any(character.isspace() or not character.isprintable() or character == "\\" for character in url):
        raise TargetRefused(Refusal.CHARACTERS)
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed "[" around an IPv6 address
        raise TargetRefused(Refusal.HOST) from None
    if parts.scheme not in ({"https", "http"} if allow_http else {"https"}):
        raise TargetRefused(Refusal.SCHEME)
    if "@" in parts.netloc:
        raise TargetRefused(Refusal.USERINFO)
    try:
        port = parts.port
    except ValueError:
        raise TargetRefused(Refusal.PORT) from None
    if port is not None and not 1 <= port <= 65535:
        raise TargetRefused(Refusal.PORT)
    request_target = quote(parts.path or "/", safe=_REQUEST_TARGET_SAFE)
    if parts.query:
        request_target += "?" + quote(parts.query, safe=_REQUEST_TARGET_SAFE)
    return WebhookTarget(
        scheme=parts.scheme,
        host=_host(parts.hostname or "", bracketed="[" in parts.netloc),
        port=port or (443 if parts.scheme == "https" else 80),
        request_target=request_target,
    )


def _host(hostname: str, *, bracketed: bool) -> str:
    if not hostname or "%" in hostname:  # no host, or an IPv6 zone: it names an interface of this machine
        raise TargetRefused(Refusal.HOST)
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        if bracketed:  # only an IPv6 address goes in brackets
            raise TargetRefused(Refusal.HOST) from None
    try:
        name = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetRefused(Refusal.HOST) from None
    if not _NAME.fullmatch(name):
        raise TargetRefused(Refusal.HOST)
    return name


def address_is_public(address: Address) -> bool:
    """True for a global unicast address; for IPv6, any IPv4 address it carries (6to4, Teredo) must be one too.

    `is_global` alone is not enough: on the Pythons we run it is true for multicast (224.0.0.0/4, ff00::/8),
    site-local fec0::/10, and ::/8, where the IPv4-compatible (::127.0.0.1) and NAT64 (64:ff9b::10.0.0.1)
    forms live. An IPv4-mapped address (::ffff:…) is refused whatever it maps: a public receiver has a
    plain IPv4 address for that.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None or address.is_site_local:
            return False
        embedded = [address.sixtofour, *(address.teredo or ())]
        if not all(address_is_public(ipv4) for ipv4 in embedded if ipv4 is not None):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def target_addresses(target: WebhookTarget, *, allow_private: bool) -> list[str]:
    """Resolve the host once and check every address it has: these, and only these, are connected to.

    One resolution per attempt: the address checked is the address used, so a name that answers a
    public address to the check and 127.0.0.1 a moment later (DNS rebinding) gets no second look-up.
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(Refusal.UNRESOLVED, target.host) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise TargetRefused(Refusal.UNRESOLVED, target.host)
    # Every address, not just the first: a name with one private address among public ones is refused.
    if not allow_private and not all(address_is_public(ipaddress.ip_address(a)) for a in addresses):
        raise TargetRefused(Refusal.NOT_PUBLIC, target.host)
    return addresses
