"""Reference data kept in each process (insyn.core.reference): kept outside transactions, built
again after any change of a tracked model commits, never used or kept inside a transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from insyn.core.reference import Memo, bump_reference_version, reference_version
from insyn.feedback.models import Category
from tests.feedback.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def counting_memo():
    builds = []

    def build():
        builds.append(1)
        return sorted(Category.objects.values_list("code", flat=True))

    return Memo(build), builds


def test_kept_until_a_tracked_model_changes():
    memo, builds = counting_memo()
    assert memo.get() == [] and memo.get() == []
    assert len(builds) == 1  # kept
    category = CategoryFactory(code="potthal")  # a save bumps the version (autocommit)
    assert memo.get() == ["potthal"]
    category.delete()
    assert memo.get() == []
    assert len(builds) == 3
    bump_reference_version()
    memo.get()
    assert len(builds) == 4


def test_a_change_bumps_only_when_its_transaction_commits():
    before = reference_version()
    with transaction.atomic():
        CategoryFactory(code="potthal")
        assert reference_version() == before
    assert reference_version() != before
    during = reference_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        CategoryFactory(code="klotter")
        raise RuntimeError
    assert reference_version() == during  # rolled back: nothing changed


def test_inside_a_transaction_neither_used_nor_kept():
    memo, builds = counting_memo()
    memo.get()
    with transaction.atomic():
        CategoryFactory(code="potthal")
        assert memo.get() == ["potthal"]  # its own change, not the kept list
        assert memo.get() == ["potthal"]
    assert len(builds) == 3
    assert memo.get() == ["potthal"] and memo.get() == ["potthal"]
    assert len(builds) == 4


def test_without_redis_the_version_is_a_file_beside_the_publication_version(settings, tmp_path):
    """The embedded default: every process of the machine reads the same file."""
    settings.INSYN_PUBLICATION_VERSION_FILE = tmp_path / "publication-version"
    first = reference_version()
    assert (tmp_path / "reference-version").read_text() == first
    assert reference_version() == first
    bump_reference_version()  # outside a transaction: at once
    assert reference_version() != first
    assert (tmp_path / "reference-version").read_text() == reference_version()
    assert not (tmp_path / "publication-version").exists()  # a version of its own
