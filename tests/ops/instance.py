"""Whole Insyn instances for operations tests and benchmarks: a data directory, a database of its
own (SQLite in the data directory, or a new PostgreSQL database), the `insyn` command run as a
subprocess against it, and `insyn serve` started on a free port.

    with Instance.new(tmp_path / "a") as site:
        site.migrate()
        with site.serve(workers=2) as base_url:
            ...

The backend follows DATABASE_URL of the test run: when it names PostgreSQL, each instance gets
a database of its own on that server (created from a migrated template when one is given, and
dropped afterwards); otherwise each instance uses SQLite in its data directory.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "insyn-ops-test-" + "k" * 60
# Variables of the surrounding test run that must not leak into an instance.
_OWN_ENV = {
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
    # set by the browser tests' conftest for Playwright; `check --deploy` rejects it
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_server_url() -> str | None:
    """The PostgreSQL server of this test run (DATABASE_URL), or None for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def admin_connection(server_url: str):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(server_url)
    return psycopg.connect(
        dbname="postgres",
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        autocommit=True,
    )


def _with_database(server_url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def create_postgres_database(server_url: str, name: str, template: str | None = None) -> str:
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return _with_database(server_url, name)


def drop_postgres_database(server_url: str, name: str) -> None:
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Instance:
    data_dir: Path
    database_url: str | None = None  # None: SQLite file in data_dir
    static_root: Path | None = None  # shared between instances: collectstatic runs once
    extra_env: dict[str, str] = field(default_factory=dict)
    _pg_name: str | None = None
    _pg_server: str | None = None

    # -- life cycle ------------------------------------------------------------------------
    @classmethod
    def new(
        cls,
        data_dir: Path,
        *,
        template: Instance | None = None,
        static_root: Path | None = None,
        database: str = "auto",
        **extra_env: str,
    ) -> Instance:
        """A fresh instance: empty database, or a copy of `template`'s (e.g. just migrated).

        database: "auto" (PostgreSQL if this test run uses it, else SQLite), "sqlite", or the
        URL of a PostgreSQL server to create the instance's database on.
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        server = (
            postgres_server_url()
            if database == "auto"
            else (None if database == "sqlite" else database)
        )
        instance = cls(data_dir=data_dir, static_root=static_root, extra_env=dict(extra_env))
        instance._pg_server = server
        if server:
            name = f"insyn_ops_{uuid.uuid4().hex[:12]}"
            instance._pg_name = name
            instance.database_url = create_postgres_database(
                server, name, template._pg_name if template else None
            )
        elif template is not None:
            shutil.copy2(template.sqlite_path, instance.sqlite_path)
        return instance

    def close(self) -> None:
        if self._pg_server and self._pg_name:
            drop_postgres_database(self._pg_server, self._pg_name)
            self._pg_name = None

    def __enter__(self) -> Instance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "insyn.sqlite3"

    @property
    def media_root(self) -> Path:
        return self.data_dir / "media"

    # -- running commands ------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests in this process; a real
        # instance must run without it (check --deploy refuses it).
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _OWN_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        }
        env.update(
            {
                "INSYN_DATA_DIR": str(self.data_dir),
                "INSYN_TESTING": "false",
                "DEBUG": "false",
                "SECRET_KEY": SECRET_KEY,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
                ),
            }
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.static_root:
            env["STATIC_ROOT"] = str(self.static_root)
        env.update(self.extra_env)
        return env

    def insyn(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 600,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "insyn", *args],
            env={**self.env(), **(env or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"insyn {' '.join(args)} exited {result.returncode}:\n{result.stdout[-3000:]}\n"
                f"{result.stderr[-3000:]}"
            )
        return result

    def python(self, code: str, *, timeout: float = 600) -> Any:
        """Run `code` with Django set up for this instance; returns what it stores in RESULT
        (JSON-serialisable)."""
        script = (
            "import django, json, os\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'insyn.settings')\n"
            "django.setup()\n"
            "RESULT = None\n"
            f"{code}\n"
            "print('@@RESULT@@' + json.dumps(RESULT, default=str))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"script failed ({result.returncode}):\n{result.stderr[-4000:]}")
        marker = result.stdout.rsplit("@@RESULT@@", 1)[-1]
        return json.loads(marker)

    def migrate(self) -> None:
        self.insyn("migrate", "--noinput")

    # -- serving ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def serve(
        self,
        *,
        workers: int = 1,
        threads: int = 2,
        port: int | None = None,
        startup_timeout: float = 120,
        stop_signal: int = signal.SIGTERM,
    ) -> Iterator[str]:
        """`insyn serve` on a free loopback port; yields its base URL, stops it afterwards."""
        port = port or free_port()
        log_path = self.data_dir / f"serve-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "insyn",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
                env={**self.env(), "LOG_LEVEL": "INFO"},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self.last_server = process
        self.last_log = log_path
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, process, log_path, startup_timeout)
            yield base
        finally:
            stop(process, stop_signal)


def wait_until_healthy(
    base: str, process: subprocess.Popen, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _, _ = get(base, "/health/", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process, signal.SIGKILL)
            raise AssertionError(
                "insyn serve did not start:\n" + log_path.read_text(errors="replace")[-4000:]
            )
        time.sleep(0.25)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def get(
    base: str, path: str, *, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    """One GET over a new connection: (status, headers with lower-case names, body)."""
    host_port = base.removeprefix("http://")
    conn = http.client.HTTPConnection(host_port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()
