"""Ballots per second with concurrent clients through `insyn serve`, and lost or duplicated
ballots (must be 0).

    .venv/bin/python bench/bench_ballots.py [--clients 64] [--ballots 30] [--workers 2]
                                            [--threads 4] [--write-docs]

Sets up a fresh data directory (SQLite in WAL mode by default; set DATABASE_URL to a PostgreSQL
database to measure that instead — it is flushed), a published dialogue with a participatory
budget in voting, one signed-in participant per client, then starts `insyn serve` and lets every
client fetch the vote page (for its CSRF token) and cast --ballots ballots in a row through the
real form, changing its choice each time. Thirty ballots per client by default (1,920 in all),
the most the ballot rate limit lets one person cast in a minute: with ten (640 in all, 1–4 s at
the rates measured) the first request of every thread and process and the connections' set-up
weighed on the figure as much as the ballots did. Afterwards it checks the database:

- duplicated: participants with more than one ballot (the UniqueConstraint forbids it);
- lost: casts the server confirmed (HTTP 302) that the ballot's version counter does not show,
  plus ballots whose final choices are not the client's last confirmed choice.

It also reports the CPU time per ballot of the server's processes and (PostgreSQL on this
machine) of the database's server processes for the benchmark's database, read from /proc over
the ballots alone: a figure that holds on a busy machine, where ballots per second does not.

With --write-docs the result replaces the text between `<!-- bench:ballots -->` markers in
docs/benchmarks.md (if that file exists).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
INSYN = Path(sys.executable).with_name("insyn")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(data_dir: Path) -> None:
    os.environ["INSYN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-ballots-not-secret-" + "x" * 30)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "insyn.settings"
    os.environ["INSYN_TESTING"] = "false"
    os.environ.pop("DEBUG", None)


def setup_data(clients: int) -> tuple[int, int, list[str], list[int], list[int]]:
    """Returns dialogue id, budget id, a session key per client, participant ids, proposal ids."""
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        call_command("flush", verbosity=0, interactive=False)
        # The flushed database numbers its participants from 1 again: a run a minute earlier
        # left their rate-limit counts in the cache (Redis), and the second run got 429s.
        from django.conf import settings
        from django.core.cache import caches

        caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].clear()
    from insyn.dialogue import services
    from insyn.dialogue.identity import SESSION_KEY
    from insyn.dialogue.models import BudgetPhase, Participant, VotingRule
    from insyn.organisations.models import Organisation, OrganisationKind

    board = Organisation.objects.create(
        name="Kommunstyrelsen", slug="kommunstyrelsen", kind=OrganisationKind.EXECUTIVE_BOARD
    )
    today = timezone.localdate()
    dialogue = services.dialogue_save(
        dialogue=None,
        by=None,
        relations={},
        fields={
            "title": "Benchmark: medborgarbudget",
            "question": "Vad ska genomföras?",
            "initiator": "elected",
            "responsible_board": board,
            "purpose": "Mäta omröstningen.",
            "ladder_steps": ["codetermination"],
            "result_use": "Inget.",
            "decision_maker": "KS",
            "target_groups": "Alla",
            "methods": ["budget"],
            "whole_municipality": True,
            "starts_on": today,
            "ends_on": today,
            "feedback_on": today,
            "earlier_dialogues_note": "Inga.",
        },
    )
    services.dialogue_record_anchoring(
        dialogue=dialogue, anchored_with="Presidiet", anchored_body="KS", anchored_on=today, by=None
    )
    services.dialogue_publish(dialogue=dialogue, by=None)
    budget = services.budget_create(
        dialogue=dialogue, title="Budget", amount=10_000, rule=VotingRule.WITHIN_BUDGET
    )
    proposals = []
    for i in range(6):
        proposal = services.proposal_submit(
            budget=budget, title=f"Förslag {i}", description="Ett förslag."
        )
        services.proposal_assess(proposal=proposal, feasible=True, cost=1000, answer="Ja.", by=None)
        proposals.append(proposal.pk)
    services.budget_set_phase(budget=budget, phase=BudgetPhase.VOTING, by=None)
    sessions, people = [], []
    now = timezone.now()
    for n in range(clients):
        person = Participant.objects.create(email=f"bench{n}@example.org", email_verified_at=now)
        store = SessionStore()
        store[SESSION_KEY] = person.pk
        store.create()
        sessions.append(store.session_key)
        people.append(person.pk)
    connection.close()
    return dialogue.pk, budget.pk, sessions, people, proposals


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(INSYN),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--no-access-log",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("insyn serve stopped:\n" + process.stderr.read().decode()[-3000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("insyn serve did not answer /health/ within 120 s")


class Client:
    """One participant: its session, the vote page's CSRF token, and what the server confirmed."""

    def __init__(self, session: str, proposals: list[int], index: int) -> None:
        self.session, self.proposals, self.index = session, proposals, index
        self.cookie = f"sessionid={session}"
        self.token = ""
        self.confirmed = 0
        self.last_choice: list[int] | None = None
        self.failures: list[str] = []
        self.latencies: list[float] = []

    def fetch_form(self, port: int, path: str) -> bool:
        """GET the vote page (before the clock starts) for its CSRF cookie and token."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Cookie": self.cookie})
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = CSRF_RE.search(html)
        if response.status != 200 or not csrf_cookie or not token:
            self.failures.append(f"GET {response.status}")
            return False
        self.cookie += f"; csrftoken={csrf_cookie[1]}"
        self.token = token[1]
        return True

    def ballot(self, n: int, port: int, path: str) -> tuple[bytes, list[int]]:
        """The n-th ballot's request (a real form POST) and its choice, which changes each time."""
        k = 1 + (self.index + n) % len(self.proposals)
        choice = self.proposals[(self.index + n) % len(self.proposals) :][:k] or self.proposals[:1]
        body = urlencode(
            [("csrfmiddlewaretoken", self.token)] + [("proposals", str(p)) for p in choice]
        ).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {self.cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body, sorted(choice)


class Connection:
    """A client's keep-alive connection to the server (non-blocking) and its ballot in flight."""

    def __init__(self, client: Client, port: int, path: str) -> None:
        self.client, self.port, self.path = client, port, path
        self.n, self.buffer, self.began = 0, b"", 0.0
        self.choice: list[int] = []
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)

    def send(self) -> None:
        request, self.choice = self.client.ballot(self.n, self.port, self.path)
        self.began = time.perf_counter()
        self.sock.setblocking(True)
        self.sock.sendall(request)
        self.sock.setblocking(False)

    def response(self) -> int | None:
        """The status of the response once it is read whole (status line, headers and the
        Content-Length body), else None."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return None
        self.buffer = self.buffer[end + 4 + length :]
        return int(head[0].split()[1])


def cast_all(connections: list[Connection], ballots: int) -> None:
    """Every client casts its ballots one after the other on its own keep-alive connection,
    all clients at once, from this one thread (a selector over non-blocking sockets). Sixty-four
    Python threads with http.client used 0.3 ms of CPU per ballot on the two cores that the
    server measured here shares (a tenth of a ballot's); this uses about 0.1 ms."""
    selector = selectors.DefaultSelector()
    for connection in connections:
        selector.register(connection.sock, selectors.EVENT_READ, connection)
        connection.send()
    open_connections = len(connections)
    while open_connections:
        for key, _events in selector.select(timeout=60):
            connection = key.data
            data = connection.sock.recv(65536)
            if data:
                connection.buffer += data
                status = connection.response()
                if status is None:
                    continue
                client = connection.client
                client.latencies.append(time.perf_counter() - connection.began)
                if status == 302:
                    client.confirmed += 1
                    client.last_choice = connection.choice
                else:
                    client.failures.append(str(status))
                connection.n += 1
                if connection.n < ballots:
                    connection.send()
                    continue
            else:
                connection.client.failures.append("connection closed")
            selector.unregister(connection.sock)
            connection.sock.close()
            open_connections -= 1


def _cpu(pid: int) -> tuple[int, float] | None:
    """(process group, CPU seconds used) of a process, from /proc; None if it is gone or not
    readable (a database on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_group: int) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes and by the database's server
    processes for this database (PostgreSQL on this machine; 0 for SQLite, whose work is the
    app processes' own)."""
    app = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _cpu(int(entry.name))) and found[0] == server_group:
            app += found[1]
    database = 0.0
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            for (pid,) in cursor.fetchall():
                if found := _cpu(pid):
                    database += found[1]
    return app, database


def check_database(
    budget_id: int, people: list[int], clients: list[Client]
) -> tuple[int, int, int]:
    from django.db import connection
    from django.db.models import Count

    from insyn.dialogue.models import Ballot

    duplicated = (
        Ballot.objects.filter(budget_id=budget_id)
        .values("participant_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    ballots = {
        b.participant_id: b
        for b in Ballot.objects.filter(budget_id=budget_id).prefetch_related("choices")
    }
    lost = 0
    for person, client in zip(people, clients, strict=True):
        ballot = ballots.get(person)
        if ballot is None:
            lost += client.confirmed
            continue
        lost += max(0, client.confirmed - ballot.version)
        chosen = sorted(c.proposal_id for c in ballot.choices.all())
        if client.last_choice is not None and chosen != client.last_choice:
            lost += 1
    count = len(ballots)
    connection.close()
    return count, duplicated, lost


def write_docs(text: str) -> bool:
    path = ROOT / "docs" / "benchmarks.md"
    if not path.exists():
        return False
    content = path.read_text(encoding="utf-8")
    marker = "<!-- bench:ballots -->"
    if content.count(marker) < 2:
        return False
    head, _old, tail = content.split(marker, 2)
    path.write_text(f"{head}{marker}\n{text}\n{marker}{tail}", encoding="utf-8")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--ballots", type=int, default=30, help="ballots cast by each client (rate limit: 30/min)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="per server process (WEB_THREADS' default)"
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="insyn-bench-ballots-"))
    configure(data_dir)
    sys.path.insert(0, str(ROOT))
    from bench.harness import cpu_ticks

    _dialogue, budget, sessions, people, proposals = setup_data(args.clients)
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        path = f"/dialog/{_dialogue}/budget/{budget}/rosta/"
        clients = [Client(session, proposals, i) for i, session in enumerate(sessions)]
        if not all(client.fetch_form(port, path) for client in clients):
            raise SystemExit("the vote page did not answer every client")
        connections = [Connection(client, port, path) for client in clients]
        time.sleep(0.5)  # the server processes share out the new connections
        began = time.perf_counter()
        cpu_before = cpu_seconds(server.pid)
        ticks_before = cpu_ticks()
        cast_all(connections, args.ballots)
        elapsed = time.perf_counter() - began
        ticks_after = cpu_ticks()
        cpu_after = cpu_seconds(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    from django.db import connection

    count, duplicated, lost = check_database(budget, people, clients)
    confirmed = sum(c.confirmed for c in clients)
    failures = [f for c in clients for f in c.failures]
    latencies = sorted(x for c in clients for x in c.latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
    app_ms, db_ms = (
        (after - before) / max(confirmed, 1) * 1000
        for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    cpu_row = (
        f"| CPU per ballot: app processes / PostgreSQL | {app_ms:.2f} ms / {db_ms:.2f} ms |\n"
        if connection.vendor == "postgresql"
        else f"| CPU per ballot: app processes (SQLite inside them) | {app_ms:.2f} ms |\n"
    )
    machine_row = ""
    if ticks_before and ticks_after:
        idle, stolen, total = (b - a for a, b in zip(ticks_before, ticks_after, strict=True))
        busy = total - idle - stolen
        machine_row = (
            f"| the machine's CPUs while casting: busy / stolen by the host | "
            f"{busy / max(total, 1):.0%} / {stolen / max(total, 1):.1%} |\n"
        )
    text = (
        f"Ballots through `insyn serve` ({args.workers} workers × {args.threads} threads, "
        f"{database}), {args.clients} concurrent clients × {args.ballots} ballots each (each on its "
        f"own keep-alive connection, all driven by one thread of the benchmark), every ballot a "
        f"real form POST that replaces the client's previous one:\n\n"
        f"| measure | value |\n|---|---|\n"
        f"| ballots confirmed (HTTP 302) | {confirmed} of {args.clients * args.ballots} |\n"
        f"| ballots per second | {confirmed / elapsed:.1f} |\n"
        f"| latency p50 / p95 | {p50:.0f} ms / {p95:.0f} ms |\n"
        f"| ballot rows (one per person) | {count} for {args.clients} people |\n"
        f"| duplicated ballots | {duplicated} |\n"
        f"| lost ballots or updates | {lost} |\n"
        f"| failed requests | {len(failures)} {sorted(set(failures)) or ''} |\n"
        f"{cpu_row}"
        f"{machine_row}"
        f"\nMeasured on {os.cpu_count()} cores; `python bench/bench_ballots.py`."
    )
    print(text)
    if args.write_docs:
        print(
            "docs/benchmarks.md updated"
            if write_docs(text)
            else "docs/benchmarks.md or its markers missing; not written"
        )
    shutil.rmtree(data_dir, ignore_errors=True)
    if duplicated or lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
