"""Demo data of the organisations app: Uppsala's organisations and approximate districts."""

from __future__ import annotations

from insyn.organisations.services import DATA_DIR, load_demo_districts, load_registry_file


def load_demo() -> str:
    created, updated = load_registry_file(DATA_DIR / "uppsala.json")
    d_created, d_updated = load_demo_districts()
    return (
        f"Organisationer: {created} nya, {updated} ändrade. "
        f"Områden (ungefärliga demogränser): {d_created} nya, {d_updated} ändrade."
    )
