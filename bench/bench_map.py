"""The street map's data endpoint with many published reports, and routing many points
against many district polygons (issue 18).

    .venv/bin/python bench/bench_map.py [--reports 100000] [--database sqlite|postgres]
                                        [--requests 30] [--points 10000] [--polygons 200]
                                        [--only data,routing] [--write-docs]

data     a fresh instance with --reports published fault reports (bench_open311's generator,
         then every fault report published), then --requests sequential GETs of
         /synpunkter/felanmalningar/karta.json (all, and filtered by one category): p50/p95
         latency and the bytes sent (plain and gzip, which the proxy applies).
routing  in-process: --polygons districts as Voronoi cells over Uppsala (shapely), then
         --points random points looked up through insyn.organisations.geometry.DistrictIndex
         (the R-tree routing and statistics use); checked against brute force on a sample.

Smoke run (seconds): --reports 2000 --requests 5 --points 1000 --polygons 50.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

UPPSALA = (59.75, 59.95, 17.50, 17.80)


def log(message: str) -> None:
    print(f"[bench_map] {message}", file=sys.stderr, flush=True)


def _pct(values: list[float], pct: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(pct / 100 * (len(values) - 1)))]


def bench_routing(points: int, polygons: int, seed: int = 18) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insyn.settings")
    import shapely
    from shapely.geometry import MultiPoint, Point, box, mapping

    from insyn.organisations.geometry import DistrictIndex, covers

    rng = random.Random(seed)
    min_lat, max_lat, min_long, max_long = UPPSALA
    seeds = MultiPoint(
        [(rng.uniform(min_long, max_long), rng.uniform(min_lat, max_lat)) for _ in range(polygons)]
    )
    frame = box(min_long, min_lat, max_long, max_lat)
    cells = [c.intersection(frame) for c in shapely.voronoi_polygons(seeds, extend_to=frame).geoms]
    districts = [
        SimpleNamespace(name=f"D{i}", order=i, geometry=mapping(c)) for i, c in enumerate(cells)
    ]
    started = time.perf_counter()
    index = DistrictIndex(districts)
    built = time.perf_counter() - started
    pts = [(rng.uniform(min_lat, max_lat), rng.uniform(min_long, max_long)) for _ in range(points)]
    started = time.perf_counter()
    found = [index.find(lat, long) for lat, long in pts]
    looked = time.perf_counter() - started
    for (lat, long), d in list(zip(pts, found, strict=True))[:200]:  # brute force agrees
        assert d is not None and covers(d.geometry, lat, long), (lat, long)
        assert Point(long, lat).within(frame)
    return {
        "polygons": len(districts),
        "points": points,
        "build_ms": round(built * 1000, 1),
        "lookup_s": round(looked, 3),
        "per_point_us": round(looked / points * 1e6, 1),
    }


PUBLISH_ALL = """
from insyn.feedback.models import Case, Kind, PublicState
n = Case.objects.filter(kind=Kind.FAULT).exclude(public_state=PublicState.PUBLISHED).update(
    public_state=PublicState.PUBLISHED, public_description="Genererat fel.", public_address="Gatan")
RESULT = {"published": Case.objects.filter(kind=Kind.FAULT, public_state=PublicState.PUBLISHED,
          lat__isnull=False).count(),
          "category": Case.objects.filter(kind=Kind.FAULT).values_list("category_id", flat=True).first()}
"""


def bench_data(args, work: Path, database: str) -> dict:
    from bench.harness import Instance, get

    with Instance.new(work / f"map-{database}", database=database) as site:
        site.migrate()
        site.python(
            "from insyn.feedback import demo\nfrom insyn.feedback.models import Case\n"
            "demo.load_demo()\nCase.objects.all().delete()\nRESULT = 1"
        )
        # the generator publishes a third of the fault reports; publish them all, and make
        # enough cases that --reports of them are faults with a point
        total = int(args.reports * 1.15) + 10
        log(f"generating {total:,} cases ({database}) …")
        site.python(
            f"from bench.bench_open311 import generate_cases\nRESULT = generate_cases({total})",
            timeout=6 * 3600,
        )
        info = site.python(PUBLISH_ALL)
        log(f"{info['published']:,} published reports with a point")
        rows = []
        with site.serve(workers=2, threads=2) as base:
            for label, path in (
                ("all published", "/synpunkter/felanmalningar/karta.json"),
                (
                    "one category",
                    f"/synpunkter/felanmalningar/karta.json?kategori={info['category']}",
                ),
            ):
                times, size = [], 0
                for _ in range(args.requests):
                    started = time.perf_counter()
                    status, _h, body = get(base, path, timeout=600)
                    times.append((time.perf_counter() - started) * 1000)
                    assert status == 200, status
                    size = len(body)
                rows.append(
                    {
                        "label": label,
                        "p50_ms": round(_pct(times, 50)),
                        "p95_ms": round(_pct(times, 95)),
                        "bytes": size,
                        "gzip_bytes": len(gzip.compress(body)),
                    }
                )
                log(f"{label}: {rows[-1]}")
        return {"database": database, "published": info["published"], "rows": rows}


def report(data: list[dict], routing: dict | None, args) -> str:
    lines = ["## Street map data and routing by polygon (issue 18)", ""]
    if data:
        lines += [
            f"`bench/bench_map.py --reports {args.reports} --requests {args.requests}`: sequential "
            "GETs of the public map's data endpoint through `insyn serve` (2 workers).",
            "",
            "| Database | Published reports | Request | p50 ms | p95 ms | Bytes | Gzip bytes |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        for item in data:
            for row in item["rows"]:
                lines.append(
                    f"| {item['database']} | {item['published']:,} | {row['label']} | "
                    f"{row['p50_ms']} | {row['p95_ms']} | {row['bytes']:,} | {row['gzip_bytes']:,} |"
                )
        lines.append("")
    if routing:
        lines += [
            f"Routing {routing['points']:,} random points against {routing['polygons']} Voronoi "
            f"districts with `DistrictIndex`: index built in {routing['build_ms']} ms, lookups "
            f"{routing['lookup_s']} s ({routing['per_point_us']} µs per point).",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres or both")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--polygons", type=int, default=200)
    parser.add_argument("--only", default="data,routing")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",")}
    routing = None
    if "routing" in only:
        routing = bench_routing(args.points, args.polygons)
        log(f"routing: {routing}")
    data = []
    if "data" in only:
        from bench.bench_open311 import postgres_server

        with tempfile.TemporaryDirectory(prefix="insyn-bench-map-") as tmp:
            for name in [d.strip() for d in args.database.split(",") if d.strip()]:
                database = postgres_server() if name == "postgres" else "sqlite"
                item = bench_data(args, Path(tmp), database)
                item["database"] = "PostgreSQL" if name == "postgres" else "SQLite"
                data.append(item)
    text = report(data, routing, args)
    print(text)
    if args.write_docs:
        from bench.harness import DOCS, machine, update_section

        if DOCS.exists():
            update_section("map", text, machine=machine())


if __name__ == "__main__":
    main()
