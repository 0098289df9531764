"""A real OpenID Provider for the single sign-on tests: tests/oidc/provider.mjs (the certified
oidc-provider package from the npm registry, pinned by package-lock.json), installed by
scripts/oidc-provider into a cache directory and started with Node on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class OpenIDProvider:
    issuer: str

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def openid_provider(live_server) -> Iterator[OpenIDProvider]:
    """The provider, its clients' redirect URIs pointing at this test's live server."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the single sign-on tests run a real OpenID Provider")
    directory = subprocess.run(
        [str(ROOT / "scripts" / "oidc-provider"), "install"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout.strip()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "INSYN_URL": live_server.url}
    # Output to a file, never a pipe nobody reads (a full pipe would stall the provider).
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            ["node", "provider.mjs"],
            cwd=directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_until_ready(issuer, process, log)
            yield OpenIDProvider(issuer)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(issuer: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the OpenID Provider did not start:\n{log.read()}")
            time.sleep(0.2)
