"""The street map's data endpoint with many published reports, and routing many points
against many district polygons (issue 18).

    .venv/bin/python bench/bench_map.py [--reports 100000] [--database sqlite|postgres]
                                        [--requests 30] [--points 10000] [--polygons 200]
                                        [--only data,routing] [--write-docs]

data     a fresh instance with --reports published fault reports with a point (bulk-inserted),
         then --requests sequential GETs of /synpunkter/felanmalningar/karta.json (all, and
         filtered by one category), uncached (a new query string each time) and from the
         public response cache: p50/p95 latency and the bytes sent (JSON, brotli, gzip).
routing  in-process: --polygons districts as Voronoi cells over Uppsala (shapely), then
         --points random points looked up through insyn.organisations.geometry.DistrictIndex
         (the R-tree routing and statistics use); checked against brute force on a sample.

Smoke run (seconds): --reports 2000 --requests 5 --points 1000 --polygons 50.
"""

from __future__ import annotations

import argparse
import json
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


GENERATE = """
import random
from django.utils import timezone
from insyn.feedback.models import Case, CaseStatus, Category, Kind, PublicState
rng = random.Random(18)
categories = list(Category.objects.filter(active=True, fault_reports=True).values_list("pk", flat=True))
statuses = [CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED]
now = timezone.now()
min_lat, max_lat, min_long, max_long = {box!r}
def rows(start, stop):
    for i in range(start, stop):
        yield Case(number=f"BENCH-{{i:07d}}", kind=Kind.FAULT, category_id=rng.choice(categories),
                   description="Genererat fel.", lat=rng.uniform(min_lat, max_lat),
                   long=rng.uniform(min_long, max_long), status=rng.choice(statuses),
                   public_state=PublicState.PUBLISHED, public_description="Genererat fel.",
                   public_address="Gatan", created_at=now, updated_at=now, moderated_at=now)
for start in range(0, {n}, 5000):
    Case.objects.bulk_create(rows(start, min({n}, start + 5000)))
RESULT = {{"published": Case.objects.published().filter(lat__isnull=False).count(),
          "category": categories[0]}}
"""


def _timed(base: str, path: str, n: int, headers: dict | None = None) -> tuple[list, int, dict]:
    from bench.harness import get

    times, size, last = [], 0, {}
    for i in range(n):
        url = path.replace("{i}", str(i))
        started = time.perf_counter()
        status, head, body = get(base, url, headers=headers, timeout=600)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (status, url)
        size, last = len(body), head
    return times, size, last


def bench_data(args, work: Path, database: str) -> dict:
    """--reports published fault reports with a point (bulk-inserted: the demo's categories,
    random points over Uppsala), then the endpoint uncached (a different query string each
    time, so the public response cache misses and the view builds the JSON) and cached (the
    same URL again, as most visitors get it), with the bytes sent."""
    from bench.harness import Instance, get

    with Instance.new(work / f"map-{database}", database=database) as site:
        site.migrate()
        site.python(
            "from insyn.feedback import demo\nfrom insyn.feedback.models import Case\n"
            "demo.load_demo()\nCase.objects.all().delete()\nRESULT = 1"
        )
        log(f"inserting {args.reports:,} published reports ({database}) …")
        info = site.python(GENERATE.format(n=args.reports, box=UPPSALA), timeout=3600)
        log(f"{info['published']:,} published reports with a point")
        rows = []
        with site.serve(workers=2, threads=2) as base:
            get(base, "/synpunkter/", timeout=60)  # both workers up before timing
            get(base, "/synpunkter/", timeout=60)
            data = "/synpunkter/felanmalningar/karta.json"
            west, south, east, north = UPPSALA[2], UPPSALA[0], UPPSALA[3], UPPSALA[1]
            town = f"bbox={west},{south},{east},{north}&zoom=11"
            # a street at zoom 17 on a 1,000-pixel-wide screen: about 0.011° by 0.0055°
            street = "bbox=17.63,59.85,17.641,59.8555&zoom=17"
            for label, path in (
                ("whole municipality (zoom 11)", f"{data}?{town}"),
                ("one category, whole municipality", f"{data}?{town}&kategori={info['category']}"),
                ("street (zoom 17)", f"{data}?{street}"),
                ("no viewport (an old client)", data),
            ):
                sep = "&" if "?" in path else "?"
                times, size, _h = _timed(base, f"{path}{sep}v={{i}}", args.requests)
                cached, _s, head = _timed(
                    base, path, args.requests + 1, {"Accept-Encoding": "br, gzip"}
                )
                _t, gz, _h2 = _timed(base, path, 1, {"Accept-Encoding": "gzip"})
                answer = json.loads(get(base, path, timeout=600)[2])
                rows.append(
                    {
                        "label": label,
                        "count": answer["count"],
                        "points": len(answer["points"]),
                        "clusters": len(answer["clusters"]),
                        "p50_ms": round(_pct(times, 50)),
                        "p95_ms": round(_pct(times, 95)),
                        "cached_p95_ms": round(_pct(cached[1:], 95), 1),
                        "bytes": size,
                        "br_bytes": _s if head.get("content-encoding") == "br" else None,
                        "gzip_bytes": gz,
                    }
                )
                log(f"{label}: {rows[-1]}")
        return {"database": database, "published": info["published"], "rows": rows}


def report(data: list[dict], routing: dict | None, args) -> str:
    lines: list[str] = []
    if data:
        lines += [
            "## The public map's data endpoint (issue 18)",
            "",
            f"`bench/bench_map.py --reports {args.reports} --requests {args.requests}`: sequential "
            "GETs of the public map's data endpoint (`/synpunkter/felanmalningar/karta.json`) "
            "through `insyn serve` (2 workers), for the viewports the public list's map asks "
            "for (`bbox=west,south,east,north&zoom=Z`): the whole municipality, one category "
            "over it, and a street at zoom 17; and once without a viewport (an old client). Up "
            "to 2,000 reports in view the answer is one row per report; above that, grid "
            "clusters counted in the database (at most 41 × 41 cells), so its size does not "
            "grow with the register. *Uncached*: a new query string each time, so the view "
            "builds the JSON (what the first visitor of a viewport after a change waits for); "
            "*cached*: the public response cache's answer. Bytes: the JSON as built, and as "
            "sent brotli- and gzip-compressed from the cache.",
            "",
            "| Database | Published reports | Request | Reports in view | Points / clusters "
            "| Uncached p50 ms | Uncached p95 ms | Cached p95 ms | JSON bytes | Brotli bytes "
            "| Gzip bytes |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for item in data:
            for row in item["rows"]:
                br = f"{row['br_bytes']:,}" if row["br_bytes"] else "–"
                lines.append(
                    f"| {item['database']} | {item['published']:,} | {row['label']} | "
                    f"{row['count']:,} | {row['points']:,} / {row['clusters']:,} | "
                    f"{row['p50_ms']} | {row['p95_ms']} | {row['cached_p95_ms']} | "
                    f"{row['bytes']:,} | {br} | {row['gzip_bytes']:,} |"
                )
        too_big = [
            f"{item['database']} {row['label']}"
            for item in data
            for row in item["rows"]
            if row["bytes"] > 2 * 1024 * 1024
        ]
        if too_big:
            lines += [
                "",
                f"Not cached and not compressed ({', '.join(too_big)}): the answer is above the "
                "public response cache's limit (`insyn.core.public_cache.MAX_BODY`, 2 MB), so "
                "every visitor waits for it to be built and receives it uncompressed.",
            ]
        lines += [
            "",
            "Answers under 512 bytes are stored uncompressed (–). The bound: at most "
            "41 × 41 cells (40 across a viewport, plus the edges) of about 27 bytes each, under 50 KB for any viewport whatever the "
            "number of reports (tests/feedback/test_map.py checks that ten times the data does "
            "not mean ten times the bytes or more queries).",
            "",
        ]
    if routing:
        lines += [
            "## Routing points by district polygon (issue 18)",
            "",
            "In-process, no server: districts as Voronoi cells over Uppsala (shapely), random "
            "points looked up through `insyn.organisations.geometry.DistrictIndex` (the R-tree "
            "over prepared polygons that routing and statistics per district use); the first "
            "200 answers are checked against a brute-force `covers`.",
            "",
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
    parser.add_argument("--requests", type=int, default=15)
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
            if data:
                update_section("map-data", report(data, None, args), machine=machine())
            if routing:
                update_section("map-routing", report([], routing, args), machine=machine())


if __name__ == "__main__":
    main()
