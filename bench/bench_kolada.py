"""Kolada import time: 100 KPIs × 290 municipalities × 20 years (issue 6).

Generates Kolada v3 files (KPI metadata, municipalities, and data pages of 5,000 items chained by
``next_url``, as the API pages them), then times ``insyn import-kolada``'s import service on a
fresh database: the first import, the same files again (idempotent: nothing written), and an
update page that revises values (revisions kept). A third of the KPIs are divided by gender
(T, K and M values), the rest have totals only, and 1 % of the values are null.

    python bench/bench_kolada.py [--kpis 100] [--municipalities 290] [--years 20]
                                 [--databases sqlite,postgres] [--write]

SQLite by default (a new database in a temporary directory). PostgreSQL: DATABASE_URL (or
postgres://postgres@127.0.0.1:5432/postgres) is used to create and drop a database of its own.
Each database is measured in a process of its own. --write puts the result into
docs/benchmarks.md between the <!-- bench:kolada --> markers, only if that file exists
(bench/harness.py owns its layout).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_SIZE = 5000


def log(message: str) -> None:
    print(f"[bench kolada {time.strftime('%H:%M:%S')}] {message}", flush=True)


def generate(
    directory: Path,
    *,
    kpis: int,
    municipalities: int,
    years: int,
    gender_share: float = 1 / 3,
    seed: int = 6,
) -> dict[str, int]:
    """Write the files; return counts."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    kpi_ids = [f"N{10000 + n:05d}" for n in range(kpis)]
    gendered = set(kpi_ids[: round(kpis * gender_share)])
    area_ids = [f"{1000 + n:04d}" for n in range(municipalities)]
    first_year = 2024 - years + 1

    def envelope(values: list[Any], next_url: str | None) -> str:
        return json.dumps(
            {"values": values, "count": len(values), "next_url": next_url, "previous_url": None},
            ensure_ascii=False,
        )

    (directory / "kpi.json").write_text(
        envelope(
            [
                {
                    "id": kpi,
                    "title": f"Nyckeltal {kpi}, andel (%)",
                    "description": "Benchmark.",
                    "is_divided_by_gender": kpi in gendered,
                    "municipality_type": "K",
                    "auspice": "X",
                    "operating_area": "Test",
                    "perspective": "Resurser",
                    "prel_publication_date": None,
                    "publication_date": "2025-04-01",
                    "publ_period": "2024",
                    "has_ou_data": False,
                }
                for kpi in kpi_ids
            ],
            None,
        ),
        encoding="utf-8",
    )
    (directory / "municipality.json").write_text(
        envelope(
            [{"id": area, "title": f"Kommun {area}", "type": "K"} for area in area_ids]
            + [{"id": "0000", "title": "Riket", "type": "L"}],
            None,
        ),
        encoding="utf-8",
    )

    def items():
        for kpi in kpi_ids:
            genders = ("T", "K", "M") if kpi in gendered else ("T",)
            for area in area_ids:
                for year in range(first_year, first_year + years):
                    yield {
                        "kpi": kpi,
                        "municipality": area,
                        "period": year,
                        "values": [
                            {
                                "gender": g,
                                "count": 1,
                                "status": "",
                                "value": (
                                    None if rng.random() < 0.01 else round(rng.uniform(0, 100), 1)
                                ),
                                "isdeleted": False,
                            }
                            for g in genders
                        ],
                    }

    page: list[Any] = []
    number = 0
    data_items = values = 0
    pages = []
    for item in items():
        page.append(item)
        data_items += 1
        values += len(item["values"])
        if len(page) == PAGE_SIZE:
            number += 1
            pages.append((number, page))
            page = []
            if len(pages) == 2:
                _flush(directory, pages[0], envelope, has_next=True)
                pages.pop(0)
    if page:
        number += 1
        pages.append((number, page))
    for index, entry in enumerate(pages):
        _flush(directory, entry, envelope, has_next=index < len(pages) - 1)
    update = [
        {
            "kpi": kpi_ids[0],
            "municipality": area,
            "period": first_year + years - 1,
            "values": [
                {"gender": "T", "count": 1, "status": "", "value": 101.5, "isdeleted": False}
            ],
        }
        for area in area_ids
    ]
    (directory.parent / "update").mkdir(exist_ok=True)
    (directory.parent / "update" / "data.json").write_text(envelope(update, None), encoding="utf-8")
    return {
        "data_items": data_items,
        "values": values,
        "pages": number,
        "bytes": sum(p.stat().st_size for p in directory.iterdir()),
    }


def _flush(directory: Path, entry: tuple[int, list[Any]], envelope, *, has_next: bool) -> None:
    number, values = entry
    next_name = f"data-{number + 1:04d}.json" if has_next else None
    (directory / f"data-{number:04d}.json").write_text(
        envelope(values, next_name), encoding="utf-8"
    )


def _postgres_database(url: str) -> tuple[str, str]:
    import psycopg

    name = f"insyn_bench_kolada_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(
    database: str, *, kpis: int, municipalities: int, years: int, keep: bool = False
) -> dict[str, Any]:
    """Generate the files and time the three runs on a fresh database (sets up Django, so call
    it once per process)."""
    work = Path(tempfile.mkdtemp(prefix="insyn-bench-kolada-"))
    os.environ["INSYN_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insyn.settings")
    admin_url = pg_name = None
    if database == "postgres":
        admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        os.environ["DATABASE_URL"], pg_name = _postgres_database(admin_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    runs: list[dict[str, Any]] = []
    try:
        log("load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        log(f"generating {kpis} KPIs × {municipalities} municipalities × {years} years in {work}")
        started = time.perf_counter()
        counts = generate(work / "files", kpis=kpis, municipalities=municipalities, years=years)
        log(
            f"generated {counts['data_items']:,} data items, {counts['values']:,} values, "
            f"{counts['pages']} pages, {counts['bytes'] / 1e6:.0f} MB in "
            f"{time.perf_counter() - started:.1f} s"
        )

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from insyn.indicators.models import Value, ValueRevision
        from insyn.indicators.services import import_kolada
        from insyn.indicators.sources import FileSource

        for label, path in (
            ("first", work / "files"),
            ("again", work / "files"),
            ("update", work / "update"),
        ):
            started, cpu_started = time.perf_counter(), time.process_time()
            run = import_kolada(source=FileSource([path]))
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            runs.append(
                {
                    "label": label,
                    "wall": wall,
                    "cpu": cpu,
                    "created": run.created,
                    "changed": run.changed,
                    "unchanged": run.unchanged,
                }
            )
            log(
                f"{database} {label}: {wall:.1f} s ({cpu:.1f} s CPU in this process) — "
                f"{run.created:,} new, {run.changed:,} changed, {run.unchanged:,} unchanged, "
                f"{run.missing:,} null"
            )
        stored, revisions = Value.objects.count(), ValueRevision.objects.count()
        assert stored == counts["values"], (stored, counts["values"])
        assert revisions == municipalities
    finally:
        if admin_url and pg_name:
            from django.db import connections

            connections.close_all()
            _drop_postgres(admin_url, pg_name)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return {"database": database, "counts": counts, "runs": runs, "postgres_url": admin_url}


def report(results: list[dict[str, Any]], *, kpis: int, municipalities: int, years: int) -> str:
    counts = results[0]["counts"]
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    lines = [
        "## Kolada import (issue 6)",
        "",
        f"`bench/bench_kolada.py`: {kpis} KPIs × {municipalities} municipalities × {years} "
        f"years = {counts['data_items']:,} data items ({counts['values']:,} values: a third of "
        f"the KPIs by gender, 1 % null) in {counts['pages']} page files of 5,000 items chained "
        f"by `next_url` ({counts['bytes'] / 1e6:.0f} MB), imported with the service behind "
        "`insyn import-kolada`, one transaction per run, on a fresh database.",
        "",
        "| Database | Run | Wall time | CPU time of the importing process | Written |",
        "|---|---|---:|---:|---|",
    ]
    for result in results:
        first, again, update = result["runs"]
        name = names[result["database"]]
        lines += [
            f"| {name} | first import | {first['wall']:.1f} s | {first['cpu']:.1f} s | "
            f"{first['created']:,} values |",
            f"| {name} | the same files again (idempotent) | {again['wall']:.1f} s | "
            f"{again['cpu']:.1f} s | nothing ({again['unchanged']:,} unchanged) |",
            f"| {name} | an update page revising {municipalities} values | "
            f"{update['wall']:.1f} s | {update['cpu']:.1f} s | {update['changed']:,} values "
            "and as many revisions |",
        ]
    lines += [
        "",
        "Wall time on the shared machine depends on its load (the measurement line "
        "records the load average at the start); CPU time counts the importing process "
        "only, which with SQLite includes the database work and with PostgreSQL does not.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=100)
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--databases", default="sqlite", help="sqlite, postgres or sqlite,postgres")
    parser.add_argument("--postgres", action="store_true", help="same as --databases postgres")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the section into docs/benchmarks.md if the file exists",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = {"kpis": args.kpis, "municipalities": args.municipalities, "years": args.years}
    if args.child:
        result = measure(args.child, keep=args.keep, **sizes)
        print("RESULT " + json.dumps(result), flush=True)
        return
    databases = (
        ["postgres"]
        if args.postgres
        else [d.strip() for d in args.databases.split(",") if d.strip()]
    )
    results = []
    for database in databases:  # one process each: Django's database is fixed at setup
        command = [
            sys.executable,
            __file__,
            "--child",
            database,
            *[f"--{k}={v}" for k, v in sizes.items()],
            *(["--keep"] if args.keep else []),
        ]
        process = subprocess.run(command, capture_output=True, text=True, check=False)
        sys.stderr.write(process.stderr)
        lines = process.stdout.splitlines()
        for line in lines:
            if not line.startswith("RESULT "):
                print(line)
        found = [line for line in lines if line.startswith("RESULT ")]
        if process.returncode != 0 or not found:
            raise SystemExit(f"the {database} run failed")
        results.append(json.loads(found[-1][len("RESULT ") :]))
    text = report(results, **sizes)
    print()
    print(text)
    docs = ROOT / "docs" / "benchmarks.md"
    if args.write:
        if docs.exists():
            from bench.harness import machine, update_section

            postgres_url = next((r["postgres_url"] for r in results if r["postgres_url"]), None)
            update_section("kolada", text, machine=machine(postgres_url))
            log(f"written to {docs}")
        else:
            log(f"{docs} does not exist; not written")


if __name__ == "__main__":
    main()
