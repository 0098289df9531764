"""Whole public responses from the shared cache, compressed once per publication version.

`PublicPageCacheMiddleware` sits right after WhiteNoise, before sessions, locale, CSRF and auth,
so a cache hit costs the version check and no other work: no database query, no session, no
template. Entries live at two levels: the shared cache (Redis, or the database cache of the
embedded default), which every server process fills and reads, and a bounded copy in each
process's memory (`INSYN_PUBLIC_CACHE_LOCAL_BYTES`, least recently used first out), which is
what a hit normally reads. Both levels are checked against the current publication version on
every request, so a bump made by any process makes every level of every process stale at once
(insyn.core.publication says where the version lives and why every process sees it).

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
import threading
from collections import OrderedDict
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime

import brotli
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders

from insyn.core.middleware import chosen_language
from insyn.core.publication import publication_version, version_time

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
    return "authorization" not in request.headers


# Hosts that passed request.get_host() (ALLOWED_HOSTS), by the headers that named them: the
# check is a regular expression and a list walk, the same for every request from one site.
_HOST_HEADERS = ("HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")
_hosts: dict[tuple, str] = {}
_hosts_allowed: list = []  # the ALLOWED_HOSTS the remembered hosts were checked against


def _host(request: HttpRequest) -> str:
    meta = request.META
    raw = tuple(meta.get(name) for name in _HOST_HEADERS)
    if _hosts_allowed[:1] != [settings.ALLOWED_HOSTS]:  # changed (tests): check again
        _hosts.clear()
        _hosts_allowed[:] = [settings.ALLOWED_HOSTS]
    host = _hosts.get(raw)
    if host is None:
        host = request.get_host()  # raises DisallowedHost for a host that is not allowed
        if len(_hosts) >= 256:
            _hosts.clear()
        _hosts[raw] = host
    return host


def local_key(request: HttpRequest, language: str) -> tuple:
    """What a public page depends on besides the publication version."""
    meta = request.META
    return (
        request.scheme,
        _host(request),
        request.path,
        meta.get("QUERY_STRING", ""),
        language,
        *(meta.get(h, "") for h in HTMX_META),
    )


HTMX_META = tuple("HTTP_" + h.upper().replace("-", "_") for h in HTMX_HEADERS)


def shared_key(key: tuple) -> str:
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8", "surrogateescape")).hexdigest()
    return f"insyn:page:{digest}"


def page_key(request: HttpRequest, language: str) -> str:
    return shared_key(local_key(request, language))


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


def _entry_size(entry: dict) -> int:
    return sum(len(entry.get(k, b"")) for k in ("gzip", "br", "identity")) + 2048


class LocalPages:
    """This process's copies of cache entries: a dict bounded in bytes, least recently used out.

    An entry is served only while its version is the current one; a stale one is dropped when
    met. Threads of one process share it (the lock guards changes; reads are single dict
    operations).
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, dict] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, version: str) -> dict | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry["version"] != version:
            self.discard(key, entry)
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: dict) -> None:
        limit = getattr(settings, "INSYN_PUBLIC_CACHE_LOCAL_BYTES", 0)
        size = _entry_size(entry)
        if size > limit:
            return
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._bytes -= old["_size"]
            entry["_size"] = size
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > limit and self._entries:
                _key, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted["_size"]

    def discard(self, key: tuple, entry: dict) -> None:
        with self._lock:
            if self._entries.get(key) is entry:
                del self._entries[key]
                self._bytes -= entry["_size"]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


local_pages = LocalPages()


def _encoding(request: HttpRequest, entry: dict) -> str:
    if "gzip" not in entry:
        return "identity"
    header = request.headers.get("accept-encoding", "")
    if not header:
        return "identity"
    accepted = {
        part.split(";")[0].strip().lower()
        for part in header.split(",")
        if part.strip() and not part.replace(" ", "").endswith(";q=0")
    }
    if "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return "identity"


def _not_modified(request: HttpRequest, entry: dict, last_modified: float) -> bool:
    if inm := request.headers.get("if-none-match"):
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or entry["etag"].removeprefix("W/") in tags
    if ims := request.headers.get("if-modified-since"):
        try:
            return int(last_modified) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _headers(entry: dict, encoding: str, hit: bool) -> ResponseHeaders:
    """The headers of an answer from `entry`: built and checked once per entry and encoding."""
    templates = entry.setdefault("_headers", {})
    found = templates.get((encoding, hit))
    if found is None:
        if "_last_modified" not in entry:
            entry["_last_modified"] = version_time(entry["version"])
        found = ResponseHeaders({})
        if encoding != "304":
            for name, value in entry["headers"]:
                found[name] = value
        found["ETag"] = entry["etag"]
        found["Last-Modified"] = formatdate(entry["_last_modified"], usegmt=True)
        found["Cache-Control"] = (
            f"public, max-age=0, s-maxage={settings.INSYN_PUBLIC_CACHE_S_MAXAGE}, must-revalidate"
        )
        found["Vary"] = VARY
        found["X-Insyn-Cache"] = "hit" if hit else "miss"
        if encoding not in ("identity", "304"):
            found["Content-Encoding"] = encoding
        templates[(encoding, hit)] = found
    return found


def _respond(response: HttpResponse, headers: ResponseHeaders) -> HttpResponse:
    # The template's entries were checked when it was built (ResponseHeaders validates every
    # name and value); copying them is what makes a hit cheap.
    response.headers._store.update(headers._store)
    return response


def serve_entry(request: HttpRequest, entry: dict, *, hit: bool) -> HttpResponse:
    if "_last_modified" not in entry:
        entry["_last_modified"] = version_time(entry["version"])
    if _not_modified(request, entry, entry["_last_modified"]):
        return _respond(HttpResponseNotModified(), _headers(entry, "304", hit))
    encoding = _encoding(request, entry)
    if encoding != "identity":
        body = entry[encoding]
    elif "identity" in entry:
        body = entry["identity"]
    else:  # a client that takes no compression (rare): decompressed once, kept in this process
        body = entry["_plain"] = entry.get("_plain") or gzip.decompress(entry["gzip"])
    response = _respond(
        HttpResponse(b"" if request.method == "HEAD" else body), _headers(entry, encoding, hit)
    )
    response["Content-Length"] = str(len(body))
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _eligible(request):
            return self.get_response(request)
        try:
            key = local_key(request, chosen_language(request))
        except DisallowedHost:
            return self.get_response(request)  # Django answers it (400), never from the cache
        version = publication_version()
        entry = local_pages.get(key, version)
        if entry is not None:
            return serve_entry(request, entry, hit=True)
        entry = cache.get(shared_key(key))
        if entry is not None and entry["version"] == version:
            local_pages.put(key, entry)
            return serve_entry(request, entry, hit=True)
        response = self.get_response(request)
        if not _storable(response):
            return response
        entry = make_entry(response, version)
        cache.set(shared_key(key), entry, timeout=settings.INSYN_PUBLIC_CACHE_SECONDS)
        local_pages.put(key, entry)
        return serve_entry(request, entry, hit=False)
