"""Swedish first: the language is Swedish unless the visitor has chosen English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English browser got an
English site without asking (and generated texts that were not translated stayed Swedish). Here
only the language cookie that the language switch (django.views.i18n.set_language) sets counts;
it stays until the visitor switches back.
"""

from __future__ import annotations

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
