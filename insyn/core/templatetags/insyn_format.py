"""Shared template filters for generated values, in the chosen language and Swedish conventions.

    {% load insyn_format %}
    {{ case_median|duration }}              → "3 dagar", "2 tim 15 min"   ("3 days", "2 h 15 min")
    {{ d.starts_on|daterange:d.ends_on }}   → "15 sep–31 okt 2023"        ("15 Sep–31 Oct 2023")
    {{ n|count }}                           → "27 st"                     ("27")

Never show a raw timedelta ("3 days, 0:00:00"), a date range with the year twice, or a number
with a column name as its unit.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


def format_duration(value: dt.timedelta | None) -> str:
    if value is None or value == "":
        return "–"
    seconds = int(value.total_seconds())
    if seconds < 0:
        seconds = 0
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 2 or (days == 1 and hours == 0):
        # Whole days (rounded) once it is two days or more: "3 dagar".
        shown = days + (1 if hours >= 12 else 0) if days >= 2 else days
        return ngettext("%(n)d dag", "%(n)d dagar", shown) % {"n": shown}
    hours += days * 24
    if hours and minutes:
        return _("%(h)d tim %(m)d min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d tim") % {"h": hours}
    return _("%(m)d min") % {"m": minutes}


@register.filter
def duration(value: dt.timedelta | None) -> str:
    return format_duration(value)


def _short(value: dt.date, fmt: str) -> str:
    text = date_format(value, fmt)
    return text.lower() if (get_language() or "sv").startswith("sv") else text


def format_daterange(start: dt.date | None, end: dt.date | None) -> str:
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    if not start and not end:
        return ""
    if not start or not end:
        return _short(start or end, "j M Y")
    if start == end:
        return _short(start, "j M Y")
    if start.year == end.year:
        if start.month == end.month:
            return f"{start.day}–{_short(end, 'j M Y')}"
        return f"{_short(start, 'j M')}–{_short(end, 'j M Y')}"
    return f"{_short(start, 'j M Y')}–{_short(end, 'j M Y')}"


@register.filter
def daterange(start: dt.date | None, end: dt.date | None) -> str:
    return format_daterange(start, end)


@register.filter
def count(value: int | None) -> str:
    if value is None or value == "":
        return "–"
    number = number_format(value, force_grouping=True)
    if (get_language() or "sv").startswith("sv"):
        return f"{number} st"
    return str(number)


@register.filter
def days_since(value: dt.date | None, today: dt.date | None = None) -> str:
    """Whole days from `value` to `today` (a number for a "Dagar sen" column, not "3 veckor")."""
    if not value:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    today = today or timezone.localdate()
    if isinstance(today, dt.datetime):
        today = today.date()
    return str(max(0, (today - value).days))
