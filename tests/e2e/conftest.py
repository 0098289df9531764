"""End-to-end fixtures: a real `insyn serve` with the Uppsala demo, in its own data directory.

These tests are marked `e2e`; `make test` leaves them out and `make test-e2e` (run by .ci/run)
runs them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import browser, browser_context, page  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def insyn(*args: str, env: dict[str, str], timeout: int = 600) -> None:
    subprocess.run(
        [sys.executable, "-m", "insyn", *args],
        env=env,
        check=True,
        cwd=ROOT,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`insyn serve` with two workers on a migrated SQLite database holding the demo."""
    data_dir = tmp_path_factory.mktemp("insyn-e2e")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "INSYN_DATA_DIR": str(data_dir),
            "INSYN_TESTING": "false",
            "DEBUG": "false",
            "SECRET_KEY": "e2e-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    insyn("migrate", "--noinput", env=env)
    insyn("load_demo", env=env)
    port = free_port()
    # The server's JSON log goes to a file: an unread pipe would fill up and stall the server.
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(
        [sys.executable, "-m", "insyn", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.close()
            raise RuntimeError(
                "insyn serve did not start: "
                + (data_dir / "serve.log").read_text(errors="replace")[-3000:]
            )
        time.sleep(0.3)
    try:
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
