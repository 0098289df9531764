"""The live-API mode against a local stand-in for Kolada v3 (the real API is not reachable from
tests): ids chunked to 25 per path segment, per_page=5000, next_url followed, pages saved for
offline replay, and failures that leave the database as it was."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from insyn.indicators.models import Kpi, PeerGroup, Value
from insyn.indicators.sources import ApiSource, KoladaFetchError

pytestmark = pytest.mark.django_db

SERVER_PAGE_SIZE = 7  # smaller than per_page, so the stand-in pages like the real API


class FakeKolada:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.fail_paths: set[str] = set()
        self.value_offset = 0.0
        self.page_size = SERVER_PAGE_SIZE
        self._cache: dict[tuple[str, float], list[dict]] = {}

    def items(self, parts: list[str]) -> list[dict]:
        entity = parts[0]
        if entity == "kpi":
            return [
                {
                    "id": kpi,
                    "title": f"Nyckeltal {kpi}, andel (%)",
                    "is_divided_by_gender": kpi.endswith("1"),
                    "publ_period": "2024",
                    "publication_date": "2025-04-01",
                    "municipality_type": "K",
                }
                for kpi in parts[1].split(",")
            ]
        if entity == "municipality":
            return [
                {"id": f"{n:04d}", "title": f"Kommun {n}", "type": "K"} for n in range(1, 41)
            ] + [{"id": "0000", "title": "Riket", "type": "L"}]
        if entity == "municipality_groups":
            return [
                {
                    "id": group,
                    "title": f"Grupp {group}",
                    "members": [{"member_id": "0001", "member_title": "Kommun 1"}],
                }
                for group in parts[1].split(",")
            ]
        if entity == "data":
            dims = dict(zip(parts[1::2], parts[2::2], strict=False))
            result = []
            for kpi in dims["kpi"].split(","):
                for area in dims["municipality"].split(","):
                    for year in dims["year"].split(","):
                        result.append(
                            {
                                "kpi": kpi,
                                "municipality": area,
                                "period": int(year),
                                "values": [
                                    {
                                        "gender": "T",
                                        "count": 1,
                                        "status": "",
                                        "value": int(year) - 2000 + self.value_offset,
                                        "isdeleted": False,
                                    }
                                ],
                            }
                        )
            return result
        raise KeyError(entity)

    def respond(self, path: str, query: dict) -> tuple[int, bytes]:
        parts = [p for p in path.split("/") if p][1:]  # drop "v3"
        if any(fail in path for fail in self.fail_paths):
            return 503 if "503" in self.fail_paths else 404, b"{}"
        key = (path, self.value_offset)
        if key not in self._cache:
            self._cache[key] = self.items(parts)
        items = self._cache[key]
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        more = page * self.page_size < len(items)
        next_query = {**{k: v[0] for k, v in query.items()}, "page": page + 1}
        body = {
            "values": chunk,
            "count": len(chunk),
            "next_url": (
                f"{self.base}{path}?{urllib.parse.urlencode(next_query)}"
                if more
                else (None if page % 2 else "")
            ),
            "previous_url": None,
        }
        return 200, json.dumps(body).encode()


@pytest.fixture
def kolada():
    fake = FakeKolada()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            fake.requests.append(self.path)
            status, body = fake.respond(
                urllib.parse.unquote(url.path), urllib.parse.parse_qs(url.query)
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_port}"
    fake.url = fake.base + "/v3"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def kpis(n):
    return [f"N{n:05d}" for n in range(1, n + 1)]


def test_ids_are_chunked_to_25_per_segment_and_pages_followed(kolada):
    kolada.page_size = 997
    source = ApiSource(
        kolada.url,
        kpis=kpis(30),
        municipalities=[f"{n:04d}" for n in range(1, 31)],
        years=list(range(1995, 2025)),
        retries=0,
    )
    metadata = list(source.metadata_pages())
    data = list(source.data_pages())
    for request in kolada.requests:
        path = urllib.parse.urlsplit(request).path
        for segment in path.split("/"):
            assert len(segment.split(",")) <= 25, request
        if "/data/" in path:
            assert "per_page=5000" in request
    kpi_items = [item for page in metadata if page.entity == "kpi" for item in page.items]
    assert len(kpi_items) == 30
    values = [item for page in data for item in page.items]
    assert len(values) == 30 * 30 * 30  # every combination, across many pages
    assert len({(v.kpi, v.area, v.period) for v in values}) == len(values)
    assert all(page.fetched_at is not None for page in data)


def test_live_import_through_the_command_with_provenance(kolada, tmp_path):
    out = StringIO()
    call_command(
        "import_kolada",
        base_url=kolada.url,
        kpi=["N00001,N00002"],
        municipality=["0001,0002,0003"],
        group=["G100"],
        years="2022-2024",
        save_dir=str(tmp_path / "saved"),
        stdout=out,
    )
    assert "2 KPI:er" in out.getvalue()
    value = Value.objects.get(kpi_id="N00001", area_id="0002", period=2023)
    assert value.value == 23.0
    assert value.source_ref.startswith(kolada.url + "/data/kpi/N00001,N00002/municipality/")
    assert value.publ_period == "2024"
    # groups are fetched, and their ids are used as municipalities in the data query
    assert PeerGroup.objects.get(kolada_id="G100").members.count() == 1
    assert Value.objects.filter(area_id="G100").count() == 6
    # the saved pages replay offline to the same result
    before = sorted(Value.objects.values_list("kpi_id", "area_id", "period", "gender", "value"))
    Value.objects.all().delete()
    call_command("import_kolada", str(tmp_path / "saved"), stdout=StringIO())
    after = sorted(Value.objects.values_list("kpi_id", "area_id", "period", "gender", "value"))
    assert before == after
    assert (tmp_path / "saved" / "data-0002.json").exists()


def test_reimport_from_the_api_keeps_revisions(kolada):
    args = {
        "base_url": kolada.url,
        "kpi": ["N00001"],
        "municipality": ["0001"],
        "years": "2024",
        "stdout": StringIO(),
    }
    call_command("import_kolada", **args)
    kolada.value_offset = 0.5
    call_command("import_kolada", **args)
    from insyn.indicators.models import ValueRevision

    assert Value.objects.get(area_id="0001", period=2024).value == 24.5
    assert ValueRevision.objects.get(area_id="0001", period=2024).value == 24.0


def test_http_error_stops_the_import_and_writes_nothing(kolada):
    kolada.fail_paths = {"/data/"}
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command(
            "import_kolada",
            base_url=kolada.url,
            kpi=["N00001"],
            municipality=["0001"],
            years="2024",
            stdout=StringIO(),
        )
    assert not Kpi.objects.exists() and not Value.objects.exists()


def test_base_url_from_the_setting(kolada, settings):
    settings.KOLADA_BASE_URL = kolada.url
    call_command(
        "import_kolada", kpi=["N00001"], municipality=["0001"], years="2024", stdout=StringIO()
    )
    assert Value.objects.count() == 1


def test_only_http_urls():
    with pytest.raises(KoladaFetchError):
        ApiSource("file:///etc/passwd", kpis=["N1"])
    with pytest.raises(KoladaFetchError):
        ApiSource("https://api.kolada.se/v3", kpis=[])


def test_server_errors_are_retried_then_reported(kolada, monkeypatch):
    monkeypatch.setattr("insyn.indicators.sources.time.sleep", lambda s: None)
    kolada.fail_paths = {"/kpi/", "503"}
    source = ApiSource(kolada.url, kpis=["N1"], retries=2)
    with pytest.raises(KoladaFetchError, match="HTTP 503"):
        list(source.metadata_pages())
    assert len([r for r in kolada.requests if "/kpi/" in r]) == 3
