"""Which webhook URLs are accepted: one strict reading, and only global unicast addresses behind it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from webhooks.services import webhook_url_check
from webhooks.targets import WebhookTarget, webhook_target_parse


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as refused:
        webhook_url_check(url)
    [message] = refused.value.message_dict["url"]
    return message


USERINFO = "A webhook URL may not contain a user name or password."
CHARACTERS = "A webhook URL may not contain spaces, control characters or backslashes."


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # The probe: urlsplit read the host as 8.8.8.8 while requests connected to 127.0.0.1:8623.
        ("https://127.0.0.1:8623\\@8.8.8.8/", CHARACTERS),
        ("https://127.0.0.1:8623@8.8.8.8/", USERINFO),
        ("https://admin:secret@93.184.215.14/hooks", USERINFO),
        ("https://93.184.215.14\\hooks", CHARACTERS),
        ("https://93.184.215.14/hooks\\..\\admin", CHARACTERS),
    ],
)
def test_a_user_name_or_a_backslash_in_the_url_is_refused(url: str, message: str) -> None:
    assert refusal(url) == message


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/ hooks",
        "https://93.184.215.14/hooks\t",
        " https://93.184.215.14/hooks",
        "https://93.184.215.14/ho\nks",
        "https://93.184.215.14/ho\x00oks",
        "https://93.184.215.14/hooks\u3000",
        "https://93.184.215.14/ho\u200boks",  # a zero-width space: invisible in a form, not a URL character
    ],
)
def test_whitespace_and_control_characters_are_refused_anywhere_in_the_url(url: str) -> None:
    assert refusal(url) == CHARACTERS


@pytest.mark.parametrize("port", ["0", "65536", "99999", "-1", "+443", "8_443", "port"])
def test_a_port_outside_1_to_65535_is_refused(port: str) -> None:
    assert refusal(f"https://93.184.215.14:{port}/hooks") == "A webhook URL's port must be between 1 and 65535."


@pytest.mark.parametrize(
    "url",
    ["https:///hooks", "https://:443/hooks", "https://[v1.example]/", "https://[fe80::1%25eth0]/", "https://a..b/"],
)
def test_a_url_without_a_valid_host_is_refused(url: str) -> None:
    assert refusal(url) == "A webhook URL must name a valid host."


@pytest.mark.parametrize("url", ["http://93.184.215.14/hooks", "ftp://93.184.215.14/hooks", "javascript:alert(1)"])
def test_only_https_is_accepted_unless_http_is_allowed(url: str) -> None:
    assert refusal(url) == "A webhook URL must be an https:// address."


def test_http_is_accepted_where_the_operator_allows_it(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_HTTP = True
    webhook_url_check("http://93.184.215.14/hooks")


NOT_PUBLIC = "Webhooks may not be sent to private or local addresses."


@pytest.mark.parametrize("host", ["224.0.0.1", "239.255.255.250", "[ff02::1]", "[ff0e::1]"])
def test_a_multicast_address_is_refused(host: str) -> None:
    assert refusal(f"https://{host}/hooks") == NOT_PUBLIC


@pytest.mark.parametrize("host", ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]"])
def test_ipv4_mapped_and_compatible_loopback_are_refused(host: str) -> None:
    assert refusal(f"https://{host}/hooks") == NOT_PUBLIC


@pytest.mark.parametrize("host", ["0.0.0.0", "0.1.2.3", "[::]"])  # noqa: S104 - refused, not bound
def test_the_unspecified_address_is_refused(host: str) -> None:
    assert refusal(f"https://{host}/hooks") == NOT_PUBLIC


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("127.0.0.1", id="loopback"),
        pytest.param("10.1.2.3", id="private-10"),
        pytest.param("172.16.0.1", id="private-172.16"),
        pytest.param("192.168.1.1", id="private-192.168"),
        pytest.param("169.254.169.254", id="link-local-cloud-metadata"),
        pytest.param("100.64.0.1", id="shared-carrier-grade-nat"),
        pytest.param("240.0.0.1", id="reserved"),
        pytest.param("255.255.255.255", id="broadcast"),
        pytest.param("192.0.2.1", id="documentation"),
        pytest.param("[::1]", id="ipv6-loopback"),
        pytest.param("[fc00::1]", id="unique-local"),
        pytest.param("[fe80::1]", id="ipv6-link-local"),
        pytest.param("[fec0::1]", id="site-local"),
        pytest.param("[2002:7f00:1::1]", id="6to4-of-loopback"),
        pytest.param("[2002:a00:1::1]", id="6to4-of-private"),
        pytest.param("[2001:0:4136:e378:8000:63bf:80ff:fffe]", id="teredo-of-loopback"),
        pytest.param("[64:ff9b::a00:1]", id="nat64-of-private"),
        pytest.param("[2001:db8::1]", id="ipv6-documentation"),
    ],
)
def test_every_other_address_that_is_not_global_unicast_is_refused(host: str) -> None:
    assert refusal(f"https://{host}/hooks") == NOT_PUBLIC


def test_a_hostname_that_resolves_to_a_private_address_is_refused() -> None:
    assert refusal("https://localhost/hooks") == NOT_PUBLIC  # /etc/hosts: 127.0.0.1


def test_a_hostname_that_does_not_resolve_is_refused_by_name() -> None:
    assert refusal("https://no-such-host.invalid/hooks") == "The host no-such-host.invalid cannot be resolved."


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/hooks",
        "https://93.184.215.14:8443/hooks?tenant=7",
        "https://[2606:4700:4700::1111]/hooks",
        "https://[2002:5db8:d70e::1]/hooks",  # 6to4 of 93.184.215.14: public inside as well
    ],
)
def test_a_public_address_is_accepted(url: str) -> None:
    webhook_url_check(url)  # IP literals: no DNS needed


@pytest.mark.parametrize("url", ["https://localhost/hooks", "https://10.1.2.3/hooks", "https://[::1]:8443/hooks"])
def test_private_addresses_are_accepted_where_the_operator_allows_them(settings: Any, url: str) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    webhook_url_check(url)


def test_the_url_is_read_into_the_host_port_and_request_target_that_are_sent() -> None:
    target = webhook_target_parse("https://Bücher.Example:8443/hooks/ä?x=1&y=ü#fragment", allow_http=False)
    assert target == WebhookTarget(
        scheme="https", host="xn--bcher-kva.example", port=8443, request_target="/hooks/%C3%A4?x=1&y=%C3%BC"
    )
    assert target.host_header == "xn--bcher-kva.example:8443"
    assert webhook_target_parse("https://[2606:4700::1111]", allow_http=False).host_header == "[2606:4700::1111]"
    assert webhook_target_parse("http://93.184.215.14:80/a%2Fb", allow_http=True).request_target == "/a%2Fb"
