"""Benchmark of the reporting workflow: open and compile a period with 300 assignments × 25
organisations (7,500 organisation reports), in-process through the services, on a fresh
database of its own.

    python bench/bench_reporting.py                      # SQLite in a temporary directory
    python bench/bench_reporting.py --database-url postgres://postgres@127.0.0.1:5432/insyn_bench
    python bench/bench_reporting.py --write-docs         # also update docs/benchmarks.md

Steps timed: open (drafts pre-filled from the previous period), 7,500 submits, approving all,
the completeness dashboard, the compile overview, 300 compiled assessments, 30 goal statuses,
publish (with search indexing), and the PDF/XLSX exports. Not a test: timing on a shared
two-core machine is a measurement, recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASSIGNMENTS = 300
GOALS = 30
ORGANISATIONS = 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="insyn-bench-reporting-")
    os.environ["INSYN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insyn.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _recreate_postgres(args.database_url)
    call_command("migrate", verbosity=0)
    rows = run()
    vendor = connection.vendor
    table = ["| Step | Seconds |", "|---|---|"] + [
        f"| {name} | {secs:.2f} |" for name, secs in rows
    ]
    text = (
        f"Reporting workflow, {ASSIGNMENTS} assignments × {ORGANISATIONS} organisations "
        f"({ASSIGNMENTS * ORGANISATIONS} reports), {vendor}, in-process services "
        f"(bench/bench_reporting.py):\n\n" + "\n".join(table)
    )
    print(text)
    if args.write_docs:
        try:
            from bench.harness import machine, update_section
        except ImportError as exc:  # the harness is not there: print only
            print(f"(docs not updated: {exc})")
        else:
            update_section(f"reporting-{vendor}", text, machine=machine())


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(rows: list[tuple[str, float]], name: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            rows.append((name, time.perf_counter() - self.start))
            print(f"  {name}: {rows[-1][1]:.2f} s", flush=True)

    return Timer()


def run() -> list[tuple[str, float]]:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from insyn.goals import exports, selectors, services
    from insyn.goals.models import (
        Assignment,
        FollowUpPeriod,
        Goal,
        PeriodState,
        Plan,
        Report,
        ReportState,
    )
    from insyn.organisations.models import Organisation, OrganisationKind

    rows: list[tuple[str, float]] = []
    admin = get_user_model().objects.create_user("bench-admin", is_superuser=True)
    orgs = [
        Organisation.objects.create(
            name=f"Bänknämnd {n}",
            slug=f"banknamnd-{n}",
            kind=OrganisationKind.COMPANY if n % 2 else OrganisationKind.BOARD,
        )
        for n in range(ORGANISATIONS)
    ]
    plan = Plan.objects.create(year=2030, title="Mål och budget 2030")
    assignments = []
    for g in range(GOALS):
        goal = Goal.objects.create(plan=plan, number=str(g + 1), title=f"Mål {g + 1}", order=g)
        for a in range(ASSIGNMENTS // GOALS):
            assignment = Assignment.objects.create(
                goal=goal,
                number=str(len(assignments) + 1),
                title=f"Uppdrag {len(assignments) + 1}",
                order=a,
            )
            assignment.responsible_organisations.set(orgs)
            assignments.append(assignment)
    # A previous, published period so that opening pre-fills every draft.
    previous = FollowUpPeriod.objects.create(
        plan=plan,
        year=2030,
        kind="april",
        label="Uppföljning per april",
        month=4,
        state=PeriodState.PUBLISHED,
        published_at=timezone.now(),
    )
    Report.objects.bulk_create(
        [
            Report(
                assignment=a,
                period=previous,
                organisation=o,
                status="on_track",
                assessment="Arbetet pågår enligt plan. " * 8,
                state=ReportState.APPROVED,
            )
            for a in assignments
            for o in orgs
        ]
    )
    period = services.period_create(
        plan=plan, kind="august", by=admin, deadline=timezone.localdate() + dt.timedelta(days=30)
    )

    with timed(rows, "Open the period (7,500 pre-filled drafts, notices queued)"):
        created = services.period_open(period=period, by=admin)
    assert created == ASSIGNMENTS * ORGANISATIONS, created
    drafts = list(
        Report.objects.filter(period=period, organisation__isnull=False).values_list(
            "pk", "version"
        )
    )
    with timed(rows, "Submit 7,500 reports one by one (save + submit, history)"):
        for pk, version in drafts:
            services.report_submit(
                report_id=pk,
                version=version,
                status="on_track",
                assessment="Arbetet går enligt plan.",
                by=admin,
            )
    with timed(rows, "Approve 7,500 reports one by one"):
        for report in Report.objects.filter(period=period, organisation__isnull=False):
            services.report_approve(report=report, by=admin)
    with timed(rows, "Completeness dashboard (sentence and table)"):
        progress = selectors.completeness(period)
        _sentence = progress.sentence
    with timed(rows, "Compile overview (all goals and assignments)"):
        selectors.compile_overview(period)
    with timed(rows, "Write 300 compiled assessments"):
        for assignment in assignments:
            services.compiled_save(
                period=period,
                assignment=assignment,
                status="on_track",
                assessment="Samtliga organisationer rapporterar enligt plan.",
                by=admin,
            )
    with timed(rows, "Write 30 goal statuses"):
        for goal in Goal.objects.filter(plan=plan):
            services.goal_follow_up_save(
                period=period, goal=goal, status="green", assessment="Målet nås.", by=admin
            )
    with timed(rows, "Publish (checks, freeze, search indexing, notices)"):
        services.period_publish(period=period, by=admin)
    period.refresh_from_db()
    assert period.state == PeriodState.PUBLISHED
    with timed(rows, "Export XLSX"):
        exports.export_xlsx(period)
    with timed(rows, "Export PDF"):
        exports.export_pdf(period)
    return rows


if __name__ == "__main__":
    main()
