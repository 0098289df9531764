"""Whole public responses from the shared cache, compressed once per publication version.

`PublicPageCacheMiddleware` sits right after WhiteNoise, before sessions, locale, CSRF and auth,
so a cache hit costs one cache read (the version and the page together) and no other work.

A request is answered from the cache only if it is a GET or HEAD for a public path (not
/personal/, /admin/, /konto/, /open311/, …), carries no session cookie (so never for signed-in
staff or residents), no messages cookie and no Authorization header. The key is the scheme,
host, path, query string, the language the locale middleware chooses (the language cookie, else
Swedish: insyn.core.middleware.chosen_language) and the htmx request headers.

A response is stored only if it is a 200, not streamed, sets no cookie (a page with a CSRF token
sets one, so forms are never stored), says nothing of `private`/`no-store`/`no-cache`, and varies
on nothing but Cookie, Accept-Language and Accept-Encoding. The entry keeps the body gzip- and
brotli-compressed (a page stored here carries no secret, so compressing it next to reflected
input is no BREACH risk; pages that are not stored are never compressed by Insyn), a weak ETag
from the body, and the version (its time is the Last-Modified). Answers carry
`Cache-Control: public, max-age=0, s-maxage=N, must-revalidate` (browsers revalidate and get a
304; proxies keep the page N seconds, INSYN_PUBLIC_CACHE_S_MAXAGE).

Invalidation is `insyn.core.publication`: every public change bumps the version.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from insyn.core.middleware import chosen_language
from insyn.core.publication import VERSION_KEY, publication_version, version_time

EXCLUDED_PREFIXES = (
    "/personal/",
    "/admin/",
    "/konto/",
    "/i18n/",
    "/health/",
    "/static/",
    "/media/",
    "/export/",
    "/open311/",
)
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")
ALLOWED_VARY = {"cookie", "accept-language", "accept-encoding"}
NOT_COPIED = {
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "vary",
    "set-cookie",
}
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml")
MAX_BODY = 2 * 1024 * 1024
VARY = "Accept-Encoding, Accept-Language, Cookie"
cc_delim_re = re.compile(r"\s*,\s*")


def _eligible(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not getattr(settings, "INSYN_PUBLIC_CACHE", True):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def page_key(request: HttpRequest, language: str) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        language,
        *(request.headers.get(h, "") for h in HTMX_HEADERS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"insyn:page:{digest}"


def _storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Content-Encoding") or len(response.content) > MAX_BODY:
        return False
    directives = {
        d.strip().split("=")[0].lower()
        for d in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if directives & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    return vary <= ALLOWED_VARY


def make_entry(response: HttpResponse, version: str) -> dict:
    body = bytes(response.content)
    content_type = response.get("Content-Type", "")
    entry: dict = {
        "version": version,
        "etag": 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
        "headers": [(k, v) for k, v in response.items() if k.lower() not in NOT_COPIED],
        "length": len(body),
    }
    if content_type.startswith(COMPRESSIBLE) and len(body) > 512:
        entry["gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
        entry["br"] = brotli.compress(body, quality=11)
    else:
        entry["identity"] = body
    return entry


def _encoding(request: HttpRequest, entry: dict) -> str:
    if "identity" in entry:
        return "identity"
    accepted = {
        part.split(";")[0].strip().lower()
        for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(",")
        if part.strip() and not part.replace(" ", "").endswith(";q=0")
    }
    if "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return "identity"


def _not_modified(request: HttpRequest, entry: dict, last_modified: float) -> bool:
    if inm := request.META.get("HTTP_IF_NONE_MATCH"):
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or entry["etag"].removeprefix("W/") in tags
    if ims := request.META.get("HTTP_IF_MODIFIED_SINCE"):
        try:
            return int(last_modified) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def serve_entry(request: HttpRequest, entry: dict, *, hit: bool) -> HttpResponse:
    last_modified = version_time(entry["version"])
    headers = {
        "ETag": entry["etag"],
        "Last-Modified": formatdate(last_modified, usegmt=True),
        "Cache-Control": (
            f"public, max-age=0, s-maxage={settings.INSYN_PUBLIC_CACHE_S_MAXAGE}, must-revalidate"
        ),
        "Vary": VARY,
        "X-Insyn-Cache": "hit" if hit else "miss",
    }
    if _not_modified(request, entry, last_modified):
        response = HttpResponseNotModified()
        for name, value in headers.items():
            response[name] = value
        return response
    encoding = _encoding(request, entry)
    if encoding == "identity":
        body = entry["identity"] if "identity" in entry else gzip.decompress(entry["gzip"])
    else:
        body = entry[encoding]
    response = HttpResponse(b"" if request.method == "HEAD" else body)
    for name, value in entry["headers"]:
        response[name] = value
    for name, value in headers.items():
        response[name] = value
    if encoding != "identity":
        response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(body))
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _eligible(request):
            return self.get_response(request)
        language = chosen_language(request)
        key = page_key(request, language)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or publication_version()
        entry = found.get(key)
        if entry is not None and entry["version"] == version:
            return serve_entry(request, entry, hit=True)
        response = self.get_response(request)
        if not _storable(response):
            return response
        entry = make_entry(response, version)
        cache.set(key, entry, timeout=settings.INSYN_PUBLIC_CACHE_SECONDS)
        return serve_entry(request, entry, hit=False)
