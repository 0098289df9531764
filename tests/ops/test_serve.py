"""`insyn serve` as a resident's browser meets it: a real gunicorn on a free port, a migrated
SQLite database in a temporary data directory, static files with hashed names and far-future
immutable caching, JSON access logs, and a clean stop on SIGTERM and on SIGINT."""

from __future__ import annotations

import json
import re
import signal
import time

from tests.ops.instance import get


def test_serve_answers_health_pages_and_hashed_static_files(new_instance, template, static_root):
    site = new_instance("site", template=template)
    with site.serve(workers=2) as base:
        status, headers, body = get(base, "/health/")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": site.vendor}
        assert "no-cache" in headers["cache-control"]
        assert "server" not in headers, "the Server header named gunicorn (issue 12 finding 7)"

        status, headers, body = get(base, "/")
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        page = body.decode()

        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        hashed = manifest["insyn/site.css"]
        assert re.fullmatch(r"insyn/site\.[0-9a-f]{12}\.css", hashed)
        assert f'href="/static/{hashed}"' in page, "pages must link the hashed file name"

        status, headers, css = get(base, f"/static/{hashed}")
        assert status == 200
        assert headers["content-type"].startswith("text/css")
        cache_control = headers["cache-control"]
        assert "immutable" in cache_control
        assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= 365 * 24 * 3600
        assert css == (static_root / hashed).read_bytes()

        status, headers, compressed = get(
            base, f"/static/{hashed}", headers={"Accept-Encoding": "br, gzip"}
        )
        assert status == 200
        assert headers.get("content-encoding") in {"br", "gzip"}
        assert len(compressed) < len(css)

        status, _, _ = get(base, "/static/insyn/finns-inte.css")
        assert status == 404

    assert site.last_server.returncode == 0, "SIGTERM must stop the server cleanly"
    lines = site.last_log.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    access = [e for e in entries if e.get("event") == "access"]
    assert {"method": "GET", "path": "/health/", "status_code": 200}.items() <= access[0].items()
    assert all(isinstance(e["duration_ms"], float | int) for e in access)
    assert any(e["message"] == "Shutting down: Master" for e in entries)


def test_serve_stops_gracefully_on_sigint(new_instance, template):
    site = new_instance("site", template=template)
    with site.serve(workers=1, stop_signal=signal.SIGINT) as base:
        assert get(base, "/health/")[0] == 200
    assert site.last_server.returncode == 0
    messages = [json.loads(line)["message"] for line in site.last_log.read_text().splitlines()]
    assert "Handling signal: int" in messages
    assert any(m.startswith("Worker exiting") for m in messages)


def test_a_change_made_by_another_process_reaches_every_server_process_at_once(
    new_instance, template
):
    """The embedded default (no Redis): `insyn serve --workers 2` keeps public pages in each
    worker's memory and in the database cache; a change saved by another process (here a
    script, as a management command would) must show in the very next answer of every worker."""
    site = new_instance("site", template=template)
    create = (
        "from insyn.organisations.models import Organisation\n"
        "Organisation.objects.create(name='Gamla nämnden', slug='gamla', kind='board')\n"
    )
    site.python(create)
    with site.serve(workers=2, threads=2) as base:
        # Ask until both workers have answered (and so keep the page): on a busy machine one
        # worker may take every connection for a while, or still be starting.
        answers = _until_both_workers_answered(site, base, "/organisationer/")
        assert all(
            status == 200 and "Gamla nämnden" in body.decode() for status, _, body in answers
        )
        assert {h.get("x-insyn-cache") for _, h, _ in answers} == {"hit", "miss"}
        seen = _log_length(site)
        site.python(
            "from insyn.organisations.models import Organisation\n"
            "o = Organisation.objects.get(slug='gamla'); o.name = 'Nya nämnden'; o.save()\n"
        )
        for status, _, body in _until_both_workers_answered(
            site, base, "/organisationer/", since=seen
        ):
            assert status == 200
            assert "Nya nämnden" in body.decode() and "Gamla nämnden" not in body.decode()


def test_the_server_processes_share_the_connections_a_client_opens_at_once(new_instance, template):
    """Eight keep-alive connections opened at once (a load test, a browser): each of the two
    processes holds some of them (insyn.core.serving), not one process all eight while the
    other idles. Generous wait on a busy machine: INSYN_SERVE_FAIR_WAIT."""
    import select
    import socket

    site = new_instance("site", template=template)
    site.extra_env["INSYN_SERVE_FAIR_WAIT"] = "1.0"
    with site.serve(workers=2, threads=4) as base:
        _until_both_workers_answered(site, base, "/health/", least=1)  # both are up
        seen = _log_length(site)
        host, port = base.removeprefix("http://").rsplit(":", 1)
        # All at once, as wrk opens them: eight non-blocking connects, then wait for each.
        clients = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(8)]
        for client in clients:
            client.setblocking(False)
            client.connect_ex((host, int(port)))
        try:
            for client in clients:
                select.select([], [client], [], 30)
                client.setblocking(True)
                client.settimeout(30)
            for client in clients:
                client.sendall(b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            for client in clients:
                assert client.recv(65536).startswith(b"HTTP/1.1 200")
        finally:
            for client in clients:
                client.close()
        deadline = time.monotonic() + 30
        while len(pids := _access_pids(site, seen)) < 8:
            assert time.monotonic() < deadline, pids
            time.sleep(0.1)
    counts = sorted(pids.count(pid) for pid in set(pids))
    assert len(counts) == 2 and counts[0] >= 3, counts


def _access_pids(site, since: int) -> list[int]:
    lines = site.last_log.read_text().splitlines()[since:]
    entries = [json.loads(line) for line in lines if line.strip().startswith("{")]
    return [e["pid"] for e in entries if e.get("event") == "access" and "pid" in e]


def _until_both_workers_answered(site, base, path, *, since=0, least=12, seconds=60):
    answers = []
    deadline = time.monotonic() + seconds
    while len(answers) < least or len(_worker_pids(site, since)) < 2:
        assert time.monotonic() < deadline, "both workers must answer (new connections)"
        answers.append(get(base, path))
    return answers


def _log_length(site) -> int:
    return len(site.last_log.read_text().splitlines())


def _worker_pids(site, since: int = 0) -> set[int]:
    lines = site.last_log.read_text().splitlines()[since:]
    entries = [json.loads(line) for line in lines if line.strip().startswith("{")]
    return {e["pid"] for e in entries if e.get("event") == "access" and "pid" in e}
