"""The full-text index, one per database backend.

SQLite: an external-content FTS5 table over SearchDocument.stemmed (Swedish stems computed in
Python), kept in sync by triggers, so every insert, upsert, update and delete of a document (ORM,
bulk or raw) updates it.

PostgreSQL: a GIN index on exactly the expression that
`SearchVector("title", "body", config="swedish")` compiles to, so the search filter can use it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_searchdocument_fts USING fts5(
        stemmed,
        content='search_searchdocument',
        content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )
    """,
    """
    CREATE TRIGGER search_searchdocument_fts_insert AFTER INSERT ON search_searchdocument
    BEGIN
        INSERT INTO search_searchdocument_fts(rowid, stemmed) VALUES (new.id, new.stemmed);
    END
    """,
    """
    CREATE TRIGGER search_searchdocument_fts_delete AFTER DELETE ON search_searchdocument
    BEGIN
        INSERT INTO search_searchdocument_fts(search_searchdocument_fts, rowid, stemmed)
        VALUES ('delete', old.id, old.stemmed);
    END
    """,
    """
    CREATE TRIGGER search_searchdocument_fts_update AFTER UPDATE ON search_searchdocument
    BEGIN
        INSERT INTO search_searchdocument_fts(search_searchdocument_fts, rowid, stemmed)
        VALUES ('delete', old.id, old.stemmed);
        INSERT INTO search_searchdocument_fts(rowid, stemmed) VALUES (new.id, new.stemmed);
    END
    """,
    "INSERT INTO search_searchdocument_fts(search_searchdocument_fts) VALUES ('rebuild')",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS search_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS search_searchdocument_fts_insert",
    "DROP TABLE IF EXISTS search_searchdocument_fts",
]

POSTGRESQL_FORWARD = [
    """
    CREATE INDEX search_searchdocument_swedish_gin ON search_searchdocument USING gin (
        to_tsvector('swedish'::regconfig,
                    COALESCE("title", '') || ' ' || COALESCE("body", ''))
    )
    """,
]

POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS search_searchdocument_swedish_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
