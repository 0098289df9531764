"""Demo data of the organisations app: Uppsala's organisations and approximate districts."""

from __future__ import annotations

from insyn.organisations.services import (
    DATA_DIR,
    load_demo_districts,
    load_demo_places,
    load_registry_file,
)


def load_demo() -> str:
    created, updated = load_registry_file(DATA_DIR / "uppsala.json")
    d_created, d_updated = load_demo_districts()
    p_created, p_updated = load_demo_places()
    return (
        f"Organisationer: {created} nya, {updated} ändrade. "
        f"Områden (ungefärliga demogränser): {d_created} nya, {d_updated} ändrade. "
        f"Platser (ungefärliga demopunkter): {p_created} nya, {p_updated} ändrade."
    )
