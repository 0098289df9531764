import pytest

from insyn.organisations.services import DATA_DIR, load_registry_file


@pytest.fixture
def registry():
    """Uppsala's organisations, which every imported page names."""
    load_registry_file(DATA_DIR / "uppsala.json")
