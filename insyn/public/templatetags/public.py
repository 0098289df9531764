"""Template helpers for the public site (loaded by base.html, so every page has them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()

SECTION_PREFIXES = {
    "goals": ("/plan/", "/uppdrag/"),
    "archive": ("/arkiv/", "/uppfoljning/"),
    "organisations": ("/organisationer/",),
    "search": ("/sok/",),
}


@register.simple_tag(takes_context=True)
def nav_link(context: Any, href: str, label: str, key: str = "") -> str:
    """A main-menu link that says where the reader is: aria-current="page" on the page itself,
    aria-current="true" anywhere inside its section (works for every app's pages)."""
    request = context.get("request")
    path = getattr(request, "path", "") or ""
    current = ""
    if path == href:
        current = "page"
    elif (
        (key and context.get("nav") == key)
        or (href != "/" and path.startswith(href))
        or any(path.startswith(prefix) for prefix in SECTION_PREFIXES.get(key, ()))
    ):
        current = "true"
    if current:
        return format_html('<a href="{}" aria-current="{}">{}</a>', href, current, label)
    return format_html('<a href="{}">{}</a>', href, label)


@register.simple_tag(takes_context=True)
def render_panel(context: Any, panel: Any) -> str:
    """A panel's template with its own context (plus `panel` and the request)."""
    from django.template.loader import render_to_string

    data = {**panel.context, "panel": panel}
    return render_to_string(panel.template, data, request=context.get("request"))


@register.simple_tag
def sv() -> str:
    """` lang="sv"` on an element holding the municipality's own (Swedish) text, when the page
    itself is shown in another language (WCAG 3.1.2, language of parts)."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    return "" if (get_language() or "sv").startswith("sv") else mark_safe(' lang="sv"')
