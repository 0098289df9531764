"""Recovery (issue 7 §5): `insyn backup` while the server runs, `insyn restore` into an empty
instance, and the restored instance serves the same pages and API output, byte for byte.

The source instance holds the Uppsala demo (`insyn load-demo`) plus a staff user, a queued email
and uploaded files. It is backed up twice while `insyn serve` serves it (the engine's own
format — SQLite backup API or pg_dump — and JSON); each archive is restored into a new instance,
both are served side by side, and every public page and API document reachable from the start
page and /api/ is compared byte for byte (the port and CSRF tokens aside).
Runs on SQLite, and on PostgreSQL when the suite runs with DATABASE_URL=postgres://….
"""

from __future__ import annotations

import io
import json
import re
import stat
import tarfile
import threading
import time
import zipfile
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management.base import CommandError

from insyn.core.management.commands.restore import read_archive
from tests.ops.instance import Instance, get

SEEDS = [
    "/",
    "/health/",
    "/api/",
    "/api/v1/plans",
    "/api/v1/organisations",
    "/api/v1/periods",
    "/sok/?q=trygghet",
    "/arkiv/",
    "/organisationer/",
]
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/konto/", "/personal/", "/i18n/")
MAX_PAGES = 150
MAX_PER_SECTION = 12  # per first path segment, so that one long list does not crowd out the rest
UPLOADS = {
    "uploads/protokoll-2023.txt": "Protokoll från nämndens sammanträde.\n".encode(),
    "uploads/bilder/foto.bin": bytes(range(256)) * 64,
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)


def _json_links(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(("/", "http://127.0.0.1")) else []
    if isinstance(value, dict):
        return [link for v in value.values() for link in _json_links(v)]
    if isinstance(value, list):
        return [link for v in value for link in _json_links(v)]
    return []


def _local_path(base: str, link: str) -> str | None:
    parts = urlsplit(urljoin(base + "/", link))
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIP_PREFIXES) else path


def normalise(base: str, body: bytes) -> str:
    """What legitimately differs between two servers: their port, per-request CSRF tokens, and
    the time an XLSX file was written (its document properties and ZIP entry dates): a workbook
    is compared by its sheets and strings, a PDF only as being a PDF."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(
                archive.read(name)
                for name in sorted(archive.namelist())
                if name.startswith(("xl/worksheets/", "xl/sharedStrings"))
            )
    if body.startswith(b"%PDF"):
        # WeasyPrint writes the time into the PDF's (compressed) metadata; the same report's
        # content is compared through the period's CSV and API documents.
        return "PDF"
    text = body.decode("utf-8", errors="replace").replace(base, "http://SERVER")
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1CSRF", text)
    return re.sub(r'("X-CSRFToken"\s*:\s*")[^"]+', r"\1CSRF", text)


def crawl(base: str) -> dict[str, tuple[int, str]]:
    """Public pages and API documents reachable from the seeds: {path: (status, body)}."""
    pages: dict[str, tuple[int, str]] = {}
    sections: Counter[str] = Counter()
    queue = deque(SEEDS)
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        section = path.split("/")[1]
        if path in pages or (path not in SEEDS and sections[section] >= MAX_PER_SECTION):
            continue
        sections[section] += 1
        status, headers, body = get(base, path)
        pages[path] = (status, normalise(base, body))
        content_type = headers.get("content-type", "")
        if "html" in content_type:
            parser = _Links()
            parser.feed(body.decode("utf-8", errors="replace"))
            links = parser.links
        elif "json" in content_type:
            links = _json_links(json.loads(body))
        else:
            links = []
        for link in links:
            local = _local_path(base, link)
            if local and local not in pages:
                queue.append(local)
    return pages


def fetch(base: str, paths: list[str]) -> dict[str, tuple[int, str]]:
    pages = {}
    for path in paths:
        status, _, body = get(base, path)
        pages[path] = (status, normalise(base, body))
    return pages


def dump(site: Instance) -> list[dict]:
    out = site.insyn(
        "dumpdata",
        "--natural-foreign",
        "--exclude",
        "contenttypes",
        "--exclude",
        "auth.permission",
        "--exclude",
        "sessions",
        "--exclude",
        "core.storedfragment",  # renderings, drawn again by every crawl (not backed up)
        "--exclude",
        "feedback.casemapcell",  # the inbox map's grid: compared by `grid` (ids may differ)
    ).stdout
    return sorted(json.loads(out), key=lambda row: (row["model"], str(row["pk"])))


def grid(site: Instance) -> list:
    """The inbox map's grid (not in a JSON backup: the case table's triggers fill it as the
    cases load), its cells with cases, in order."""
    return site.python(
        "from insyn.feedback.models import CaseMapCell\n"
        "RESULT = sorted(CaseMapCell.objects.filter(n__gt=0).values_list("
        "'cell_lat', 'cell_long', 'status', 'category_id', 'organisation_id', 'kind', 'n', "
        "'lat_sum', 'long_sum'))"
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory, template, static_root):
    """The demo instance, crawled through `insyn serve`, and backed up while it serves."""
    work = tmp_path_factory.mktemp("insyn-source")
    with Instance.new(work / "site", template=template, static_root=static_root) as site:
        site.insyn("load-demo")
        site.python(
            "from django.core.files.base import ContentFile\n"
            "from django.core.files.storage import default_storage\n"
            "from insyn.core.mail import queue_email\n"
            "from tests.factories import UserFactory\n"
            "UserFactory(username='redaktor', first_name='Rut', last_name='Redaktör')\n"
            "queue_email('invanare@example.org', 'Tack för ditt svar', 'Hej!')\n"
            f"for name, data in {UPLOADS!r}.items():\n"
            "    default_storage.save(name, ContentFile(data))\n"
        )
        with site.serve(workers=2) as base:
            pages = crawl(base)
            archives = {"native": work / "native.tar.gz", "json": work / "json.tar.gz"}
            site.insyn("backup", "--output", str(archives["native"]))
            site.insyn("backup", "--json", "--output", str(archives["json"]))
            assert get(base, "/health/")[0] == 200  # still serving after the backups
        yield {
            "site": site,
            "pages": pages,
            "archives": archives,
            "data": dump(site),
            "grid": grid(site),
        }


def test_the_crawl_covers_pages_and_api(source):
    pages = source["pages"]
    assert len(pages) >= 15
    assert any(p.startswith("/plan/") and "/mal/" in p for p in pages), "goal pages"
    assert any("/uppdrag/" in p for p in pages), "assignment pages"
    assert any(p.startswith("/api/v1/") for p in pages), "API documents"
    assert all(status < 500 for status, _ in pages.values())


def test_archive_has_database_media_and_checksummed_manifest(source):
    archive = source["archives"]["native"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "the archive holds personal data"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
        uploaded = {name: tar.extractfile(f"media/{name}").read() for name in UPLOADS}
    assert manifest["format"] == "insyn-backup"
    assert manifest["insyn_version"]
    assert manifest["created_at"]
    database = manifest["database"]
    site = source["site"]
    assert database["vendor"] == site.vendor
    assert database["format"] == ("sqlite" if site.vendor == "sqlite" else "pg_dump")
    assert ["goals", "0001_initial"] in database["migrations"]
    assert set(manifest["members"]) | {"manifest.json"} == names
    assert uploaded == UPLOADS
    for member in manifest["members"].values():
        assert re.fullmatch(r"[0-9a-f]{64}", member["sha256"])


@pytest.mark.parametrize(
    ("kind", "migrated_target"),
    [("native", False), ("json", True)],
    ids=["native-into-new-database", "json-into-migrated-database"],
)
def test_restore_gives_identical_pages_api_and_data(
    source, new_instance, template, kind, migrated_target
):
    target = new_instance("restored", template=template if migrated_target else None)
    result = target.insyn("restore", str(source["archives"][kind]))
    assert "Återställde säkerhetskopian" in result.stdout

    # Both served side by side, so that both run the same code at the same moment.
    with source["site"].serve(workers=1) as original, target.serve(workers=1) as restored:
        pages = crawl(original)
        again = fetch(restored, list(pages))
    differing = [path for path, page in pages.items() if again[path] != page]
    assert not differing, f"pages differ after restore: {differing[:10]}"
    assert dump(target) == source["data"]
    assert grid(target) == source["grid"] and source["grid"]  # the demo's located cases
    for name, data in UPLOADS.items():
        assert (target.media_root / name).read_bytes() == data


def test_restore_refuses_an_instance_with_data_and_changes_nothing(source):
    site = source["site"]
    before = dump(site)
    result = site.insyn("restore", str(source["archives"]["native"]), check=False)
    assert result.returncode != 0
    assert "inte är tom" in result.stderr
    assert "Ingenting har ändrats" in result.stderr
    assert dump(site) == before


def test_restore_refuses_when_uploaded_files_exist(source, new_instance):
    target = new_instance("with-files")
    (target.media_root / "uploads").mkdir(parents=True)
    (target.media_root / "uploads" / "kvar.txt").write_text("en gammal fil")
    result = target.insyn("restore", str(source["archives"]["json"]), check=False)
    assert result.returncode != 0
    assert "innehåller 1 filer" in result.stderr
    assert (target.media_root / "uploads" / "kvar.txt").read_text() == "en gammal fil"


def _repack(archive: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            if member.name in change and change[member.name] is None:
                continue
            data = change.get(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_damaged_or_foreign_archives_are_refused_with_clear_errors(source, tmp_path):
    archive = source["archives"]["json"]
    not_a_tar = tmp_path / "inte-ett-arkiv.tar.gz"
    not_a_tar.write_text("hej")
    tampered = _repack(
        archive,
        tmp_path / "andrad.tar.gz",
        {"media/uploads/protokoll-2023.txt": b"Ett annat protokoll.\n"},
    )
    no_manifest = _repack(archive, tmp_path / "utan-manifest.tar.gz", {"manifest.json": None})
    cases = [
        (tmp_path / "saknas.tar.gz", "finns inte"),
        (not_a_tar, "kan inte läsas som en säkerhetskopia"),
        (tampered, "kontrollsumman för media/uploads/protokoll-2023.txt stämmer inte"),
        (no_manifest, "saknar en läsbar manifest.json"),
    ]
    for path, message in cases:
        with pytest.raises(CommandError, match=re.escape(message)):
            read_archive(path, tmp_path / f"unpacked-{path.stem}")


class _Writer(threading.Thread):
    """Writes batches of BATCH emails, one transaction per batch, until stopped."""

    BATCH = 5

    def __init__(self, site: Instance) -> None:
        super().__init__(daemon=True)
        self.site = site
        self.stop = threading.Event()
        self.committed = 0
        self.error: BaseException | None = None

    def _connect(self):
        if self.site.vendor == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.site.sqlite_path, timeout=20, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=20000")
            return conn, "?", "BEGIN IMMEDIATE"
        import psycopg

        return psycopg.connect(self.site.database_url, autocommit=True), "%s", "BEGIN"

    def run(self) -> None:
        try:
            conn, mark, begin = self._connect()
            sql = (
                'INSERT INTO core_outgoingemail ("to", subject, body, dedupe_key, state, '
                "attempts, last_error, created_at) VALUES "
                f"({mark}, 'Batch', '', {mark}, 'sent', 0, '', CURRENT_TIMESTAMP)"
            )
            while not self.stop.is_set():
                batch = self.committed + 1
                conn.execute(begin)
                for i in range(self.BATCH):
                    conn.execute(sql, (f"{i}@example.org", f"batch-{batch}"))
                conn.execute("COMMIT")
                self.committed = batch
                time.sleep(0.002)  # a busy site, not a tight loop that starves every other writer
            conn.close()
        except BaseException as exc:  # reported by the test
            self.error = exc


def test_backup_is_consistent_while_writes_happen(new_instance, template, tmp_path):
    site = new_instance("busy", template=template)
    writer = _Writer(site)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while writer.committed < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        archive = tmp_path / "busy.tar.gz"
        site.insyn("backup", "--output", str(archive))
        during = writer.committed
        time.sleep(0.3)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert writer.committed > during >= 20, "writes went on before, during and after"

    restored = new_instance("restored")
    restored.insyn("restore", str(archive))
    counts = restored.python(
        "from django.db.models import Count\n"
        "from insyn.core.models import OutgoingEmail\n"
        "RESULT = dict(OutgoingEmail.objects.filter(dedupe_key__startswith='batch-')"
        ".values_list('dedupe_key').annotate(n=Count('id')))\n"
    )
    assert counts, "the backup holds the batches committed before it started"
    assert set(counts.values()) == {_Writer.BATCH}, "no batch is cut in half"
    batches = sorted(int(key.removeprefix("batch-")) for key in counts)
    assert batches == list(range(1, len(batches) + 1)), "a prefix of the committed batches"
    assert len(batches) <= during
