"""Concurrent intake on PostgreSQL: case numbers stay unique and gapless per year."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from insyn.feedback import services
from insyn.feedback.models import Case, Kind

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_intake_numbers_are_unique_and_gapless(setup):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections)")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                services.create_case(
                    kind=Kind.FAULT,
                    category=setup.potholes,
                    description=f"Tråd {n} fall {i}",
                    address_text="Torget",
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Case.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, 21))
    assert not Case.objects.filter(number__startswith="~").exists()
