"""Shared template filters for generated values, in the chosen language and Swedish conventions.

    {% load insyn_format %}
    {{ case_median|duration }}              → "3 dagar", "2 tim 15 min"   ("3 days", "2 h 15 min")
    {{ d.starts_on|daterange:d.ends_on }}   → "15 sep–31 okt 2023"        ("15 Sep–31 Oct 2023")
    {{ n|count }}                           → "27 st"                     ("27")
    {{ x|number }}                          → "1 234,5"                   ("1,234.5")
    {{ share|percent }}                     → "12,5 %"                    ("12.5%")

Never show a raw timedelta ("3 days, 0:00:00"), a date range with the year twice, or a number
with a column name as its unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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


MINUS = "\u2212"
NBSP = "\u00a0"


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


def format_number(value: float | Decimal | int | None, decimals: int | None = None) -> str:
    """1234.5 → "1 234,5" in Swedish (no-break space between thousands, decimal comma) and
    "1,234.5" in English; -0.4 → "−0,4"/"−0.4"; None → "–". Without `decimals`, as many as
    the value needs, at most two."""
    if value is None or value == "":
        return "–"
    number = float(value)
    if decimals is None:
        if number == round(number):
            decimals = 0
        elif round(number, 1) == round(number, 2):
            decimals = 1
        else:
            decimals = 2
    text = f"{abs(number):,.{decimals}f}"
    if not _english():
        text = text.replace(",", NBSP).replace(".", ",")
    if number < 0 and text.strip("0,.\u00a0"):
        text = MINUS + text
    return text


def format_percent(share: float | Decimal | None, decimals: int = 1) -> str:
    """A share 0..1 as a percentage: 0.125 → "12,5 %" (Swedish) / "12.5%" (English)."""
    if share is None:
        return "–"
    text = format_number(float(share) * 100, decimals)
    return f"{text}%" if _english() else f"{text}{NBSP}%"


@register.filter
def number(value: float | Decimal | int | None, decimals: int | None = None) -> str:
    return format_number(value, decimals)


@register.filter
def percent(value: float | Decimal | None, decimals: int = 1) -> str:
    return format_percent(value, decimals)
