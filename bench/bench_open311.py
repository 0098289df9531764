"""Open311 POSTs per second through `insyn serve`, and contact-centre inbox latency with many
cases (issue 5).

    .venv/bin/python bench/bench_open311.py [--cases 1000000] [--database postgres|sqlite]
                                            [--duration 10] [--connections 8] [--workers 2]
                                            [--only post,inbox] [--write-docs]

post   a fresh instance (demo categories and routing, one API key), `insyn serve --workers N`,
       N keep-alive clients POSTing /open311/v2/requests.xml with rotating service codes and
       points in Uppsala. Reports 2xx per second and latency percentiles, and checks that the
       database holds exactly as many cases as the server confirmed.
inbox  a second instance filled with --cases cases by a bulk generator (PostgreSQL: COPY;
       SQLite: bulk_create in batches of 10,000), then the inbox page (page 1, the common
       filters, a deep page, a number search) and Open311 GET requests, each for --duration
       seconds with 2 clients. Reports p50/p90/p99 per page.

PostgreSQL: the server in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
each instance gets a database of its own, dropped afterwards. With --write-docs the results
replace the `<!-- bench:open311 -->` section of docs/benchmarks.md when that file exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STATUS_MIX = [
    ("received", 10),
    ("in_progress", 10),
    ("forwarded", 3),
    ("resolved", 65),
    ("closed", 10),
    ("reopened", 2),
]
UPPSALA = (59.80, 59.92, 17.55, 17.75)


def log(message: str) -> None:
    print(f"[bench-open311 {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The bulk generator (runs inside an instance, with Django set up) -------------------------


def generate_cases(n: int, *, seed: int = 5, batch: int = 10_000) -> dict:
    """Insert n cases spread over three years, routed like real ones, without events.

    PostgreSQL: one COPY. SQLite: bulk_create in batches. Case numbers follow the per-year
    sequence and the counters are set afterwards, so new cases continue it.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from insyn.feedback import map_cells
    from insyn.feedback.models import (
        Case,
        CaseNumberCounter,
        Category,
        Kind,
        PublicState,
        RoutingRule,
    )

    rng = random.Random(seed)
    categories = list(Category.objects.filter(active=True))
    default_org = {
        r.category_id: r.organisation_id for r in RoutingRule.objects.filter(area__isnull=True)
    }
    statuses = [s for s, w in STATUS_MIX for _ in range(w)]
    now = timezone.now()
    span = 3 * 365 * 24 * 3600
    # Created times in order, so numbers increase with time within a year.
    offsets = sorted((rng.random() * span for _ in range(n)), reverse=True)
    per_year: dict[int, int] = {}
    columns = [
        "number",
        "kind",
        "category_id",
        "description",
        "address_text",
        "lat",
        "long",
        "attributes",
        "organisation_id",
        "status",
        "notice",
        "source",
        "created_at",
        "updated_at",
        "due_at",
        "first_answered_at",
        "resolved_at",
        "closed_at",
        "contact_name",
        "contact_email",
        "contact_phone",
        "device_id",
        "account_id",
        "public_state",
        "public_description",
        "public_address",
        "external_media_url",
        "open311_token",
    ]

    def rows():
        for i, offset in enumerate(offsets):
            created = now - dt.timedelta(seconds=offset)
            year = timezone.localtime(created).year
            per_year[year] = per_year.get(year, 0) + 1
            category = categories[i % len(categories)]
            kind = (
                Kind.FAULT
                if category.fault_reports
                else rng.choice([Kind.FEEDBACK, Kind.IDEA, Kind.PRAISE, Kind.COMPLAINT])
            )
            status = rng.choice(statuses)
            due = created + dt.timedelta(days=category.target_days)
            answered = (
                created + dt.timedelta(hours=rng.randint(1, 200)) if status != "received" else None
            )
            resolved = (
                created + dt.timedelta(hours=rng.randint(2, 24 * 30))
                if status == "resolved"
                else None
            )
            closed = resolved or (created + dt.timedelta(days=3) if status == "closed" else None)
            published = kind == Kind.FAULT and i % 3 == 0
            lat = rng.uniform(UPPSALA[0], UPPSALA[1]) if kind == Kind.FAULT else None
            long = rng.uniform(UPPSALA[2], UPPSALA[3]) if kind == Kind.FAULT else None
            text = f"Genererat ärende {i}: {category.name.lower()}."
            yield [
                f"UPP-{year}-{per_year[year]:06d}",
                kind,
                category.pk,
                text,
                f"Gatan {i % 500}",
                lat,
                long,
                "{}",
                default_org.get(category.pk),
                status,
                "",
                "web",
                created,
                closed or answered or created,
                None if status == "forwarded" else due,
                answered,
                resolved,
                closed,
                "",
                "",
                "",
                "",
                "",
                PublicState.PUBLISHED if published else PublicState.PENDING,
                text if published else "",
                f"Gatan {i % 500}" if published else "",
                "",
                "",
            ]

    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A bulk load: the inbox map's grid is rebuilt once at the end, in this
                # transaction, rather than kept by its trigger for each of the million rows.
                cursor.execute("ALTER TABLE feedback_case DISABLE TRIGGER USER")
                raw = cursor.cursor  # the psycopg cursor, for COPY
                sql = f"COPY feedback_case ({', '.join(columns)}) FROM STDIN"
                with raw.copy(sql) as copy:
                    for row in rows():
                        copy.write_row(row)
                # The foreign keys' checks (deferred to the commit) first: a table with pending
                # trigger events cannot be altered.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE feedback_case ENABLE TRIGGER USER")
                map_cells.rebuild(connection)
        else:
            buffer = []
            for row in rows():
                values = dict(zip(columns, row, strict=True))
                values["attributes"] = {}
                buffer.append(Case(**values))
                if len(buffer) >= batch:
                    Case.objects.bulk_create(buffer)
                    buffer.clear()
            if buffer:
                Case.objects.bulk_create(buffer)
        for year, last in per_year.items():
            CaseNumberCounter.objects.update_or_create(year=year, defaults={"last": last})
    if connection.vendor == "postgresql":
        # What autovacuum does to a table that has settled: statistics, and the visibility map
        # the index-only scans need (outside the transaction; VACUUM cannot run in one).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE feedback_case")
            cursor.execute("VACUUM ANALYZE feedback_casemapcell")
    return {"cases": n, "seconds": round(time.perf_counter() - started, 1)}


# --- Set-up inside an instance ---------------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from insyn.accounts.models import Membership, Role
from insyn.feedback import demo, services
from insyn.feedback.models import Case, Category
from insyn.organisations.models import Municipality

Municipality.objects.get_or_create(code="0380", defaults={"name": "Uppsala kommun",
                                                          "short_name": "Uppsala"})
demo.load_demo()
Case.objects.all().delete()
key = services.issue_api_key(name="bench", rate_per_minute=10_000_000)[1]
user = get_user_model().objects.create_user("kontaktcenter-bench", password=None)
Membership.objects.create(user=user, role=Role.CONTACT_CENTRE)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
codes = list(Category.objects.filter(fault_reports=True).exclude(
    code="gatubelysning").values_list("code", flat=True))
RESULT = {"key": key, "session": session.session_key, "codes": codes}
"""


def _setup(site) -> dict:
    return site.python(SETUP)


# --- Benchmarks ---------------------------------------------------------------------------


def bench_post(args, work: Path, database: str) -> dict:
    from bench.harness import Instance, load

    with Instance.new(work / f"post-{database}", database=database) as site:
        site.migrate()
        info = _setup(site)
        codes = info["codes"]

        def request(i: int):
            rng = random.Random(i)
            body = urlencode(
                {
                    "api_key": info["key"],
                    "service_code": codes[i % len(codes)],
                    "lat": f"{rng.uniform(UPPSALA[0], UPPSALA[1]):.6f}",
                    "long": f"{rng.uniform(UPPSALA[2], UPPSALA[3]):.6f}",
                    "description": f"Benchmark request {i}",
                    "email": f"b{i % 97}@example.org",
                    "attribute[var]": "korbana",  # the pothole category asks where it is
                }
            ).encode()
            return (
                "POST",
                "/open311/v2/requests.xml",
                body,
                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )

        with site.serve(workers=args.workers, threads=args.threads) as base:
            result = load(
                base,
                request=request,
                connections=args.connections,
                duration=args.duration,
                warmup=1.0,
                label="POST requests.xml",
            )
        if result.non_2xx:
            failures = [
                line
                for line in site.last_log.read_text(errors="replace").splitlines()
                if '"status_code": 4' in line
                or '"status_code": 5' in line
                or '"level": "ERROR"' in line
            ]
            log(f"statuses {result.statuses}; first failures:\n" + "\n".join(failures[:5]))
        stored = site.python(
            "from insyn.feedback.models import Case\nRESULT = Case.objects.count()"
        )
        confirmed = result.statuses.get(200, 0)
        log(
            f"POST {database}: {result.rps:.1f}/s, p50 {result.p50_ms:.0f} ms, "
            f"stored {stored}, confirmed (after warm-up) {confirmed}, errors {result.errors}, "
            f"non-2xx {result.non_2xx}"
        )
        return {"database": database, "result": result, "stored": stored}


# Viewports the map script asks for (bbox snapped to quarter tiles): Uppsala, and one street.
WHOLE = "bbox=17.50000,59.75000,17.80000,59.95000&zoom=11"
STREET = "bbox=17.63525,59.85791,17.64282,59.86108&zoom=17"
INBOX_PAGES = [
    ("inbox, page 1 (newest first)", "/personal/arenden/"),
    ("inbox, status = open", "/personal/arenden/?status=open"),
    ("inbox, overdue only", "/personal/arenden/?forsenade=on"),
    ("inbox, one category", "/personal/arenden/?kategori={category}"),
    (
        "inbox, organisation + in progress",
        "/personal/arenden/?organisation={organisation}&status=in_progress",
    ),
    ("inbox, page 200 (offset 9,950)", "/personal/arenden/?sida=200"),
    ("inbox, case number search", "/personal/arenden/?nummer={number}"),
    ("inbox map, whole municipality (zoom 11)", "/personal/arenden/karta.json?" + WHOLE),
    (
        "inbox map, open cases, whole municipality",
        "/personal/arenden/karta.json?status=open&" + WHOLE,
    ),
    ("inbox map, one street (zoom 17)", "/personal/arenden/karta.json?" + STREET),
    ("Open311 GET requests.xml (90 days, 1,000)", "/open311/v2/requests.xml"),
    ("public list of fault reports", "/synpunkter/felanmalningar/"),
    ("public map, whole municipality (zoom 11)", "/synpunkter/felanmalningar/karta.json?" + WHOLE),
    ("public map, one street (zoom 17)", "/synpunkter/felanmalningar/karta.json?" + STREET),
]
# Only EXPLAINed (the statistics are computed once and kept for two minutes, so not under load).
EXPLAIN_ONLY = [
    ("case statistics over 365 days", "/personal/arenden/statistik/?start={year_ago}&end={today}"),
]
# PostgreSQL: the plans of each page's two slowest queries on the cases, for the report (issue
# 13), each page asked afresh (no cache) and each plan taken with the page's SET LOCAL settings.
EXPLAIN = """
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client(HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = SESSION
RESULT = []
for label, url in URLS:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    settings = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET LOCAL")]
    timed = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    timed = [q for q in timed if "feedback_case" in q["sql"]] or timed  # the cases, if any
    for slow in sorted(timed, key=lambda q: -float(q["time"]))[:2]:
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slow["sql"])
            plan = "\\n".join(row[0] for row in cursor.fetchall())
        RESULT.append([label, float(slow["time"]) * 1000, plan])
"""


def explain_pages(site, session: str, urls: list[tuple[str, str]]) -> list:
    return site.python(f"SESSION = {session!r}\nURLS = {urls!r}\n" + EXPLAIN, timeout=3600)


# Not under load: statistics are computed once and kept for two minutes.
STATISTICS_PAGE = "/personal/arenden/statistik/?start={start}&end={end}"


def bench_inbox(args, work: Path, database: str) -> dict:
    from bench.harness import Instance, get, load

    with Instance.new(work / f"inbox-{database}", database=database) as site:
        site.migrate()
        info = _setup(site)
        log(f"generating {args.cases:,} cases ({database}) …")
        generated = site.python(
            "from bench.bench_open311 import generate_cases\n"
            f"RESULT = generate_cases({args.cases})",
            timeout=6 * 3600,
        )
        log(f"generated {generated['cases']:,} cases in {generated['seconds']} s")
        ids = site.python(
            "from insyn.feedback.models import Case, Category, RoutingRule\n"
            "rule = RoutingRule.objects.filter(category__code='potthal', area=None).first()\n"
            "RESULT = {'category': Category.objects.get(code='klotter').pk,\n"
            "          'organisation': rule.organisation_id,\n"
            "          'number': Case.objects.order_by('pk').values_list('number', flat=True)"
            "[12345 % Case.objects.count()]}"
        )
        cookie = {"Cookie": f"sessionid={info['session']}"}
        rows = []
        with site.serve(workers=args.workers, threads=args.threads) as base:
            for label, path in INBOX_PAGES:
                url = path.format(**ids)

                def request(i: int, url: str = url):
                    return ("GET", url, None, cookie)

                result = load(
                    base,
                    request=request,
                    connections=2,
                    duration=args.duration,
                    warmup=2.0,
                    label=label,
                )
                log(
                    f"{label}: p50 {result.p50_ms:.0f} ms, p90 {result.p90_ms:.0f} ms, "
                    f"{result.rps:.1f}/s, non-2xx {result.non_2xx}"
                )
                rows.append(result)
            today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
            timings = []
            for days in (31, 365):  # a month and a year of cases, each computed afresh
                url = STATISTICS_PAGE.format(start=today - dt.timedelta(days=days - 1), end=today)
                started = time.perf_counter()
                status, _headers, _body = get(base, url, headers=cookie, timeout=300)
                timings.append((days, status, (time.perf_counter() - started) * 1000))
                log(f"statistics over {days} days: {timings[-1][2]:.0f} ms (HTTP {status})")
        plans = []
        if site.vendor == "postgresql":
            log("EXPLAIN of each page's slowest query …")
            today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
            ids = {**ids, "today": today, "year_ago": today - dt.timedelta(days=364)}
            urls = [(label, path.format(**ids)) for label, path in [*INBOX_PAGES, *EXPLAIN_ONLY]]
            plans = explain_pages(site, info["session"], urls)
        return {
            "database": database,
            "generated": generated,
            "rows": rows,
            "statistics": timings,
            "plans": plans,
        }


def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def report(post: list[dict], inbox: list[dict], args) -> str:
    lines = ["### Open311 and the contact-centre inbox (issue 5)", ""]
    if post:
        lines += [
            f"`insyn serve --workers {args.workers} --threads {args.threads}`, "
            f"{args.connections} keep-alive clients POSTing `/open311/v2/requests.xml` "
            f"for {args.duration:.0f} s (demo categories and routing, one API key, every "
            "POST a full intake: number, routing, follower token, event, history, "
            "receipt email queued).",
            "",
            "| Database | POSTs/s (2xx) | p50 ms | p90 ms | p99 ms | non-2xx | errors | "
            "cases stored |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for item in post:
            r = item["result"]
            lines.append(
                f"| {item['database']} | {r.rps:.1f} | {r.p50_ms:.0f} | "
                f"{r.p90_ms:.0f} | {r.p99_ms:.0f} | {r.non_2xx} | {r.errors} | "
                f"{item['stored']:,} |"
            )
        lines.append("")
    for item in inbox:
        gen = item["generated"]
        lines += [
            f"Inbox and list latency with **{gen['cases']:,} cases** on "
            f"{item['database']} (bulk-generated in {gen['seconds']} s), 2 clients, "
            f"{args.duration:.0f} s per page, signed in as the contact centre:",
            "",
            "| Page | p50 ms | p90 ms | p95 ms | p99 ms | req/s | non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in item["rows"]:
            lines.append(
                f"| {r.label} | {r.p50_ms:.0f} | {r.p90_ms:.0f} | {r.p95_ms:.0f} | "
                f"{r.p99_ms:.0f} | {r.rps:.1f} | {r.non_2xx} |"
            )
        lines.append("")
        for days, status, ms in item.get("statistics", []):
            lines.append(
                f"- Statistics page over the last {days} days (uncached, one request): "
                f"{ms:,.0f} ms (HTTP {status}); it is then cached for two minutes."
            )
        lines.append("")
        for label, ms, plan in item.get("plans", []):
            lines += [
                f"<details><summary>EXPLAIN (ANALYZE, BUFFERS) of a slowest query of "
                f"“{label}” ({ms:,.1f} ms when captured)</summary>",
                "",
                "```",
                plan,
                "```",
                "",
                "</details>",
                "",
            ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--database", default="postgres", help="postgres, sqlite, or both (comma-separated)"
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="post,inbox")
    parser.add_argument(
        "--inbox-database",
        default="",
        help="where the inbox with --cases cases is measured (default: every --database)",
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    from bench.harness import DOCS, machine, update_section

    databases = [d.strip() for d in args.database.split(",") if d.strip()]
    only = {s.strip() for s in args.only.split(",")}
    inbox_databases = [d.strip() for d in args.inbox_database.split(",") if d.strip()] or databases
    server = postgres_server()
    post, inbox = [], []
    with tempfile.TemporaryDirectory(prefix="insyn-bench-open311-") as tmp:
        work = Path(tmp)
        for name in databases:
            database = server if name == "postgres" else "sqlite"
            label = "PostgreSQL" if name == "postgres" else "SQLite"
            if "post" in only:
                item = bench_post(args, work, database)
                item["database"] = label
                post.append(item)
            if "inbox" in only and name in inbox_databases:
                item = bench_inbox(args, work, database)
                item["database"] = label
                inbox.append(item)
    text = report(post, inbox, args)
    print(text)
    if args.write_docs and DOCS.exists():
        update_section(
            "open311", text, machine=machine(server if "postgres" in databases else None)
        )
        log(f"wrote the open311 section of {DOCS}")


if __name__ == "__main__":
    main()
