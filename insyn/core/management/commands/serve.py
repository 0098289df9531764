"""`insyn serve`: the production web server (gunicorn, run from this process).

It first collects static files into STATIC_ROOT (hashed, compressed names that WhiteNoise serves
with a far-future `Cache-Control: immutable`), then starts gunicorn's arbiter with N worker
processes of the `gthread` class (a few threads each, HTTP keep-alive), which take turns at new
connections (insyn.core.serving). Configuration comes from
the environment through insyn.settings (DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG...);
the options here only say where to listen and how many processes to run.

Logs: one JSON object a line on stderr, for requests (`"event": "access"`) and for the server
itself. SIGTERM and SIGINT both stop gracefully: workers finish the requests they have (up to
--graceful-timeout seconds) before the process exits.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from insyn.core import serving
from insyn.core.logging import JsonFormatter


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise CommandError(f"{name} måste vara ett heltal, inte {raw!r}") from exc


def _static_fingerprint() -> str:
    """A hash of every source static file's path, size and modification time."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """collectstatic into STATIC_ROOT, skipped when no source file changed since the last run.

    Compressing every file (gzip and Brotli) takes seconds; a restart should not wait for it.
    Several processes starting at once take turns (an exclusive lock on STATIC_ROOT): the first
    collects, the others find the marker up to date. Production collects once at install or
    upgrade (`insyn collectstatic`, scripts/install) and starts with --no-collectstatic.
    """
    import fcntl

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    marker = root / ".insyn-collected"
    with open(root / ".insyn-collect.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = _static_fingerprint()
        if marker.exists() and marker.read_text() == fingerprint:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(fingerprint)


class AccessJsonFormatter(JsonFormatter):
    """JsonFormatter plus the request fields an access line carries."""

    extra_keys = ("query", "bytes", "user_agent", "pid")

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = json.loads(super().format(record))
        for key in self.extra_keys:
            value = getattr(record, key, None)
            if value not in (None, ""):
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


def _json_logger_class() -> type:
    from gunicorn.glogging import Logger

    class JsonLogger(Logger):
        """Gunicorn's logger with every line as JSON on stderr.

        The client address is deliberately not logged (it is personal data); a proxy in front
        keeps its own log if one is needed.
        """

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in list(log.handlers):
                    log.removeHandler(handler)
            error_handler = logging.StreamHandler(sys.stderr)
            error_handler.setFormatter(JsonFormatter())
            error_handler._gunicorn = True  # type: ignore[attr-defined]
            self.error_log.addHandler(error_handler)
            access_handler = logging.StreamHandler(sys.stderr)
            access_handler.setFormatter(AccessJsonFormatter())
            access_handler._gunicorn = True  # type: ignore[attr-defined]
            self.access_log.addHandler(access_handler)

        def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
            if not self.access_log_enabled:
                return
            status = resp.status
            if isinstance(status, str):
                status = status.split(None, 1)[0]
            try:
                status_code = int(status)
            except (TypeError, ValueError):
                status_code = status
            method = environ.get("REQUEST_METHOD", "")
            path = environ.get("PATH_INFO", "")
            duration_ms = round(request_time.total_seconds() * 1000, 2)
            self.access_log.info(
                "%s %s %s",
                method,
                path,
                status_code,
                extra={
                    "event": "access",
                    "method": method,
                    "path": path,
                    "status_code": status_code,
                    "duration_ms": duration_ms,
                    "query": environ.get("QUERY_STRING", ""),
                    "bytes": getattr(resp, "sent", None),
                    "user_agent": environ.get("HTTP_USER_AGENT", "")[:200],
                    "pid": os.getpid(),
                },
            )

    return JsonLogger


def hide_server_header() -> None:
    """Gunicorn names itself in a ``Server`` header on every response, with no setting to turn
    it off; the header tells an attacker what to look up (issue 12 finding 7). Drop it in the
    arbiter, before the workers fork."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "_insyn_no_server", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    wsgi.Response.default_headers = default_headers  # type: ignore[method-assign]
    wsgi.Response._insyn_no_server = True  # type: ignore[attr-defined]


def _application_class() -> type:
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class InsynApplication(BaseApplication):
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

        def run(self) -> None:
            hide_server_header()
            arbiter = Arbiter(self)
            # Gunicorn stops at once on SIGINT; a terminal's Ctrl-C or a container runtime's
            # stop should both let the requests in progress finish, as SIGTERM does.
            arbiter.handle_int = arbiter.handle_term  # type: ignore[method-assign]
            try:
                arbiter.run()
            except RuntimeError as exc:
                sys.stderr.write(f"\nError: {exc}\n")
                sys.exit(1)

    return InsynApplication


class Command(BaseCommand):
    help = (
        "Startar produktionsservern (gunicorn) efter att ha samlat de statiska filerna. "
        "Konfigureras med miljövariabler, se docs/deployment.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=os.environ.get("HOST", "127.0.0.1"),
            help="Adress att lyssna på (standard 127.0.0.1, 0.0.0.0 för alla)",
        )
        parser.add_argument("--port", type=int, default=_env_int("PORT", 8000))
        parser.add_argument(
            "--workers",
            type=int,
            default=_env_int("WEB_CONCURRENCY", 2),
            help="Antal serverprocesser (standard 2, eller WEB_CONCURRENCY)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=_env_int("WEB_THREADS", 4),
            help="Trådar per serverprocess (standard 4)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="Sekunder innan en hängd serverprocess startas om",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=30,
            help="Sekunder som pågående förfrågningar får vid avstängning",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Hoppa över collectstatic (om det redan är gjort)",
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Logga inte varje förfrågan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers och --threads måste vara minst 1")
        if not options["no_collectstatic"]:
            collect_static()
        # Workers are forked from this process: no database connection may be shared with them.
        connections.close_all()

        bind = options["host"]
        if ":" in bind and not bind.startswith("["):
            bind = f"[{bind}]"
        config = {
            "bind": [f"{bind}:{options['port']}"],
            "workers": options["workers"],
            # gthread, the processes taking turns at new connections (insyn.core.serving).
            "worker_class": "insyn.core.serving.FairThreadWorker",
            "threads": options["threads"],
            "timeout": options["timeout"],
            "graceful_timeout": options["graceful_timeout"],
            "keepalive": 5,
            "accesslog": None if options["no_access_log"] else "-",
            "errorlog": "-",
            "loglevel": os.environ.get("LOG_LEVEL", "info").lower(),
            "logger_class": _json_logger_class(),
            "proc_name": "insyn",
            # Only a proxy on this machine may say which scheme/client a request came with.
            "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
            # Several instances on one machine must not fight over one control socket.
            "control_socket_disable": True,
        }
        logging.getLogger("insyn.serve").info(
            "starting insyn serve on %s with %d workers x %d threads (debug=%s, database=%s)",
            config["bind"][0],
            options["workers"],
            options["threads"],
            settings.DEBUG,
            settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            extra={"event": "serve_start"},
        )
        serving.prepare()  # the table the workers share, before they are forked
        _application_class()(config).run()
