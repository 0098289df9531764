"""The rest of the public record in the API — dialogues, indicators, budget, participatory
budgets, fault-report statistics — and the public change log. Only what is published, no
personal data (the crawl reads every response with SECRET and residents' data planted in
unpublished material), a bounded number of queries, and the API's own error format."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from insyn.dialogue import services
from insyn.dialogue.models import DeliveryStage, DialogueState, ProposalState
from insyn.feedback import services as feedback
from insyn.feedback.models import Kind
from insyn.indicators.models import BudgetLine, BudgetState, BudgetUpload
from tests.dialogue.factories import (
    BudgetFactory,
    DialogueFactory,
    ProposalFactory,
    PublishedDialogueFactory,
    SurveyFactory,
)
from tests.feedback.factories import CategoryFactory
from tests.indicators.factories import IndicatorFactory, KoladaAreaFactory, KpiFactory, add_series
from tests.opendata.conftest import SECRET
from tests.opendata.test_unpublished import PERSONAL, crawl

pytestmark = pytest.mark.django_db

RESIDENT = "invanarensegen@example.org"


@dataclass
class Record:
    dialogue: object
    draft_dialogue: object
    indicator: object
    hidden_indicator: object
    budget: object
    feasible: object
    waiting: object


def _published_dialogue(world, n: int = 0):
    dialogue = PublishedDialogueFactory(
        title=f"Dialog om Stadsträdgården {n}",
        responsible_board=world.board,
        feedback_summary="Ni ville ha fler bänkar.",
        feedback_usage="Vi ställer ut tio bänkar.",
        feedback_decision="Beslut i nämnden 2024-05-02.",
        feedback_published_at=timezone.now(),
    )
    dialogue.goals.set([world.goal])
    SurveyFactory(
        dialogue=dialogue,
        title="Enkät om bänkar",
        summary="Sju av tio vill ha fler bänkar.",
        summary_published_at=timezone.now(),
    )
    SurveyFactory(dialogue=dialogue, title="Opublicerad enkät", summary=SECRET)
    return dialogue


@pytest.fixture
def record(world) -> Record:
    dialogue = _published_dialogue(world)
    draft = DialogueFactory(title=f"Utkast {SECRET}", purpose=SECRET, state=DialogueState.DRAFT)
    kpi = KpiFactory(id="N00945", title="Invånare som är nöjda med parker, andel (%)")
    home = KoladaAreaFactory(id="0380", title="Uppsala")
    add_series(kpi, home, {2022: 61.0, 2023: 64.5})
    indicator = IndicatorFactory(kpi=kpi, title="Nöjdhet med parker")
    hidden = IndicatorFactory(title=f"Opublicerad {SECRET}", is_published=False)
    budget = BudgetFactory(dialogue=dialogue, title="Medborgarbudget Gottsunda", amount=100_000)
    feasible = ProposalFactory(budget=budget, title="Ny lekplats", cost=60_000, votes=12)
    waiting = ProposalFactory(
        budget=budget, title=f"Förslag {SECRET}", state=ProposalState.SUBMITTED, votes=0
    )
    upload = BudgetUpload.objects.create(
        year=2023,
        state=BudgetState.PUBLISHED,
        uploaded_at=timezone.now(),
        published_at=timezone.now(),
        note="Budget enligt fullmäktiges beslut",
    )
    BudgetLine.objects.create(
        upload=upload, organisation=world.board, activity="", net_cost=Decimal("412.5"), row=1
    )
    BudgetUpload.objects.create(
        year=2024, state=BudgetState.DRAFT, uploaded_at=timezone.now(), note=SECRET
    )
    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    feedback.create_case(
        kind=Kind.FAULT,
        category=category,
        description=f"Lampan är trasig {SECRET}",
        address_text="Kungsgatan 12",
        contact_name="Invånaren Segen",
        contact_email=RESIDENT,
    )
    return Record(dialogue, draft, indicator, hidden, budget, feasible, waiting)


def test_crawl_reaches_the_whole_record_and_nothing_unpublished_or_personal(client, record):
    pages = crawl(client)
    expected = {
        "/api/v1/dialogues",
        f"/api/v1/dialogues/{record.dialogue.pk}",
        "/api/v1/dialogues.csv",
        "/api/v1/indicators",
        f"/api/v1/indicators/{record.indicator.pk}",
        "/api/v1/budget",
        "/api/v1/budget.csv",
        "/api/v1/participatory-budgets",
        f"/api/v1/participatory-budgets/{record.budget.pk}",
        "/api/v1/fault-statistics",
        "/api/v1/fault-statistics.csv",
        "/api/catalog",
    }
    assert expected <= set(pages)
    for path, content in pages.items():
        text = content.decode("utf-8")
        assert SECRET not in text, path
        assert RESIDENT not in text and "Segen" not in text, path
        if path not in ("/api/openapi.json", "/api/catalog"):
            for word in PERSONAL:
                assert word not in text, (path, word)


def test_dialogue_detail_has_register_results_feedback_and_goals(client, record):
    data = client.get(f"/api/v1/dialogues/{record.dialogue.pk}").json()
    assert data["title"] == record.dialogue.title
    assert data["state"] == "open"
    assert data["participation_ladder"][0]["code"] == "consultation"
    assert data["methods"][0]["code"] == "survey"
    assert data["anchoring"]["body"] == "Gatu- och samhällsmiljönämnden"
    assert [g["number"] for g in data["goals"]] == ["4"]
    assert data["results"] == [
        {
            "survey": "Enkät om bänkar",
            "summary": "Sju av tio vill ha fler bänkar.",
            "published_at": data["results"][0]["published_at"],
        }
    ]
    assert data["feedback"]["usage"] == "Vi ställer ut tio bänkar."


def test_a_draft_dialogue_is_404_in_the_api_format(client, record):
    response = client.get(f"/api/v1/dialogues/{record.draft_dialogue.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
    assert SECRET not in response.content.decode()


def test_dialogue_csv(client, record):
    response = client.get("/api/v1/dialogues.csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("id,titel,status")
    assert record.dialogue.title in text


def test_indicator_values_carry_provenance(client, record):
    data = client.get(f"/api/v1/indicators/{record.indicator.pk}").json()
    assert data["kpi"]["id"] == "N00945"
    years = {v["year"]: v["value"] for v in data["values"]}
    assert years == {2022: 61.0, 2023: 64.5}
    assert data["values"][0]["provenance"]["source_ref"] == "test"
    listed = client.get("/api/v1/indicators").json()["results"]
    assert [i["id"] for i in listed] == [record.indicator.pk]
    assert client.get(f"/api/v1/indicators/{record.hidden_indicator.pk}").status_code == 404


def test_budget_only_published_uploads(client, record):
    data = client.get("/api/v1/budget").json()["results"]
    assert [y["year"] for y in data] == [2023]
    assert data[0]["lines"][0]["net_cost_mnkr"] == "412.500"
    assert "412.500" in client.get("/api/v1/budget.csv").content.decode("utf-8-sig")


def test_participatory_budget_votes_only_after_results(client, record):
    url = f"/api/v1/participatory-budgets/{record.budget.pk}"
    data = client.get(url).json()
    assert [p["title"] for p in data["projects"]] == ["Ny lekplats"]  # assessed only
    assert data["projects"][0]["votes"] is None
    record.budget.results_published_at = timezone.now()
    record.budget.save()
    record.feasible.is_winner = True
    record.feasible.save()
    data = client.get(url).json()
    assert data["projects"][0]["votes"] == 12
    assert data["projects"][0]["selected"] is True
    assert data["projects"][0]["delivery"] == {
        "stage": None,
        "responsible_organisation": None,
        "updates": [],
    }
    services.proposal_record_delivery(
        proposal=record.feasible,
        stage=DeliveryStage.BUILDING,
        on=dt.date(2025, 5, 2),
        note="Bygget har börjat.",
        by=None,
    )
    delivery = client.get(url).json()["projects"][0]["delivery"]
    assert delivery["stage"] == "building"
    assert delivery["updates"] == [
        {"stage": "building", "on": "2025-05-02", "note": "Bygget har börjat.", "photo": None}
    ]


def test_participatory_budget_of_a_draft_dialogue_is_404(client, record):
    hidden = BudgetFactory(dialogue=record.draft_dialogue)
    assert client.get(f"/api/v1/participatory-budgets/{hidden.pk}").status_code == 404


def test_statistics_range_edges(client, record):
    """A range backwards is empty, dates far out are clamped, never a 5xx."""
    data = client.get("/api/v1/fault-statistics", {"start": "2024-02-01", "end": "2024-01-01"})
    assert data.status_code == 200 and data.json()["results"] == []
    data = client.get("/api/v1/fault-statistics", {"start": "0001-01-01", "end": "9999-12-31"})
    assert data.status_code == 200
    assert data.json()["start"] == "2000-01-01" and data.json()["end"] == "2100-12-31"
    assert sum(r["received"] for r in data.json()["results"]) == 1


def test_fault_statistics_are_counts(client, record):
    data = client.get("/api/v1/fault-statistics").json()
    month = timezone.localdate().strftime("%Y-%m")
    assert data["results"] == [
        {"month": month, "category": "Gatubelysning", "area": "", "received": 1, "resolved": 0}
    ]
    csv = client.get("/api/v1/fault-statistics.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith(f"{month},Gatubelysning")


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2024-13-01"},
        {"start": "²⁰²⁴-01-01"},
        {"end": "x" * 10_000},
        {"start": "2024-01-01\x00"},
    ],
)
def test_bad_statistics_parameters_are_400_in_the_api_format(client, record, query):
    response = client.get("/api/v1/fault-statistics", query)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "1001"}, {"offset": "-1"}, {"limit": "٣"}]
)
def test_bad_paging_is_400(client, record, query):
    response = client.get("/api/v1/dialogues", query)
    assert response.status_code == 400
    assert (
        "limit" in response.json()["error"]["message"]
        or "offset" in response.json()["error"]["message"]
    )


def test_paging_through_dialogues(client, world):
    for n in range(5):
        _published_dialogue(world, n)
    first = client.get("/api/v1/dialogues", {"limit": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    seen = [d["id"] for d in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"].removeprefix("http://testserver")).json()
        seen += [d["id"] for d in page["results"]]
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    "path",
    ["/api/v1/dialogues", "/api/v1/participatory-budgets", "/api/v1/indicators", "/andringar/"],
)
def test_query_count_does_not_grow_with_data(client, world, django_assert_max_num_queries, path):
    def build(n: int) -> None:
        for i in range(n):
            dialogue = _published_dialogue(world, i + 1000 * n)
            BudgetFactory(dialogue=dialogue)
            IndicatorFactory()

    build(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(path).status_code == 200
    build(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200


# --- The change log ------------------------------------------------------------------------------


def test_change_log_page_lists_published_changes_newest_first(client, record, world):
    world.august.published_at = timezone.now() - dt.timedelta(days=3)
    world.august.save()
    response = client.get("/andringar/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Uppföljningen {world.august.label} {world.august.year} publicerades" in text
    assert f"Återkoppling: {record.dialogue.title}" in text
    assert "Budgeten för 2023 publicerades" in text
    assert text.index("Återkoppling") < text.index("Uppföljningen")
    assert SECRET not in text
    assert 'type="application/atom+xml"' in text


def test_change_log_atom_feed(client, record, world):
    record.budget.results_published_at = timezone.now()
    record.budget.save()
    response = client.get("/andringar/atom.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert f"Återkoppling: {record.dialogue.title}" in titles
    assert "Resultatet av medborgarbudgeten Medborgarbudget Gottsunda" in titles
    ids = [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(ids) == len(set(ids))
    assert SECRET not in response.content.decode()


def test_change_log_never_shows_a_draft(client, world):
    DialogueFactory(
        title=f"Utkast {SECRET}", feedback_published_at=timezone.now(), published_at=timezone.now()
    )
    assert SECRET not in client.get("/andringar/").content.decode()
    assert SECRET not in client.get("/andringar/atom.xml").content.decode()


def test_api_index_lists_every_dataset(client, record):
    urls = [e["url"] for e in client.get("/api/").json()["endpoints"]]
    for path in ("/api/v1/dialogues", "/api/catalog", "/andringar/atom.xml"):
        assert f"http://testserver{path}" in urls
    assert json.dumps(urls)
