"""Fixed-window rate limits counted in the database, shared by every web process.

django-ratelimit needs a cache with atomic increments (Redis or memcached); the default
installation runs without either, so counters live in a table and grow with a single
UPDATE ... SET count = count + 1, which is atomic on SQLite and PostgreSQL alike.
Keys are HMACs, so the table holds no addresses or phone numbers.
"""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.models import RateLimitCounter

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """Return the visitor's address: the one our outermost trusted proxy saw, or the connection's.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    with TRUSTED_PROXY_COUNT proxies in front the visitor is that many entries from the
    right; everything left of it the client may have written itself.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        # A shorter header did not come through the chain of proxies we were told of (a
        # request that reached an inner proxy directly, or a proxy that does not append):
        # we cannot tell which entry, if any, a proxy of ours wrote, so the connection counts.
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def over_limit(scope: str, value: str) -> bool:
    """Count one request of `value` under `scope` and return whether it went over the limit.

    The limits are the RATE_LIMITS setting: scope -> (requests, seconds).
    """
    limit, period = settings.RATE_LIMITS[scope]
    key = hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()
    now = timezone.now()
    window_start = now - timedelta(seconds=int(now.timestamp()) % period, microseconds=now.microsecond)
    with transaction.atomic():
        _counter, created = RateLimitCounter.objects.get_or_create(key=key, window_start=window_start)
        counters = RateLimitCounter.objects.filter(key=key, window_start=window_start)
        counters.update(count=F("count") + 1)
        count = counters.values_list("count", flat=True).get()
    if created:
        RateLimitCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    if count > limit:
        # The scope says what was limited; the value is personal and stays out of the log.
        logger.warning("Rate limit reached: %s (%d requests in %d s)", scope, count, period)
        return True
    return False


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """Answer a request over its limit: 429 with a Korean page."""
    return render(request, "core/too_many_requests.html", status=429)
