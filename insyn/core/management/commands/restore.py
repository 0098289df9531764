"""`insyn restore FILE`: read an archive from `insyn backup` into an EMPTY instance.

Empty means: no table holds rows (the database may be new, or only migrated) and MEDIA_ROOT has
no files. Anything else is refused before a thing is changed: a restore never merges into or
overwrites a running municipality's data. Stop the server while restoring.

The archive is checked first (its manifest, every member's SHA-256, and that it was not made by
a newer Insyn than this one). Then:

- SQLite archive → SQLite: copied in with SQLite's backup API;
- pg_dump archive → PostgreSQL: `pg_restore` in one transaction;
- JSON archive → either: `migrate`, then `loaddata`;
- SQLite archive → PostgreSQL: the copy is migrated, dumped to JSON and loaded (so an instance
  can move from the embedded database to PostgreSQL).

Afterwards `migrate` brings an older archive up to this version, the uploaded files are put back
and the cache is emptied.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from insyn.core.management.commands.backup import (
    ARCHIVE_FORMAT,
    ARCHIVE_FORMAT_VERSION,
    DB_MEMBERS,
    MANIFEST,
    cache_table_names,
    dump_json,
    postgres_env,
    sha256_file,
    temporary_sqlite_alias,
)
from insyn.core.publication import new_version_now
from insyn.core.reference import new_version_now as new_reference_version_now

# Tables that `migrate` itself fills, and throwaway state: rows here do not make an instance
# "not empty".
IGNORED_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_session"}


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack and verify an archive; returns its manifest."""
    if not archive.is_file():
        raise CommandError(f"Säkerhetskopian {archive} finns inte.")
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise CommandError(
            f"{archive} kan inte läsas som en säkerhetskopia från `insyn backup` ({exc})."
        ) from exc
    manifest_path = into / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(
            f"{archive} saknar en läsbar {MANIFEST}: det är inte en säkerhetskopia från "
            f"`insyn backup`, eller så är den ofullständig."
        ) from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise CommandError(f"{archive} är inte en säkerhetskopia från `insyn backup`.")
    if manifest.get("format_version", 0) > ARCHIVE_FORMAT_VERSION:
        raise CommandError(
            f"{archive} har arkivformat {manifest.get('format_version')}, som är nyare än den "
            f"här versionen av Insyn kan läsa ({ARCHIVE_FORMAT_VERSION}). Uppdatera Insyn först."
        )
    members = manifest.get("members", {})
    database = manifest.get("database", {})
    if database.get("format") not in DB_MEMBERS or database.get("member") not in members:
        raise CommandError(f"{archive}: manifestet nämner ingen databas som kan återställas.")
    for name, expected in members.items():
        path = into / name
        if not path.is_file():
            raise CommandError(f"{archive} är ofullständig: {name} saknas.")
        if sha256_file(path) != expected.get("sha256"):
            raise CommandError(f"{archive} är skadad: kontrollsumman för {name} stämmer inte.")
    return manifest


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    return [
        f"{app}.{name}"
        for app, name in manifest["database"].get("migrations", [])
        if (app, name) not in known
    ]


def tables_with_rows(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[alias]
    ignored = IGNORED_TABLES | cache_table_names()
    found = []
    with connection.cursor() as cursor:
        virtual: list[str] = []
        if connection.vendor == "sqlite":
            # Full-text (FTS5) tables keep bookkeeping rows in shadow tables even when empty.
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
            virtual = [row[0] for row in cursor.fetchall()]
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in ignored or table.startswith("sqlite_"):
                continue
            if any(table.startswith(f"{name}_") for name in virtual):
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                found.append(table)
    return found


def media_in_use() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


def empty_sqlite(alias: str) -> None:
    """Replace a SQLite database's whole content with an empty database."""
    connection = connections[alias]
    connection.ensure_connection()
    blank = sqlite3.connect(":memory:")
    try:
        blank.backup(connection.connection)
    finally:
        blank.close()
    connection.connection.execute("PRAGMA journal_mode=WAL")


def drop_postgres_tables(alias: str) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")


def load_json(alias: str, path: Path) -> None:
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    # The archive holds the history rows already. Loading many-to-many fields would otherwise
    # make django-simple-history record each of them once more, stamped with today's date.
    missing = object()
    before = getattr(settings, "SIMPLE_HISTORY_ENABLED", missing)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        call_command("loaddata", str(path), database=alias, verbosity=0)
    finally:
        if before is missing:
            del settings.SIMPLE_HISTORY_ENABLED
        else:
            settings.SIMPLE_HISTORY_ENABLED = before


class Command(BaseCommand):
    # Must work in an emergency and on a busy database: system checks query the database (on
    # SQLite one takes the write lock) and have nothing to say about a backup.
    requires_system_checks: list[str] = []
    help = (
        "Återställer en säkerhetskopia från `insyn backup` till en tom instans (ny databas, "
        "inga uppladdade filer). Stoppa servern under tiden."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Arkivfilen (tar.gz) från insyn backup")

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        alias = DEFAULT_DB_ALIAS
        connection = connections[alias]
        target_vendor = connection.vendor
        with tempfile.TemporaryDirectory(prefix="insyn-restore-") as tmp:
            work = Path(tmp)
            manifest = read_archive(archive, work)
            database = manifest["database"]
            if unknown := unknown_migrations(manifest):
                raise CommandError(
                    "Säkerhetskopian är gjord med en nyare version av Insyn än den här "
                    f"(okända migreringar: {', '.join(unknown[:5])}). Uppdatera Insyn först."
                )
            if database["format"] == "pg_dump" and target_vendor != "postgresql":
                raise CommandError(
                    "Säkerhetskopian innehåller en PostgreSQL-dump (pg_dump) och kan bara "
                    "återställas till PostgreSQL (sätt DATABASE_URL). Vill du byta databas: gör "
                    "en ny säkerhetskopia med `insyn backup --json`."
                )
            if database["format"] == "pg_dump" and shutil.which("pg_restore") is None:
                raise CommandError(
                    "pg_restore behövs för att återställa den här "
                    "säkerhetskopian men finns inte (installera postgresql-client)."
                )
            reasons = []
            if tables := tables_with_rows(alias):
                reasons.append(
                    f"databasen har innehåll i {len(tables)} tabeller "
                    f"({', '.join(tables[:5])}{' …' if len(tables) > 5 else ''})"
                )
            if files := media_in_use():
                reasons.append(f"{settings.MEDIA_ROOT} innehåller {len(files)} filer")
            if reasons:
                raise CommandError(
                    "Återställningen avbröts eftersom instansen inte är tom: "
                    + " och ".join(reasons)
                    + ". `insyn restore` skriver bara till en tom instans – en ny databas och en "
                    "tom katalog för uppladdade filer – så att inga data skrivs över. "
                    "Ingenting har ändrats."
                )

            db_file = work / database["member"]
            if database["format"] == "sqlite" and target_vendor == "sqlite":
                connection.ensure_connection()
                source = sqlite3.connect(db_file)
                try:
                    source.backup(connection.connection, pages=-1)
                finally:
                    source.close()
                connection.connection.execute("PRAGMA journal_mode=WAL")
            elif database["format"] == "pg_dump":
                drop_postgres_tables(alias)
                connection.close()
                result = subprocess.run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--clean",
                        "--if-exists",
                        "--single-transaction",
                        "--exit-on-error",
                        f"--dbname={connection.settings_dict['NAME']}",
                        str(db_file),
                    ],
                    env=postgres_env(connection.settings_dict),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise CommandError(f"pg_restore misslyckades: {result.stderr.strip()}")
            else:
                if database["format"] == "sqlite":
                    # Another engine: bring the copy up to this version, then move it as JSON.
                    json_file = work / "converted.json"
                    with temporary_sqlite_alias(db_file) as source_alias:
                        call_command(
                            "migrate", database=source_alias, interactive=False, verbosity=0
                        )
                        dump_json(source_alias, json_file)
                    db_file = json_file
                if target_vendor == "sqlite":
                    empty_sqlite(alias)
                else:
                    drop_postgres_tables(alias)
                load_json(alias, db_file)

            call_command("migrate", database=alias, interactive=False, verbosity=0)
            call_command("createcachetable", database=alias, verbosity=0)
            media_root = Path(settings.MEDIA_ROOT)
            restored_files = 0
            if (work / "media").is_dir():
                shutil.copytree(work / "media", media_root, dirs_exist_ok=True)
                restored_files = sum(1 for p in (work / "media").rglob("*") if p.is_file())
            for cache in caches.all():
                cache.clear()
            new_version_now()  # every public page of every server process is stale now
            new_reference_version_now()  # and what every process kept of the reference data

        self.stdout.write(
            f"Återställde säkerhetskopian från {manifest['created_at']} (Insyn "
            f"{manifest.get('insyn_version', '?')}, databas {database['vendor']} som "
            f"{database['format']}, {restored_files} uppladdade filer)."
        )
