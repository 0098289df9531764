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


# The shape of an assignment status, so that status never depends on colour alone
# (includes/status_icon.html and includes/status.html write the same through these tags).
_STATUS_SHAPES = {
    "completed": '<circle cx="10" cy="10" r="9"/><path class="status-icon-mark" d="M5.5 10.5l3 3 6-7"/>',
    "on_track": '<circle cx="10" cy="10" r="9"/>',
    "delayed": '<path d="M10 1.5l9 16.5H1z"/>',
    "not_done": '<rect x="2" y="2" width="16" height="16"/>',
}
_UNKNOWN_SHAPE = (
    '<circle cx="10" cy="10" r="8" class="status-icon-hollow"/><path class="status-icon-mark" '
    'd="M7.5 8a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .8-1 1.5v.7M10 14.5v.5"/>'
)


@register.simple_tag
def status_icon(status: Any) -> str:
    """An assignment status's icon (a tag, not an include: it is drawn on every row)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    code = escape(status)
    return mark_safe(
        f'<svg class="status-icon status-icon--{code}" aria-hidden="true" focusable="false" '
        f'viewBox="0 0 20 20" width="20" height="20">'
        f"{_STATUS_SHAPES.get(str(status), _UNKNOWN_SHAPE)}</svg>"
    )


@register.simple_tag
def status_badge(status: Any, label: Any) -> str:
    """An assignment status: shape + text (and colour)."""
    return format_html(
        '<span class="status status--{}">{}<span class="status-label">{}</span></span>',
        status,
        status_icon(status),
        label,
    )


# Filled in for each organisation: reverse() costs tens of microseconds and a goal page links
# some eighty organisations (every board an assignment names), so it is asked once per render.
_SLUG_MARK = "0"


@register.simple_tag(takes_context=True)
def organisations_inline(context: Any, orgs: Any, groups: Any) -> str:
    """Organisations named directly, then groups (linked to their members for the year)."""
    from django.urls import reverse
    from django.utils.html import format_html_join

    pattern = context.render_context.get("public:organisation_url")
    if pattern is None:
        url = reverse("public:organisation", args=[_SLUG_MARK])
        head, _mark, tail = url.rpartition(f"/{_SLUG_MARK}/")
        pattern = context.render_context["public:organisation_url"] = (f"{head}/", f"/{tail}")
    head, tail = pattern
    # Slugs are [-a-zA-Z0-9_]: nothing in them for reverse() to quote.
    links = [(f"{head}{org.slug}{tail}", org.name) for org in orgs or ()]
    links += [(reverse("public:group", args=[r.group.slug, r.year]), r.name) for r in groups or ()]
    return format_html_join(", ", '<a href="{}">{}</a>', links)
