"""Swedish first: the language is Swedish unless the visitor has chosen English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English browser got an
English site without asking (and generated texts that were not translated stayed Swedish). Here
only the language cookie that the language switch (django.views.i18n.set_language) sets counts;
it stays until the visitor switches back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language the visitor chose (cookie), else the site's default (Swedish)."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code in dict(settings.LANGUAGES):
        return code
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class MethodNotAllowedPageMiddleware:
    """A wrong method (a GET of a POST-only address, Django's bare HttpResponseNotAllowed from
    require_POST or a class-based view) answers with the 405 page in the site's design, in the
    chosen language, keeping the Allow header. Responses that already have a body (the JSON/XML
    405s of Open311 and the open-data API) are left as they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        if response.content:
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


_INDENT = re.compile(rb"\n[ \t\r\n]*")
_KEEP_AS_IS = re.compile(rb"(<(pre|textarea)\b.*?</\2>)", re.IGNORECASE | re.DOTALL)


def compact_html(body: bytes) -> bytes:
    """The page without the templates' indentation and blank lines: a run of white space that
    starts with a line break becomes one line break, which HTML shows exactly as it showed the
    run (one space, or nothing between blocks). <pre> and <textarea> are left as they are."""
    parts = _KEEP_AS_IS.split(body)
    # split() returns text, kept block, tag name, text, …: compact the text parts only.
    return b"".join(
        _INDENT.sub(b"\n", part) if i % 3 == 0 else (part if i % 3 == 1 else b"")
        for i, part in enumerate(parts)
    )


class CompactHtmlMiddleware:
    """Public HTML pages leave without their indentation (about an eighth of a page's bytes,
    some 500 bytes of the goal page even after brotli). Sits inside the public response cache,
    so what the cache stores and compresses is the compact page. Staff and personal pages
    (insyn.core.public_cache.EXCLUDED_PREFIXES) are left as they are: some show text whose
    white space matters (the e-mail outbox)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from insyn.core.public_cache import EXCLUDED_PREFIXES

        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.content  # a redirect (a ballot's, a form's): nothing to compact
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("text/html")
            or request.path_info.startswith(EXCLUDED_PREFIXES)
        ):
            return response
        response.content = compact_html(response.content)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
