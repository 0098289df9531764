"""Insyn settings: one file, configured by environment variables that fail loudly.

Embedded default: SQLite (WAL, IMMEDIATE transactions, busy timeout) in a data directory, no
set-up. Production: DATABASE_URL=postgres://..., several app processes, optional REDIS_URL.
See docs/deployment.md for every variable.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


DATA_DIR = Path(os.environ.get("INSYN_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("INSYN_TESTING", "pytest" in sys.modules)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data directory."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "insyn.core",
    "insyn.accounts",
    "insyn.organisations",
    "insyn.goals",
    "insyn.search",
    "insyn.importers",
    "insyn.indicators",
    "insyn.dialogue",
    "insyn.feedback",
    "insyn.opendata",
    "insyn.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for visitors without a session straight from the shared cache (before
    # sessions, locale, CSRF and auth): see insyn/core/public_cache.py.
    "insyn.core.public_cache.PublicPageCacheMiddleware",
    # Public HTML without the templates' indentation (insyn.core.middleware.compact_html).
    "insyn.core.middleware.CompactHtmlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Swedish unless English was chosen (cookie); the browser's Accept-Language is ignored.
    "insyn.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A bad number or date in a request (insyn.core.params) is a 400 with a Swedish message.
    "insyn.core.params.BadParameterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Administrators must pass a second factor before any /personal/ or /admin/ page.
    "insyn.accounts.middleware.AdminSecondFactorMiddleware",
    # Staff sessions: idle and absolute time limits, and no-store on everything they see.
    "insyn.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A wrong method (405) gets the error page in the site's design, like 400/403/404/500.
    "insyn.core.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "insyn.urls"
WSGI_APPLICATION = "insyn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "insyn.organisations.context_processors.site",
                "insyn.accounts.context_processors.staff",
                "insyn.organisations.context_processors.map_settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000;"
    ),
}

_default_db_url = f"sqlite:///{DATA_DIR / 'insyn.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db_url),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
_URL_ENGINE = DATABASES["default"]["ENGINE"]  # Django's, as the URL names it (cache namespace)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # Django's backend, its writers queued on a lock file, not on the busy timeout's sleeps
    # (insyn.core.sqlite).
    DATABASES["default"]["ENGINE"] = "insyn.core.sqlite"
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # PostgreSQL: parameters bound by the server and every statement a process has run
    # DB_PREPARE_THRESHOLD times prepared once per connection, so the server stops parsing and
    # planning the same statements on every request (a ballot: 1.3 → 0.7 ms of PostgreSQL CPU).
    # A connection pooler in transaction mode (PgBouncer before 1.21, or without
    # max_prepared_statements) cannot keep prepared statements: DB_PREPARE_THRESHOLD=off there.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, its health check of a kept connection without a round trip
        # (insyn.core.postgresql).
        DATABASES["default"]["ENGINE"] = "insyn.core.postgresql"
        _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
        if _prepare not in {"off", "none", "false", "no"}:
            DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
            DATABASES["default"]["OPTIONS"].setdefault(
                "prepare_threshold", env_int("DB_PREPARE_THRESHOLD", 5)
            )
DATABASES["default"]["ATOMIC_REQUESTS"] = False


# --- Cache: Redis when configured, else the database (shared by all processes) ----------------
if redis_url := os.environ.get("REDIS_URL"):
    # Keys are namespaced by the database they cache (CACHE_KEY_PREFIX overrides): a restore
    # into a fresh database, or a second instance, never reads or clears the live site's keys.
    # clear() deletes only this namespace, never the whole Redis database (insyn.core.cache).
    _db = DATABASES["default"]
    CACHES = {
        "default": {
            "BACKEND": "insyn.core.cache.NamespacedRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": os.environ.get(
                "CACHE_KEY_PREFIX",
                "insyn-"
                + hashlib.sha256(
                    f"{_URL_ENGINE}|{_db.get('HOST')}|{_db.get('PORT')}|{_db['NAME']}".encode()
                ).hexdigest()[:12],
            ),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "insyn_cache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20000)},
        },
        # Rate-limit counters shared by every process: one statement per add or increment
        # (insyn.core.cache.CounterDatabaseCache) instead of the database cache's eleven.
        "ratelimit": {"BACKEND": "insyn.core.cache.CounterDatabaseCache"},
    }
    RATELIMIT_USE_CACHE = "ratelimit"

# Whole public responses in that cache (insyn.core.public_cache), invalidated by the publication
# version (insyn.core.publication); proxies may keep a public page S_MAXAGE seconds.
INSYN_PUBLIC_CACHE = env_bool("INSYN_PUBLIC_CACHE", True)
INSYN_PUBLIC_CACHE_SECONDS = env_int("INSYN_PUBLIC_CACHE_SECONDS", 24 * 3600)
INSYN_PUBLIC_CACHE_S_MAXAGE = env_int("INSYN_PUBLIC_CACHE_S_MAXAGE", 60)
# Each server process also keeps the pages it served in its own memory (at most this many bytes),
# so a hit costs no cache round trip for the page, only the version check.
INSYN_PUBLIC_CACHE_LOCAL_BYTES = env_int("INSYN_PUBLIC_CACHE_LOCAL_BYTES", 64 * 1024 * 1024)
# The publication version: in Redis when there is one, else in this file, which every process on
# this machine reads (insyn.core.publication). Tests use the (per-process) test cache.
INSYN_PUBLICATION_VERSION_FILE = (
    None if (os.environ.get("REDIS_URL") or TESTING) else DATA_DIR / "publication-version"
)

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/konto/logga-in/"
LOGIN_REDIRECT_URL = "/personal/"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Insyn")
# OpenID Connect single sign-on (mozilla-django-oidc): on only when the OIDC_* variables are set.
# See insyn/accounts/oidc.py for how the roles claim maps to memberships.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("insyn.accounts.oidc.InsynOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
    OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_authentication_callback"
    LOGIN_REDIRECT_URL_FAILURE = "/konto/logga-in/"
OIDC_ROLES_CLAIM = os.environ.get("OIDC_ROLES_CLAIM", "roles")
# Residents' e-ID (insyn/dialogue/eid.py): the key of the hash that identifies a resident by
# personal identity number (default SECRET_KEY; set it before rotating SECRET_KEY).
DIALOGUE_EID_IDENTITY_KEY = os.environ.get("DIALOGUE_EID_IDENTITY_KEY", "")
OIDC_MAP_MEMBERSHIPS = env_bool("OIDC_MAP_MEMBERSHIPS", True)

# --- i18n: Swedish first, English available ------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 3600

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions with a plain SELECT for the read (insyn.core.sessions).
SESSION_ENGINE = "insyn.core.sessions"
# Staff sessions are short: signed out after 30 minutes without a request and 10 hours after
# signing in (insyn.accounts.middleware.StaffSessionMiddleware). Set in seconds.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", 10 * 3600)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None


def rate_limit_client_ip(request) -> str:
    """The address rate limits count (django-ratelimit's RATELIMIT_IP_META_KEY) behind a proxy.

    There REMOTE_ADDR is the proxy, so every resident would share one limit. The proxy appends
    the address it saw to X-Forwarded-For: the last entry is the client's (earlier entries are
    whatever the client sent, and are not trusted)."""
    import ipaddress

    last = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META["REMOTE_ADDR"]


if env_bool("BEHIND_PROXY"):
    RATELIMIT_IP_META_KEY = rate_limit_client_ip

HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and the proxy probe the health checks over plain HTTP from their own network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# --- Street map (insyn/feedback/static/feedback/streetmap.js, Leaflet vendored in core/static) ------
# Tile source: OpenStreetMap's standard tiles by default (fine for modest traffic under OSMF's tile
# usage policy; a municipality with real traffic uses its own or Lantmäteriet's — see
# docs/maps.md). The CSP allows exactly this URL's host for images; no {s} subdomains.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bidragsgivare',
)
MAP_MAX_ZOOM = env_int("MAP_MAX_ZOOM", 19)
# Address search: the gazetteer (insyn import-places) always; an external geocoder if set.
# Nominatim (https://nominatim.example/search) or Photon (https://photon.example/api) JSON.
GEOCODER_URL = os.environ.get("GEOCODER_URL", "")
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "3"))
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "Insyn (kommunens felanmalan)")
# Where a map opens when it has nothing to show: (lat, long, zoom). Uppsala centrum.
MAP_CENTER = (59.8586, 17.6389, 12)


def _tile_origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *filter(None, [_tile_origin(MAP_TILE_URL)])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Email --------------------------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
            "port": env_int("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 20,
        },
    }
}
if not MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Insyn <insyn@localhost>")
# Demo outbox: every e-mail is delivered to the local outbox (the OutgoingEmail table, shown at
# /personal/utgaende-epost/ and by `insyn outbox`) instead of a mail server, so one-time links,
# reminders and case updates can be followed without SMTP. On by default with DEBUG, or in the
# embedded set-up (SQLite) when no mail server is configured; production (EMAIL_HOST set, or
# PostgreSQL) sends through SMTP. MAIL_OUTBOX=true/false decides explicitly.
MAIL_OUTBOX = env_bool(
    "MAIL_OUTBOX",
    not TESTING
    and (
        DEBUG
        or (
            _URL_ENGINE == "django.db.backends.sqlite3"
            and not os.environ.get("EMAIL_HOST")
            and not os.environ.get("EMAIL_BACKEND")
        )
    ),
)

# --- Logging: structured (one JSON object a line) to stderr -----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "insyn.core.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Insyn itself -------------------------------------------------------------------------------
INSYN_MUNICIPALITY_CODE = os.environ.get("INSYN_MUNICIPALITY_CODE", "0380")

# The open-data catalogue (DCAT-AP-SE, /api/catalog, insyn.opendata.catalogue). The publisher's
# name and contact address fall back to the municipality in the organisation registry; the
# publisher URI should be the one dataportal.se knows the municipality by, e.g.
# http://dataportal.se/organisation/SE2120003005 for Uppsala kommun. The licence of the data
# (not of the catalogue, which is always CC0) is CC0 1.0 unless the municipality chooses another.
CATALOGUE_PUBLISHER_NAME = os.environ.get("CATALOGUE_PUBLISHER_NAME", "")
CATALOGUE_PUBLISHER_URI = os.environ.get("CATALOGUE_PUBLISHER_URI", "")
CATALOGUE_CONTACT_NAME = os.environ.get("CATALOGUE_CONTACT_NAME", "")
CATALOGUE_CONTACT_EMAIL = os.environ.get("CATALOGUE_CONTACT_EMAIL", "")
CATALOGUE_LICENSE = os.environ.get(
    "CATALOGUE_LICENSE", "http://creativecommons.org/publicdomain/zero/1.0/"
)

# Feedback and fault reports (insyn.feedback): personal data of cases closed longer ago than
# this is anonymised by `insyn anonymise-old-cases`; reports outside the bounds
# (min_lat,max_lat,min_long,max_long, WGS84) are refused.
FEEDBACK_RETENTION_DAYS = env_int("FEEDBACK_RETENTION_DAYS", 730)
FEEDBACK_BOUNDS = tuple(float(x) for x in env_list("FEEDBACK_BOUNDS", "59.6,60.3,17.1,18.2"))
if len(FEEDBACK_BOUNDS) != 4:
    raise ImproperlyConfigured("FEEDBACK_BOUNDS must be min_lat,max_lat,min_long,max_long")
FEEDBACK_CASE_PREFIX = os.environ.get("FEEDBACK_CASE_PREFIX", "UPP")
FEEDBACK_OPEN311_JURISDICTION = os.environ.get("FEEDBACK_OPEN311_JURISDICTION", "uppsala.se")
