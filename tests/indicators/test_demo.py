"""The demo: bundled Kolada-format files in step with their generator, load_demo idempotent and
linked to goals 1 and 4 of the 2023 plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from insyn.indicators import demo, demo_data
from insyn.indicators.models import (
    BudgetLine,
    BudgetUpload,
    ImportRun,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    Kpi,
    PeerGroup,
    Value,
    ValueRevision,
)
from insyn.indicators.sources import FileSource


def test_bundled_files_match_the_generator():
    for name, content in demo_data.build().items():
        path = demo_data.DATA_DIR / name
        assert path.exists(), name
        if name.endswith(".json"):
            assert json.loads(path.read_text(encoding="utf-8")) == content, name
        else:
            assert path.read_text(encoding="utf-8") == content, name


def test_bundled_files_parse_with_paging():
    source = FileSource([demo_data.DATA_DIR])
    metadata = list(source.metadata_pages())
    data = list(source.data_pages())
    assert {page.entity for page in metadata} == {"kpi", "municipality", "municipality_groups"}
    assert len(data) > 2 and all(page.entity == "data" for page in data)
    assert data[-1].next_link is None and data[0].next_link == "data-2.json"


def test_readme_says_demo_figures():
    text = (demo_data.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "NOT real" in text and "invented demo figure" in text


def snapshot():
    return (
        sorted(Value.objects.values_list("kpi_id", "area_id", "period", "gender", "value")),
        Kpi.objects.count(),
        Indicator.objects.count(),
        IndicatorLink.objects.count(),
        IndicatorTarget.objects.count(),
        PeerGroup.objects.count(),
        BudgetUpload.objects.count(),
        BudgetLine.objects.count(),
        ImportRun.objects.count(),
        ValueRevision.objects.count(),
        Indicator.history.count(),
        IndicatorLink.history.count(),
        PeerGroup.history.count(),
    )


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_links_goals(client):
    from insyn.importers.services import import_followup_files
    from insyn.organisations.services import DATA_DIR, load_registry_file

    load_registry_file(DATA_DIR / "uppsala.json")
    pages = Path(__file__).resolve().parents[2] / "insyn" / "importers" / "demo_pages"
    import_followup_files(sorted(pages.glob("*.txt")))
    demo.load_demo()
    first = snapshot()
    demo.load_demo()
    assert snapshot() == first
    goals = {link.goal.number for link in IndicatorLink.objects.select_related("goal")}
    assert goals == {"1", "4"}
    # six Kolada and own indicators, two resident signals (computed from the demo's cases)
    assert Indicator.objects.filter(is_published=True).count() == 8
    assert Indicator.objects.filter(kpi__source="insyn").count() == 2
    assert (
        Value.objects.filter(kpi_id="U07414", area_id="0380", period=2020, gender="T").get().value
        is None
    )
    assert BudgetUpload.objects.filter(state="published").count() == 2
    assert client.get(reverse("indicators:index")).status_code == 200
    assert client.get(reverse("indicators:budget")).status_code == 200
    for indicator in Indicator.objects.all():
        assert client.get(indicator.get_absolute_url()).status_code == 200
    goal = IndicatorLink.objects.filter(goal__number="4").first().goal
    page = client.get(goal.get_absolute_url()).content.decode()
    assert "Invånare som känner sig trygga" in page and "Beräknat av Insyn" in page
    assert "Felanmälningar per 1 000 invånare" in page and "Så beräknas det:" in page


@pytest.mark.django_db
def test_load_demo_without_goals_still_loads_indicators():
    from insyn.organisations.services import DATA_DIR, load_registry_file

    load_registry_file(DATA_DIR / "uppsala.json")
    demo.load_demo()
    assert Indicator.objects.count() == 8 and not IndicatorLink.objects.exists()
