"""A small benchmark harness others can reuse (ballots per second, Open311 POSTs, ...).

    from bench.harness import Instance, load, machine, update_section

    with Instance.new(work / "site", database="sqlite") as site:   # or a PostgreSQL server URL
        site.migrate(); site.insyn("load-demo")
        with site.serve(workers=2) as base:                        # `insyn serve`, free port
            result = load(base, "/plan/2023/mal/4/", connections=8, duration=10)
    update_section("my-bench", result.table_row(), machine=machine())

- `Instance` (tests/ops/instance.py): a data directory and a database of its own, `insyn`
  commands run against it, `serve()` starting `insyn serve` with N workers on a free loopback
  port and stopping it afterwards.
- `load()`: keep-alive HTTP load on loopback only, bounded by time and by request count; `wrk`
  when it is installed and the load is plain GETs, else Python threads with http.client (which
  also takes a `request` callable for POSTs and per-request bodies). Latency percentiles in ms.
- `update_section(name, text)`: replaces what stands between `<!-- bench:NAME -->` and
  `<!-- /bench:NAME -->` in docs/benchmarks.md (appending the section if it is not there), with
  the machine it ran on: CPU model, cores, RAM, Python, SQLite and PostgreSQL versions, date.

Benchmarks never run in the test suite: timing on a shared two-core machine is not a test.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # the repository, importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ops.instance import Instance, admin_connection, free_port, get

__all__ = [
    "DOCS",
    "Instance",
    "LoadResult",
    "free_port",
    "get",
    "load",
    "machine",
    "update_section",
]

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class LoadResult:
    label: str
    connections: int
    requests: int
    errors: int
    non_2xx: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    generator: str
    statuses: dict[int, int] = field(default_factory=dict)
    p95_ms: float = 0.0
    # Connections held by each server process (wrk with `workers`), e.g. "4/4".
    spread: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def as_dict(self) -> dict:
        return {**self.__dict__, "rps": round(self.rps, 1)}


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def _check_loopback(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"load() only targets loopback addresses, not {parts.hostname}")
    return parts.hostname, parts.port or 80


def load(
    base_url: str,
    path: str = "/",
    *,
    connections: int = 8,
    duration: float = 10.0,
    max_requests: int = 1_000_000,
    warmup: float = 1.0,
    label: str | None = None,
    request: Callable[[int], Request] | None = None,
    use_wrk: bool | None = None,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
    workers: int | None = None,
) -> LoadResult:
    """Drive `connections` keep-alive clients for `duration` seconds (or `max_requests`).

    `request(i)` may give (method, path, body, headers) for request number i; without it every
    request is GET `path` with `headers` (e.g. the Accept-Encoding a browser sends).
    `workers`: the server's processes; with wrk, a run whose connections did not spread across
    them is started again (see `_spread`).
    """
    if request is None and headers:
        fixed = dict(headers)

        def request(_number: int) -> Request:
            return ("GET", path, None, fixed)

        if use_wrk is None:
            use_wrk = shutil.which("wrk") is not None
        wrk_headers = fixed
    else:
        wrk_headers = {}
    host, port = _check_loopback(base_url)
    if use_wrk is None:
        use_wrk = request is None and shutil.which("wrk") is not None
    if warmup > 0:
        _python_load(host, port, path, connections, warmup, max_requests, request, timeout)
    if use_wrk:
        result = _wrk_load(base_url, path, connections, duration, timeout, wrk_headers, workers)
    else:
        result = _python_load(
            host, port, path, connections, duration, max_requests, request, timeout
        )
    result.label = label or path
    return result


def _python_load(
    host: str,
    port: int,
    path: str,
    connections: int,
    duration: float,
    max_requests: int,
    request: Callable[[int], Request] | None,
    timeout: float,
) -> LoadResult:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    statuses: list[dict[int, int]] = [{} for _ in range(connections)]
    errors = [0] * connections
    counter = iter(range(max_requests))
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration

    def next_number() -> int | None:
        with lock:
            return next(counter, None)

    def worker(k: int) -> None:
        conn: http.client.HTTPConnection | None = None
        while time.perf_counter() < deadline:
            number = next_number()
            if number is None:
                break
            method, req_path, body, headers = (
                request(number) if request else ("GET", path, None, {})
            )
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                conn.request(method, req_path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - t0) * 1000
                latencies[k].append(elapsed)
                statuses[k][response.status] = statuses[k].get(response.status, 0) + 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    merged = sorted(v for values in latencies for v in values)
    status_counts: dict[int, int] = {}
    for part in statuses:
        for status, n in part.items():
            status_counts[status] = status_counts.get(status, 0) + n
    return LoadResult(
        label=path,
        connections=connections,
        requests=len(merged),
        errors=sum(errors),
        non_2xx=sum(n for s, n in status_counts.items() if not 200 <= s < 300),
        duration_s=elapsed,
        p50_ms=_percentile(merged, 50),
        p90_ms=_percentile(merged, 90),
        p95_ms=_percentile(merged, 95),
        p99_ms=_percentile(merged, 99),
        max_ms=merged[-1] if merged else 0.0,
        generator="python threads + http.client (keep-alive)",
        statuses=status_counts,
    )


_WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "@@WRK@@{\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50\\": %d, \\"p90\\": %d, \\"p95\\": %d, \\"p99\\": %d, \\"max\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


# Runs started again at most this many times when their connections did not spread.
SPREAD_TRIES = 8


def _spread(port: int) -> list[int] | None:
    """How many established connections to `port` each server process holds, most first (None
    without `ss`)."""
    try:
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    pids: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        pids[pid] = pids.get(pid, 0) + 1
    return sorted(pids.values(), reverse=True)


def _wrk_load(
    base_url: str,
    path: str,
    connections: int,
    duration: float,
    timeout: float,
    headers: dict[str, str] | None = None,
    workers: int | None = None,
) -> LoadResult:
    """wrk's run. With `workers`, the connections' spread across the server's processes is read
    just after they open: gunicorn's processes race to accept, and on a busy two-core machine
    one of them may take all eight before the other wakes; that process alone then serves the
    whole run (~2,000 requests/s at ~4 ms each here, whatever is served, the static file
    included) while the other idles. Such a run measures the race, not the page: it is
    stopped and started again, up to SPREAD_TRIES times (the spread is reported)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={int(timeout)}s",
        "-s",
        script.name,
        *(arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")),
        base_url + path,
    ]
    port = urlsplit(base_url).port or 80
    fair = connections // workers - 1 if workers and connections >= 2 * workers else None
    spread: list[int] | None = None
    try:
        for _attempt in range(SPREAD_TRIES):
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            if fair is not None:
                time.sleep(0.3)
                spread = _spread(port)
                uneven = spread is not None and (len(spread) < (workers or 1) or spread[-1] < fair)
                if uneven and _attempt < SPREAD_TRIES - 1:
                    process.kill()
                    process.communicate()
                    continue
            out, err = process.communicate(timeout=duration + timeout + 30)
            if process.returncode:
                raise subprocess.CalledProcessError(process.returncode, command, out, err)
            break
    finally:
        os.unlink(script.name)
    data = json.loads(out.split("@@WRK@@", 1)[1].splitlines()[0])
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return LoadResult(
        label=path,
        connections=connections,
        requests=data["requests"],
        errors=data["errors"],
        non_2xx=data["non2xx"],
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        generator=f"wrk {version[1] if len(version) > 1 else ''}".strip() + " (1 thread)",
        spread="/".join(map(str, spread)) if spread else "",
    )


# -- the machine -------------------------------------------------------------------------------
def cpu_ticks() -> tuple[int, int, int] | None:
    """(idle, stolen, all) clock ticks of every CPU since boot, from /proc/stat (Linux; None
    elsewhere). Idle counts iowait too. Stolen: time a virtual machine's CPUs were ready to run
    but the host ran something else, which a VM's processes may be charged as their own."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return None
    return fields[3] + fields[4], fields[7] if len(fields) > 7 else 0, sum(fields)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(server_url: str) -> str | None:
    try:
        with admin_connection(server_url) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        return None


def machine(postgres_url: str | None = None) -> dict[str, str]:
    """What the numbers were measured on."""
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{_ram_gib()} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": metadata.version("django"),
        "gunicorn": metadata.version("gunicorn"),
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    if postgres_url:
        info["postgresql"] = _postgres_version(postgres_url) or "?"
    return info


def machine_line(info: dict[str, str]) -> str:
    return "Measured " + "; ".join(f"{k}: {v}" for k, v in info.items()) + "."


# -- docs/benchmarks.md ------------------------------------------------------------------------
_HEADER = """# Benchmarks

Written by `make bench` (bench/run.py, using bench/harness.py). Each section says when and on
what machine it was measured; sections are rewritten one at a time, between their
`<!-- bench:NAME -->` markers. Numbers from a shared two-core machine are indications of order
of magnitude and of ratios measured in the same run, not guarantees.
"""


def update_section(
    name: str, text: str, *, machine: dict[str, str] | None = None, path: Path = DOCS
) -> None:
    """Replace (or append) the section `name` of docs/benchmarks.md."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"section names are lower-case words with hyphens, not {name!r}")
    body = text.strip() + "\n"
    if machine:
        body += "\n" + machine_line(machine) + "\n"
    block = f"<!-- bench:{name} -->\n{body}<!-- /bench:{name} -->"
    current = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.DOTALL
    )
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(updated, encoding="utf-8")
