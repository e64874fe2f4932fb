"""The client's address: REMOTE_ADDR, or what the trusted proxies name, never what a client claims."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from api.client_address import client_address

FORWARDED = "HTTP_X_FORWARDED_FOR"


def request_from(remote: str, **meta: str) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


def test_without_a_trusted_header_the_address_is_the_connection_s_whatever_the_request_claims(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = ""
    assert client_address(request_from("192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "192.0.2.10"


def test_one_trusted_proxy_names_the_client_in_the_last_entry(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = FORWARDED, 1
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")  # the first was forged
    assert client_address(request) == "203.0.113.9"


def test_two_trusted_proxies_name_the_client_second_from_the_right(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = FORWARDED, 2
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 10.0.0.1")
    assert client_address(request) == "203.0.113.9"


def test_a_request_that_skipped_the_outer_proxy_is_named_by_the_inner_one(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER, settings.TRUSTED_PROXY_COUNT = FORWARDED, 2
    assert client_address(request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"


def test_a_single_address_header_such_as_x_real_ip_works_too(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_REAL_IP"
    assert client_address(request_from("10.0.0.2", HTTP_X_REAL_IP="2001:db8::7")) == "2001:db8::7"


def test_a_missing_or_malformed_header_falls_back_to_the_connection_s_address(settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = FORWARDED
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", HTTP_X_FORWARDED_FOR=" , ")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")) == "10.0.0.2"
