"""The inbox map's stored grid (`CaseMapCell`): the triggers that keep it and its rebuild.

Every located case counts once in the row of its cell (floor(lat / MAP_CELL_LAT),
floor(long / MAP_CELL_LONG)), status, category, organisation (0: none) and kind, with the
sums of its latitude and longitude (in
whole units of MAP_SUM_UNIT degrees, so that the sums are exact). Database triggers on the case table keep the rows, in the
transaction of the change, whatever writes it: the services, `bulk_create`, `QuerySet.update`,
deletions, raw SQL. The map of the whole municipality then groups a few thousand rows, not
600,000 cases (issue 13).

Migration feedback 0009 installs the triggers and fills the grid with what is here. The
formulas are the migration's: a change to them (or to the cell sizes) needs a new migration
that drops and installs the triggers and rebuilds the grid.
"""

from __future__ import annotations

from typing import Any

from insyn.feedback.models import MAP_CELL_LAT, MAP_CELL_LONG, MAP_SUM_UNIT

TABLE = "feedback_casemapcell"
CASES = "feedback_case"
KEY = "cell_lat, cell_long, status, category_id, organisation_id, kind"
WATCHED = ("lat", "long", "status", "category_id", "organisation_id", "kind")


def _floor(vendor: str, value: str) -> str:
    """floor(value) as an integer. SQLite has floor() only when built with its math functions:
    CAST truncates towards zero, so one less for a negative value with a fraction."""
    if vendor == "postgresql":
        return f"floor({value})::integer"
    return f"(CAST({value} AS INTEGER) - ({value} < CAST({value} AS INTEGER)))"


def _key(vendor: str, row: str) -> list[str]:
    """The key columns' values for the case row `row` (NEW, OLD or a table alias)."""
    return [
        _floor(vendor, f"{row}.lat / {MAP_CELL_LAT!r}"),
        _floor(vendor, f"{row}.long / {MAP_CELL_LONG!r}"),
        f"{row}.status",
        f"{row}.category_id",
        f"coalesce({row}.organisation_id, 0)",
        f"{row}.kind",
    ]


def _units(vendor: str, value: str) -> str:
    """A coordinate in whole MAP_SUM_UNITs (rounded), for the grid's sums."""
    scaled = f"round({value} * {round(1 / MAP_SUM_UNIT)})"
    return f"{scaled}::bigint" if vendor == "postgresql" else f"CAST({scaled} AS INTEGER)"


def _located(row: str) -> str:
    return f"{row}.lat IS NOT NULL AND {row}.long IS NOT NULL"


def _remove(vendor: str, row: str = "OLD") -> str:
    match = " AND ".join(
        f"{column} = {value}"
        for column, value in zip(KEY.split(", "), _key(vendor, row), strict=True)
    )
    return (
        f"UPDATE {TABLE} SET n = n - 1, lat_sum = lat_sum - {_units(vendor, row + '.lat')}, "
        f"long_sum = long_sum - {_units(vendor, row + '.long')} WHERE {match}"
    )


def _add(vendor: str, row: str = "NEW") -> str:
    values = ", ".join(_key(vendor, row))
    return (
        f"INSERT INTO {TABLE} ({KEY}, n, lat_sum, long_sum) "
        f"SELECT {values}, 1, {_units(vendor, row + '.lat')}, {_units(vendor, row + '.long')} "
        f"WHERE {_located(row)} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = {TABLE}.n + 1, "
        f"lat_sum = {TABLE}.lat_sum + excluded.lat_sum, "
        f"long_sum = {TABLE}.long_sum + excluded.long_sum"
    )


def _changed(vendor: str) -> str:
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in WATCHED)


def install_sql(vendor: str) -> list[str]:
    """The statements that install the triggers on PostgreSQL or SQLite."""
    columns = ", ".join(WATCHED)
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION feedback_case_map_cell() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' AND {_located('OLD')} THEN {_remove(vendor)}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_add(vendor)}; END IF; "
            "RETURN NULL; END $$",
            "CREATE TRIGGER feedback_case_map_cell_write AFTER INSERT OR DELETE ON "
            f"{CASES} FOR EACH ROW EXECUTE FUNCTION feedback_case_map_cell()",
            f"CREATE TRIGGER feedback_case_map_cell_update AFTER UPDATE OF {columns} ON {CASES} "
            f"FOR EACH ROW WHEN ({_changed(vendor)}) EXECUTE FUNCTION feedback_case_map_cell()",
        ]
    if vendor == "sqlite":
        old = f"{_remove(vendor)} AND {_located('OLD')}"
        return [
            f"CREATE TRIGGER feedback_case_map_cell_insert AFTER INSERT ON {CASES} "
            f"BEGIN {_add(vendor)}; END",
            f"CREATE TRIGGER feedback_case_map_cell_delete AFTER DELETE ON {CASES} "
            f"BEGIN {old}; END",
            f"CREATE TRIGGER feedback_case_map_cell_update AFTER UPDATE OF {columns} ON {CASES} "
            f"WHEN {_changed(vendor)} BEGIN {old}; {_add(vendor)}; END",
        ]
    raise NotImplementedError(f"the inbox map's grid has no triggers for {vendor}")


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS feedback_case_map_cell_write ON {CASES}",
            f"DROP TRIGGER IF EXISTS feedback_case_map_cell_update ON {CASES}",
            "DROP FUNCTION IF EXISTS feedback_case_map_cell()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS feedback_case_map_cell_{event}"
        for event in ("insert", "delete", "update")
    ]


def rebuild_sql(vendor: str) -> list[str]:
    """The statements that refill the grid from the cases (in one transaction)."""
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} ({KEY}, n, lat_sum, long_sum) "
        f"SELECT {', '.join(_key(vendor, 'c'))}, count(*), "
        f"sum({_units(vendor, 'c.lat')}), sum({_units(vendor, 'c.long')}) "
        f"FROM {CASES} c WHERE {_located('c')} GROUP BY {', '.join(_key(vendor, 'c'))}",
    ]


def run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rebuild(connection: Any) -> None:
    """Refill the grid from the cases: after a bulk load with the triggers off (the
    benchmark's million cases), or to repair it. Run it inside a transaction."""
    run(connection, rebuild_sql(connection.vendor))
