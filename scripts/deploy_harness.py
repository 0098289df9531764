"""The Python half of `make test-deploy` (scripts/test-deploy): standard library only.

It plays systemd (each app process gets its listening socket passed as fd 3 with LISTEN_FDS,
exactly as insyn@.socket does, and keeps it while the process restarts), runs nginx with
deploy/nginx/insyn.conf, signs in, submits a fault report, restarts both app processes one
after the other under steady GET and POST traffic and counts every failed request, then
compares the pages of the live site with those of a restored copy.

Run by scripts/test-deploy; not a pytest module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

WORK = Path(os.environ["DEPLOY_WORK"])
PREFIX = WORK / "srv"
INSYN = str(PREFIX / "bin" / "insyn")
SRC = Path(__file__).resolve().parent.parent
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def log(message: str) -> None:
    print(f"test-deploy: {message}", flush=True)


def fail(message: str) -> None:
    log(f"FAILED: {message}")
    raise SystemExit(1)


# --- the systemd stand-in: sockets held here, processes restarted on them ----------------------


class App:
    """One `insyn@PORT` instance: a socket that outlives the process behind it."""

    def __init__(self, name: str, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        fd = self.sock.fileno()
        logfile = open(WORK / f"{self.name}.log", "ab")  # noqa: SIM115
        # As systemd does: the socket as fd 3, LISTEN_PID the pid of the process that execs.
        self.proc = subprocess.Popen(
            [
                "bash",
                "-c",
                (f"exec 3<&{fd} {fd}<&-; " if fd != 3 else "")
                + 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" "$@"',
                INSYN,
                "serve",
                "--no-collectstatic",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            pass_fds=(fd,),
            stdout=logfile,
            stderr=logfile,
            env={**os.environ, **self.env},
        )

    def stop(self) -> None:
        """systemctl stop: SIGTERM, then wait (TimeoutStopSec=40)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail(f"{self.name} did not stop within 40 s")

    def restart(self) -> None:
        self.stop()
        self.start()


# --- HTTP ------------------------------------------------------------------------------------


class Client:
    """A browser-like client with its own cookies, through nginx (HTTPS) or straight to an app."""

    def __init__(self, port: int, *, tls: bool = True, source: str = "127.0.0.1") -> None:
        self.port, self.tls, self.source = port, tls, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 90):
        cls = http.client.HTTPSConnection if self.tls else http.client.HTTPConnection
        kwargs = {"context": TLS} if self.tls else {}
        conn = cls(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0), **kwargs
        )
        headers = {"Host": "localhost", "User-Agent": "insyn-test-deploy"}
        if not self.tls:  # straight to an app process: say what the proxy would
            headers["X-Forwarded-Proto"] = "https"
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://localhost:{self.port}{path}"
            headers["Origin"] = f"https://localhost:{self.port}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, content.decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        status, _, html = self.request("GET", path)
        if status != 200:
            fail(f"GET {path} answered {status}")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            fail(f"no CSRF token on {path}")
        return match.group(1)


def wait_ready(port: int, tls: bool, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            status, _, body = Client(port, tls=tls).request("GET", "/health/ready/", timeout=10)
            if status == 200:
                return
            last = f"{status} {body[:200]}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.5)
    fail(f"{what} not ready after {timeout:.0f} s (last answer: {last})")


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def sign_in(port: int, username: str, password: str) -> Client:
    """The first administrator signs in and sets up the second factor, as a person would."""
    client = Client(port)
    token = client.csrf("/konto/logga-in/")
    status, headers, _ = client.request(
        "POST",
        "/konto/logga-in/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
    )
    if status != 302:
        fail(f"sign-in answered {status}, not a redirect")
    setup = headers["Location"]
    for _ in range(5):  # the page asked for, then on to the authenticator set-up
        status, headers, html = client.request("GET", setup)
        if status not in (301, 302):
            break
        setup = headers["Location"]
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    if status != 200 or not secret:
        fail(f"no TOTP set-up page after signing in ({status} at {setup})")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, headers, _ = client.request(
        "POST", setup, {"csrfmiddlewaretoken": token, "token": totp(secret.group(1))}
    )
    if status != 302:
        fail(f"TOTP set-up answered {status}")
    status, _, html = client.request("GET", "/personal/uppfoljning/")
    if status != 200:
        fail(f"/personal/uppfoljning/ answered {status} to the signed-in administrator")
    log("signed in through the proxy (password + TOTP set-up), /personal/uppfoljning/ answers 200")
    return client


def submit_fault(client: Client, category: str, text: str) -> int:
    # Step 1 is a GET form (category and place); step 2, on the same URL, is the report.
    token = client.csrf(f"/synpunkter/felanmalan/?category={category}&address_text=Stora+torget")
    status, headers, _ = client.request(
        "POST",
        "/synpunkter/felanmalan/skicka/",
        {
            "csrfmiddlewaretoken": token,
            "category": category,
            "address_text": "Stora torget",
            "description": text,
        },
    )
    if status == 302 and headers["Location"].endswith("/synpunkter/kvitto/"):
        return status
    return status or -1


# --- traffic during the rolling restart ---------------------------------------------------------


class Traffic:
    GET_PATHS = ("/", "/synpunkter/", "/synpunkter/felanmalningar/", "/health/ready/")

    def __init__(self, port: int, category: str) -> None:
        self.port, self.category = port, category
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = {"GET": 0, "POST": 0}
        self.failures: list[str] = []
        self.address = 0

    def _record(self, method: str, ok: bool, what: str) -> None:
        with self.lock:
            if ok:
                self.ok[method] += 1
            else:
                self.failures.append(what)

    def _next_source(self) -> str:
        # Every POST from another loopback address: the rate limit per resident (20 reports an
        # hour per address) is not what this test is about.
        with self.lock:
            self.address += 1
            n = self.address
        return f"127.1.{n // 250 % 250}.{n % 250 + 1}"

    def getter(self, offset: int) -> None:
        client = Client(self.port)
        n = offset
        while not self.stop.is_set():
            path = self.GET_PATHS[n % len(self.GET_PATHS)]
            n += 1
            try:
                status, _, _ = client.request("GET", path)
                self._record("GET", status == 200, f"GET {path} {status}")
            except OSError as exc:
                self._record("GET", False, f"GET {path} {exc!r}")
            time.sleep(0.05)

    def poster(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            client = Client(self.port, source=self._next_source())
            try:
                status = submit_fault(client, self.category, f"Trasig lampa nummer {n}.")
                self._record("POST", status == 302, f"POST fault report {status}")
            except (OSError, SystemExit) as exc:
                self._record("POST", False, f"POST fault report {exc!r}")
            time.sleep(0.1)

    def run(self, during) -> None:
        threads = [threading.Thread(target=self.getter, args=(i,)) for i in range(3)]
        threads += [threading.Thread(target=self.poster) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            during()
            time.sleep(2)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()


# --- pages to compare between the live site and the restored copy --------------------------------


def normalise(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


def pages(client: Client, paths: list[str]) -> dict[str, str]:
    result = {}
    for path in paths:
        status, _, html = client.request("GET", path)
        if status != 200:
            fail(f"GET {path} answered {status}")
        result[path] = normalise(html)
    return result


def insyn(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [INSYN, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        fail(f"insyn {' '.join(args)}: {result.stderr.strip()[-2000:]}")
    return result.stdout


def main() -> None:
    started = time.monotonic()
    config = json.loads((WORK / "config.json").read_text())
    app1, app2 = App("insyn@1"), App("insyn@2")
    for app in (app1, app2):
        app.start()

    nginx_conf = (SRC / "deploy" / "nginx" / "insyn.conf").read_text()
    nginx_conf = (
        nginx_conf.replace("127.0.0.1:8001", f"127.0.0.1:{app1.port}")
        .replace("127.0.0.1:8002", f"127.0.0.1:{app2.port}")
        .replace("listen 80;", f"listen 127.0.0.1:{config['http_port']};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{config['https_port']} ssl http2;")
        .replace("/etc/ssl/insyn/", f"{WORK}/tls/")
        .replace("insyn.example.se", "localhost")
    )
    nginx_conf = "\n".join(line for line in nginx_conf.splitlines() if "[::]" not in line)
    (WORK / "nginx" / "conf.d").mkdir(parents=True, exist_ok=True)
    (WORK / "nginx" / "conf.d" / "insyn.conf").write_text(nginx_conf)
    main_conf = WORK / "nginx" / "nginx.conf"
    main_conf.write_text(
        f"""user root;
worker_processes 1;
pid {WORK}/nginx/nginx.pid;
error_log {WORK}/nginx/error.log;
events {{ worker_connections 512; }}
http {{
    access_log {WORK}/nginx/access.log;
    client_body_temp_path {WORK}/nginx/body;
    proxy_temp_path {WORK}/nginx/proxy;
    fastcgi_temp_path {WORK}/nginx/fastcgi;
    uwsgi_temp_path {WORK}/nginx/uwsgi;
    scgi_temp_path {WORK}/nginx/scgi;
    include {WORK}/nginx/conf.d/insyn.conf;
}}
"""
    )
    check = subprocess.run(["nginx", "-t", "-c", str(main_conf)], capture_output=True, text=True)
    if check.returncode != 0:
        fail(f"nginx -t refused deploy/nginx/insyn.conf:\n{check.stderr}")
    log("nginx -t accepts deploy/nginx/insyn.conf")
    nginx = subprocess.Popen(["nginx", "-c", str(main_conf), "-g", "daemon off;"])
    try:
        https = config["https_port"]
        wait_ready(app1.port, False, "insyn@1")
        wait_ready(app2.port, False, "insyn@2")
        wait_ready(https, True, "nginx")
        for path in ("/health/", "/health/ready/"):
            status, _, body = Client(config["http_port"], tls=False).request("GET", path)
            if status != 200:
                fail(f"plain-HTTP {path} through nginx answered {status}: {body[:200]}")
        log(
            f"two app processes behind nginx, /health/ and /health/ready/ 200 on plain HTTP ({time.monotonic() - started:.0f} s)"
        )

        sign_in(https, config["admin_user"], config["admin_password"])
        resident = Client(https, source="127.2.0.1")
        if submit_fault(resident, config["category"], "Gatlampan är trasig.") != 302:
            fail("the fault report was not accepted")
        status, _, _ = resident.request("GET", "/synpunkter/kvitto/")
        if status != 200:
            fail(f"the receipt page answered {status}")
        log("a resident submitted a fault report through the proxy")

        cases_before = int(insyn("shell", "-c", config["count_cases"]).strip().splitlines()[-1])
        traffic = Traffic(https, config["category"])

        def rolling_restart() -> None:
            for app in (app1, app2):
                t0 = time.monotonic()
                app.restart()
                wait_ready(app.port, False, app.name)
                log(f"restarted {app.name} in {time.monotonic() - t0:.1f} s")

        traffic.run(rolling_restart)
        cases_after = int(insyn("shell", "-c", config["count_cases"]).strip().splitlines()[-1])
        log(
            f"rolling restart under traffic: {traffic.ok['GET']} GETs and {traffic.ok['POST']} "
            f"POSTs answered, {len(traffic.failures)} failed"
        )
        if traffic.failures:
            fail(
                "requests failed during the rolling restart:\n  "
                + "\n  ".join(traffic.failures[:20])
            )
        if traffic.ok["POST"] < 5 or traffic.ok["GET"] < 20:
            fail("too little traffic to prove anything")
        if cases_after - cases_before != traffic.ok["POST"]:
            fail(
                f"{traffic.ok['POST']} fault reports answered but {cases_after - cases_before} "
                "stored: a POST was lost or sent twice"
            )
        log(f"every POST stored exactly once ({cases_after - cases_before} new fault reports)")

        # Public pages only: a new fault report is not public before staff have looked at it.
        compare = config["compare_paths"]
        visitor = Client(https, source="127.3.0.1")
        live = pages(visitor, compare)

        # Backup while the site runs, restore into a fresh database and media directory.
        archive = WORK / "backup.tar.gz"
        insyn("backup", "--output", str(archive))
        restored_env = {
            "DATABASE_URL": config["restore_database_url"],
            "INSYN_DATA_DIR": str(WORK / "restored-data"),
            "MEDIA_ROOT": str(WORK / "restored-media"),
        }
        sentinel = config["redis_sentinel"]
        insyn("restore", str(archive), env=restored_env)
        log("backup taken while serving, restored into a fresh database")
        if (
            config["check_sentinel"]
            and subprocess.run(
                ["redis-cli", "-u", config["redis_url"], "GET", sentinel],
                capture_output=True,
                text=True,
            ).stdout.strip()
            != "still-here"
        ):
            fail("the restore touched a Redis key that is not its own")
        insyn("collectstatic", "--noinput", "--verbosity", "0", env=restored_env)
        app3 = App("insyn-restored", env=restored_env)
        app3.start()
        try:
            wait_ready(app3.port, False, "the restored instance")
            restored = pages(Client(app3.port, tls=False), compare)
        finally:
            app3.stop()
        live_again = pages(visitor, compare)
        differ = [p for p in compare if restored[p] != live_again[p] and restored[p] != live[p]]
        if differ:
            for path in differ[:3]:
                import difflib

                diff = difflib.unified_diff(
                    live_again[path].splitlines(), restored[path].splitlines(), lineterm="", n=1
                )
                log(f"{path} differs:\n" + "\n".join(list(diff)[:30]))
            fail(f"{len(differ)} of {len(compare)} pages differ after the restore")
        log(f"{len(compare)} pages of the restored copy are identical to the live site's")
    finally:
        nginx.send_signal(signal.SIGQUIT)
        for app in (app1, app2):
            if app.proc and app.proc.poll() is None:
                app.stop()
        try:
            nginx.wait(timeout=20)
        except subprocess.TimeoutExpired:
            nginx.kill()
    log(f"OK in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
