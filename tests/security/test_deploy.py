"""Production settings: `insyn check --deploy` is clean, run as a subprocess with the environment a
municipality sets (DEBUG=false, HTTPS=true, a long random SECRET_KEY, ALLOWED_HOSTS), and in that
mode cookies are Secure and HttpOnly, plain HTTP is redirected and HSTS is sent.

The settings are read from a real `insyn` process started with that environment (not assumed);
the cookie behaviour is then checked in this process with exactly those values."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "insyn.example.se",
}
# Variables of this test run that must not leak into the production-like process.
_OURS = {
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "INSYN_TESTING",
    "INSYN_DATA_DIR",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "REDIS_URL",
    "DEBUG",
    "HTTPS",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "BEHIND_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
SECURITY_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER",
    "RATELIMIT_IP_META_KEY",
]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    env.update(PRODUCTION)
    env.update(
        {
            "INSYN_DATA_DIR": str(tmp_path),
            "INSYN_TESTING": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    env.update(extra)
    return env


def insyn(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "insyn", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=300,
        env=production_env(tmp_path, **extra),
        check=False,
    )


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory) -> dict:
    """The security settings as a production process computes them from its environment."""
    return read_settings(tmp_path_factory.mktemp("production"))


def read_settings(tmp: Path, **extra: str) -> dict:
    code = (
        "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_SETTINGS!r}}},"
        " default=lambda v: getattr(v, '__qualname__', repr(v))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
        env={**production_env(tmp, **extra), "DJANGO_SETTINGS_MODULE": "insyn.settings"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = insyn(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_would_notice_a_weak_secret_key(tmp_path):
    """The clean result above means something: a short key is reported."""
    result = insyn(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="kort-nyckel"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_settings_are_strict(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["LANGUAGE_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_REFERRER_POLICY"] in (
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    )
    assert s["ALLOWED_HOSTS"] == ["insyn.example.se"]
    assert s["SECURE_PROXY_SSL_HEADER"] is None, "the forwarded header is trusted only when asked"
    assert s["RATELIMIT_IP_META_KEY"] is None, "REMOTE_ADDR is the client without a proxy"


def test_behind_a_proxy_the_forwarded_headers_are_trusted(tmp_path):
    """BEHIND_PROXY=true: HTTPS is recognised from X-Forwarded-Proto, and rate limits count the
    client address the proxy forwards (see test_rate_limits.py for how it is read)."""
    s = read_settings(tmp_path, BEHIND_PROXY="true")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["RATELIMIT_IP_META_KEY"] == "rate_limit_client_ip"


def _in_process(production_settings: dict) -> dict:
    keys = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ]
    values = {k: production_settings[k] for k in keys}
    values["ALLOWED_HOSTS"] = ["insyn.example.se", "testserver"]
    values["LANGUAGE_COOKIE_SECURE"] = production_settings["LANGUAGE_COOKIE_SECURE"]
    return values


@pytest.mark.django_db
def test_cookies_are_secure_and_http_is_redirected_in_production_mode(production_settings):
    UserFactory(username="handlaggare")
    with override_settings(**_in_process(production_settings)):
        client = Client(headers={"host": "insyn.example.se"})
        plain = client.get("/om/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://insyn.example.se/om/"

        page = client.get("/konto/logga-in/", secure=True)
        assert page.status_code == 200
        assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"] is True and csrf["samesite"] in ("Lax", "Strict")

        signed_in = client.post(
            "/konto/logga-in/",
            {
                "username": "handlaggare",
                "password": "lösenord-för-test",
                "csrfmiddlewaretoken": csrf.value,
            },
            secure=True,
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies["sessionid"]
        assert session["secure"] is True
        assert session["httponly"] is True
        assert session["samesite"] in ("Lax", "Strict")

        language = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
        assert language.cookies["django_language"]["secure"] is True
