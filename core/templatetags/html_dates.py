"""Template filters every app may load: dates written for HTML attributes."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value: datetime | None) -> str:
    """Return `value` as an HTML `datetime` attribute: Seoul time, whole seconds, with its offset.

    `|date:"c"` keeps the microseconds, which the HTML checker refuses in a `datetime` value.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
