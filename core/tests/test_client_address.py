"""The visitor's address behind TRUSTED_PROXY_COUNT proxies: the rate limits and sign-in locks count it."""

import pytest
from django.test import RequestFactory

from core.ratelimit import client_address

VISITOR = "203.0.113.7"
PROXY = "10.0.0.1"


def _address(forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers))


def test_it_uses_the_connection_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert _address(f"198.51.100.1, {VISITOR}") == PROXY


def test_it_takes_the_address_our_one_proxy_saw_whatever_the_visitor_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw to what the visitor sent.
    assert _address(VISITOR) == VISITOR
    assert _address(f"198.51.100.1, {VISITOR}") == VISITOR
    assert _address(f"198.51.100.1, 198.51.100.2,{VISITOR}") == VISITOR


def test_it_takes_the_address_the_outer_of_two_proxies_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The load balancer appends the visitor; nginx behind it appends the load balancer.
    assert _address(f"{VISITOR}, 10.0.0.2") == VISITOR
    assert _address(f"198.51.100.1, {VISITOR}, 10.0.0.2") == VISITOR


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [(1, None), (1, ""), (1, " "), (2, None), (2, VISITOR)],
)
def test_it_uses_the_connection_when_the_header_is_missing_or_too_short(settings, proxies, forwarded):
    # Two proxies but one entry: the request skipped the outer proxy, and nobody vouches for the entry.
    settings.TRUSTED_PROXY_COUNT = proxies
    assert _address(forwarded) == PROXY
