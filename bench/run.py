"""`make bench`: issue 2's benchmarks through `insyn serve`, written into docs/benchmarks.md.

Sections (run one or several with --only):
  goal-page   the demo's goal page next to a static file served by the same server in the same
              run (throughput ratio), on SQLite and on PostgreSQL, `insyn serve --workers 2`
  tenfold     the goal page and the start page with the demo alone and with 10x the goals
  import      `insyn import-followup` of 1,000 generated pages (bench/followup_pages.py), and
              the same pages again (idempotent re-import)

    python bench/run.py [--only goal-page,tenfold,import] [--duration 10] [--connections 8]

PostgreSQL: DATABASE_URL if it names one, else scripts/ensure-postgres finds or starts one;
each run creates and drops databases of its own there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.followup_pages import generate
from bench.harness import ROOT, Instance, LoadResult, get, load, machine, update_section

GOAL_PAGE = "/plan/2023/mal/4/"
START_PAGE = "/"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def postgres_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    result = subprocess.run(
        [str(ROOT / "scripts" / "ensure-postgres")], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def demo_instance(work: Path, name: str, database: str, static_root: Path) -> Instance:
    site = Instance.new(work / name, database=database, static_root=static_root)
    site.migrate()
    site.insyn("load-demo")
    return site


def static_path(static_root: Path) -> str:
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return "/static/" + manifest["insyn/site.css"]


def check_ok(base: str, path: str) -> None:
    status, _, _ = get(base, path)
    if status != 200:
        raise SystemExit(f"{path} answered {status}, not 200: cannot benchmark it")


def fmt(ms: float) -> str:
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def row(backend: str, what: str, result: LoadResult) -> str:
    failures = result.errors + result.non_2xx
    return (
        f"| {backend} | {what} | {result.connections} | {result.rps:,.0f} | "
        f"{fmt(result.p50_ms)} | {fmt(result.p90_ms)} | {fmt(result.p99_ms)} | "
        f"{result.requests:,} | {failures} |"
    )


TABLE_HEAD = (
    "| Database | Request | Clients | Requests/s | p50 ms | p90 ms | p99 ms | "
    "Requests | Failed |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def bench_goal_page(
    args: argparse.Namespace, work: Path, static_root: Path, pg: str | None
) -> None:
    rows, ratios, generators = [], [], set()
    backends = [("SQLite", "sqlite")] + ([("PostgreSQL", pg)] if pg else [])
    for label, database in backends:
        log(f"goal-page: {label}: migrate + load-demo")
        with (
            demo_instance(work, f"goal-{label.lower()}", database, static_root) as site,
            site.serve(workers=args.workers, threads=args.threads) as base,
        ):
            static = static_path(static_root)
            for path in (GOAL_PAGE, static):
                check_ok(base, path)
            log(f"goal-page: {label}: load")
            goal = load(base, GOAL_PAGE, connections=args.connections, duration=args.duration)
            css = load(base, static, connections=args.connections, duration=args.duration)
            single = load(base, GOAL_PAGE, connections=1, duration=args.duration / 2)
        generators |= {goal.generator, css.generator}
        rows += [
            row(label, "goal page", goal),
            row(label, "static file (CSS)", css),
            row(label, "goal page, one client", single),
        ]
        ratio = css.rps / goal.rps if goal.rps else float("nan")
        ratios.append(
            f"- {label}: the static file is served **{ratio:.1f}×** as fast as the "
            f"goal page ({css.rps:,.0f} against {goal.rps:,.0f} requests/s)."
        )
    text = f"""## Goal page next to a static file (issue 2)

`insyn serve --workers {args.workers} --threads {args.threads}` (gunicorn: {args.workers} server
processes) with the Uppsala demo (`insyn load-demo`). The goal page `{GOAL_PAGE}` (Fokusmål 4
with its assignments and their latest assessments) and the hashed `site.css` (served by
WhiteNoise) are loaded in the same server run, {args.duration:.0f} s each after a 1 s warm-up,
by keep-alive clients on loopback: {", ".join(sorted(generators))}, on the same machine.

{TABLE_HEAD}
{chr(10).join(rows)}

{chr(10).join(ratios)}"""
    update_section("goal-page", text, machine=machine(pg))


def bench_tenfold(args: argparse.Namespace, work: Path, static_root: Path) -> None:
    rows = []
    count = (
        "from insyn.goals.models import Assignment, Goal, Report\n"
        "RESULT = [Goal.objects.count(), Assignment.objects.count(), "
        "Report.objects.count(), Goal.objects.filter(plan__year=2023).count()]\n"
    )
    demo_goals_2023 = 0
    with demo_instance(work, "tenfold", "sqlite", static_root) as site:
        for tenfold in (False, True):
            if tenfold:
                # Nine more goals of plan 2023 for each of the demo's (numbers 10 and up).
                more = min(90, 9 * demo_goals_2023)
                pages = generate(more, work / "tenfold-pages", first_year=2023, first_goal=10)
                site.insyn("import-followup", *map(str, pages))
            goals, assignments, reports, goals_2023 = site.python(count)
            if not tenfold:
                demo_goals_2023 = goals_2023
            size = (
                f"{'10×' if tenfold else 'demo'}: {goals} goals, {assignments} "
                f"assignments, {reports} reports"
            )
            log(f"tenfold: {size}")
            with site.serve(workers=args.workers, threads=args.threads) as base:
                for path, what in ((GOAL_PAGE, "goal page"), (START_PAGE, "start page")):
                    check_ok(base, path)
                    single = load(base, path, connections=1, duration=args.duration / 2)
                    many = load(
                        base, path, connections=args.connections, duration=args.duration / 2
                    )
                    rows += [
                        row(size, f"{what}, one client", single),
                        row(size, f"{what}, {args.connections} clients", many),
                    ]
    text = f"""## Goal page with ten times the data (issue 2)

SQLite, `insyn serve --workers {args.workers} --threads {args.threads}`. First the demo alone,
then with nine more goals of plan 2023 for each of the demo's, imported from generated pages
(bench/followup_pages.py). The goal page `{GOAL_PAGE}` shows the same goal in both; the start
page lists every goal of the current plan, so it grows with the data. Query counts are pinned by
the page tests; this is the time. {args.duration / 2:.0f} s per line.

{TABLE_HEAD.replace("| Database |", "| Data |")}
{chr(10).join(rows)}"""
    update_section("tenfold", text, machine=machine())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_import(args: argparse.Namespace, work: Path, static_root: Path, pg: str | None) -> None:
    pages = generate(args.import_pages, work / "import-pages")
    size_mb = sum(p.stat().st_size for p in pages) / 1e6
    rows = []
    backends = [("SQLite", "sqlite")] + ([("PostgreSQL", pg)] if pg and args.import_pg else [])
    for label, database in backends:
        with Instance.new(
            work / f"import-{label.lower()}", database=database, static_root=static_root
        ) as site:
            site.migrate()
            site.insyn("load-demo")  # the organisation registry (and the two seed pages)
            for run in ("first import", "again (nothing new)"):
                log(f"import: {label}: {run} of {len(pages)} pages")
                cpu_before = _children_cpu()
                started = time.perf_counter()
                result = site.insyn("import-followup", *map(str, pages), timeout=7200)
                seconds = time.perf_counter() - started
                cpu = _children_cpu() - cpu_before
                summary = result.stdout.strip().splitlines()[-1]
                rows.append(
                    f"| {label} | {run} | {len(pages):,} | {seconds:,.1f} | {cpu:,.1f} | "
                    f"{cpu / len(pages) * 1000:,.0f} | {summary} |"
                )
    text = f"""## Importing {len(pages):,} published follow-up pages (issue 2)

`insyn import-followup FILE...` with {len(pages):,} generated pages ({size_mb:.1f} MB of text;
bench/followup_pages.py varies the two demo pages' year, goal number, title and texts, 90 goals
a year from 2024) in one run, i.e. one transaction, into a database holding the demo; then the
same files again, which must change nothing. Wall time of the whole command (Python start
included) and the CPU time the command used (user + system; less dependent on what else the
machine is doing; the database server's own CPU is not in it).

| Database | Run | Pages | Wall s | CPU s | CPU ms/page | Importer's summary |
|---|---|---:|---:|---:|---:|---|
{chr(10).join(rows)}"""
    update_section("import", text, machine=machine(pg if args.import_pg else None))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="goal-page,tenfold,import")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--import-pages", type=int, default=1000)
    parser.add_argument(
        "--import-pg", action="store_true", help="also time the import on PostgreSQL"
    )
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {"goal-page", "tenfold", "import"}
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    pg = postgres_server() if ("goal-page" in wanted or args.import_pg) else None
    if ("goal-page" in wanted or args.import_pg) and not pg:
        log("no PostgreSQL found: measuring SQLite only")
    with tempfile.TemporaryDirectory(prefix="insyn-bench-") as tmp:
        work = Path(tmp)
        static_root = work / "static"
        if "goal-page" in wanted:
            bench_goal_page(args, work, static_root, pg)
        if "tenfold" in wanted:
            bench_tenfold(args, work, static_root)
        if "import" in wanted:
            bench_import(args, work, static_root, pg)
    log("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()
