"""The organisation registry: lookup, run-together names, written lists and groups (no Django)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from insyn.organisations.registry import (
    GroupEntry,
    OrgEntry,
    Registry,
    guess_kind,
    normalize_name,
)

DATA_FILE = (
    Path(__file__).resolve().parents[2] / "insyn" / "organisations" / "data" / "uppsala.json"
)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Override the Django cache fixture from tests/conftest.py: these tests are pure Python."""
    yield


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_file(DATA_FILE)


def test_it_loads_the_uppsala_data_file(registry: Registry) -> None:
    assert registry.municipality == {
        "name": "Uppsala kommun",
        "short_name": "Uppsala",
        "code": "0380",
        "parent_company": "Uppsala Stadshus AB",
    }
    assert registry.lookup("KS") == registry.lookup("Kommunstyrelsen")
    assert registry.organisation("Kommunstyrelsen").kind == "executive_board"
    assert registry.organisation("Trafikverket").kind == "external"


def test_the_data_file_is_valid_json_in_the_documented_format() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"municipality", "organisations", "groups"}
    for item in data["organisations"]:
        assert {"name", "kind", "abbreviations", "aliases", "active_from", "active_until"} <= set(
            item
        )
        assert item["kind"] in {"executive_board", "board", "company", "external"}
    assert [g["name"] for g in data["groups"]] == [
        "Alla nämnder och bolag",
        "Alla nämnder",
        "Alla bolag",
    ]


SEED_NAMES = [
    # Full names as the seeds' "Ansvariga" write them.
    "Kommunstyrelsen",
    "Arbetsmarknadsnämnden",
    "Gatu- och samhällsmiljönämnden",
    "Idrotts- och fritidsnämnden",
    "Kulturnämnden",
    "Omsorgsnämnden",
    "Plan- och byggnadsnämnden",
    "Socialnämnden",
    "Utbildningsnämnden",
    "Äldrenämnden",
    "Räddningsnämnden",
    "Uppsala kommun Arenor och Fastigheter AB",
    "Uppsala Kommun Skolfastigheter AB",
    "Uppsala Kommuns Fastighets AB",
    "Uppsala Stadshus AB",
    "Uppsala bostadsförmedling AB",
    "Uppsalahem AB",
    "Aktiebolaget Uppsala Kommuns Industrihus",
    "Destination Uppsala AB",
]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_organisation_named_in_the_seeds_is_registered(registry: Registry, name: str) -> None:
    entry = registry.lookup(name)
    assert isinstance(entry, OrgEntry)
    assert entry.name == name


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("KS", "Kommunstyrelsen"),
        ("AMN", "Arbetsmarknadsnämnden"),
        ("GSN", "Gatu- och samhällsmiljönämnden"),
        ("IFN", "Idrotts- och fritidsnämnden"),
        ("KTN", "Kulturnämnden"),
        ("OSN", "Omsorgsnämnden"),
        ("OMN", "Omsorgsnämnden"),
        ("PBN", "Plan- och byggnadsnämnden"),
        ("SCN", "Socialnämnden"),
        ("UBN", "Utbildningsnämnden"),
        ("ÄLN", "Äldrenämnden"),
        ("UKAF", "Uppsala kommun Arenor och Fastigheter AB"),
        ("SKOL", "Uppsala Kommun Skolfastigheter AB"),
        ("IHUS", "Aktiebolaget Uppsala Kommuns Industrihus"),
        ("UKFAB", "Uppsala Kommuns Fastighets AB"),
        ("USAB", "Uppsala Stadshus AB"),
        ("Uppsalahem", "Uppsalahem AB"),
        ("Skolfastigheter", "Uppsala Kommun Skolfastigheter AB"),
        ("Arenor och fastigheter", "Uppsala kommun Arenor och Fastigheter AB"),
        ("Arenor och Fastigheter", "Uppsala kommun Arenor och Fastigheter AB"),
        ("Uppsala bostadsförmedling", "Uppsala bostadsförmedling AB"),
        ("Uppsala R2 AB", "Uppsala kommun Arenor och Fastigheter AB"),
        ("Uppsala Kommuns Fastighetsaktiebolag", "Uppsala Kommuns Fastighets AB"),
    ],
)
def test_abbreviations_and_short_forms_from_the_seeds(
    registry: Registry, short: str, full: str
) -> None:
    entry = registry.lookup(short)
    assert entry is not None
    assert entry.name == full


def test_lookup_is_case_insensitive_and_ignores_spacing_and_edge_punctuation(
    registry: Registry,
) -> None:
    ukaf = registry.lookup("Uppsala kommun Arenor och Fastigheter AB")
    assert registry.lookup("UPPSALA KOMMUN ARENOR OCH FASTIGHETER AB") is ukaf
    assert registry.lookup("uppsala  kommun\u00a0arenor och fastigheter ab.") is ukaf
    assert registry.lookup("äln") is registry.lookup("Äldrenämnden")
    assert registry.lookup("Gatu– och samhällsmiljönämnden") is registry.lookup("GSN")  # en dash
    assert registry.lookup("Nämnden för okända saker") is None
    assert registry.lookup("") is None


def test_uppsala_has_thirteen_companies_in_2023_besides_the_parent(registry: Registry) -> None:
    companies = [c.name for c in registry.active(2023, ["company"])]
    assert "Uppsala Stadshus AB" in companies
    assert len(companies) - 1 == 13


def test_companies_merged_into_ukaf_end_in_2021(registry: Registry) -> None:
    ukaf = registry.organisation("UKAF")
    assert ukaf is not None and ukaf.active_from == 2021
    merged = [o for o in registry if o.successor == ukaf.name]
    assert {o.name for o in merged} >= {"Fyrishov AB"}
    assert all(o.active_until == 2021 for o in merged)
    assert "Fyrishov AB" not in [o.name for o in registry.active(2023)]
    assert "Fyrishov AB" in [o.name for o in registry.active(2020)]
    assert ukaf.name not in [o.name for o in registry.active(2020)]


def test_longest_match_wins_in_run_together_names(registry: Registry) -> None:
    known, unknown = registry.resolve_run_together(
        "Gatu- och samhällsmiljönämnden Kulturnämnden Kommunstyrelsen Uppsalahem AB "
        "Arbetsmarknadsnämnden Uppsala kommun Arenor och Fastigheter AB"
    )
    assert known == [
        "Gatu- och samhällsmiljönämnden",
        "Kulturnämnden",
        "Kommunstyrelsen",
        "Uppsalahem AB",
        "Arbetsmarknadsnämnden",
        "Uppsala kommun Arenor och Fastigheter AB",
    ]
    assert unknown == []
    # "Uppsala Stadshus AB" must not be read as an unknown "Uppsala" plus something else.
    assert registry.resolve_run_together(
        "Uppsala Stadshus AB Uppsala kommun Arenor och Fastigheter AB"
    ) == (["Uppsala Stadshus AB", "Uppsala kommun Arenor och Fastigheter AB"], [])


def test_run_together_is_case_insensitive(registry: Registry) -> None:
    known, unknown = registry.resolve_run_together(
        "utbildningsnämnden SOCIALNÄMNDEN uppsala kommun skolfastigheter ab"
    )
    assert known == ["Utbildningsnämnden", "Socialnämnden", "Uppsala Kommun Skolfastigheter AB"]
    assert unknown == []


def test_unknown_names_are_split_after_namnden_styrelsen_and_ab(registry: Registry) -> None:
    known, unknown = registry.resolve_run_together(
        "Kommunstyrelsen Nya gatu- och parknämnden Uppsalahem AB Testbolaget Nord AB "
        "Fritidsstyrelsen Kulturnämnden"
    )
    assert known == ["Kommunstyrelsen", "Uppsalahem AB", "Kulturnämnden"]
    assert unknown == ["Nya gatu- och parknämnden", "Testbolaget Nord AB", "Fritidsstyrelsen"]
    assert [guess_kind(n) for n in unknown] == ["board", "company", "board"]


def test_guess_kind() -> None:
    assert guess_kind("Kulturnämnden") == "board"
    assert guess_kind("Testbolaget AB") == "company"
    assert guess_kind("AB Testbolaget") == "company"
    assert guess_kind("Uppsala Testaktiebolag") == "company"
    assert guess_kind("Region Uppsala") is None
    assert guess_kind("") is None


def test_written_lists_of_abbreviations_and_short_forms(registry: Registry) -> None:
    known, unknown = registry.resolve_list(
        "KS, AMN, GSN, IFN, KTN, OMN, PBN, SCN, UBN, ÄLN, Uppsalahem, Skolfastigheter, "
        "Arenor och fastigheter och Uppsala bostadsförmedling."
    )
    assert known == [
        "Kommunstyrelsen",
        "Arbetsmarknadsnämnden",
        "Gatu- och samhällsmiljönämnden",
        "Idrotts- och fritidsnämnden",
        "Kulturnämnden",
        "Omsorgsnämnden",
        "Plan- och byggnadsnämnden",
        "Socialnämnden",
        "Utbildningsnämnden",
        "Äldrenämnden",
        "Uppsalahem AB",
        "Uppsala Kommun Skolfastigheter AB",
        "Uppsala kommun Arenor och Fastigheter AB",
        "Uppsala bostadsförmedling AB",
    ]
    assert unknown == []


def test_osn_and_omn_both_mean_omsorgsnamnden_once(registry: Registry) -> None:
    assert registry.resolve_list("OSN, OMN och Omsorgsnämnden") == (["Omsorgsnämnden"], [])


def test_unknown_list_parts_are_returned(registry: Registry) -> None:
    known, unknown = registry.resolve_list("KS, XYZ och Nya nämnden")
    assert known == ["Kommunstyrelsen"]
    assert unknown == ["XYZ", "Nya nämnden"]


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Alla nämnder och bolag", "Alla nämnder och bolag"),
        ("alla nämnder och bolag.", "Alla nämnder och bolag"),
        ("alla nämnder och alla bolag", "Alla nämnder och bolag"),
        ("ALLA NÄMNDER OCH ALLA BOLAG", "Alla nämnder och bolag"),
        ("Alla nämnder och bolagsstyrelser", "Alla nämnder och bolag"),
        ("Samtliga nämnder och bolag", "Alla nämnder och bolag"),
        ("Alla nämnder", "Alla nämnder"),
        ("Samtliga nämnder", "Alla nämnder"),
        ("Alla bolag", "Alla bolag"),
        ("Alla bolagsstyrelser", "Alla bolag"),
    ],
)
def test_group_aliases(registry: Registry, text: str, group: str) -> None:
    entry = registry.lookup(text)
    assert isinstance(entry, GroupEntry)
    assert entry.name == group
    assert registry.resolve_list(text) == ([group], [])
    assert registry.resolve_run_together(text) == ([group], [])


def test_groups_expand_through_the_registry_per_year(registry: Registry) -> None:
    boards = registry.expand_group("Alla nämnder", 2023)
    assert {o.kind for o in boards} == {"executive_board", "board"}
    everything = registry.expand_group("alla nämnder och alla bolag", 2023)
    assert {o.kind for o in everything} == {"executive_board", "board", "company"}
    assert "Trafikverket" not in [o.name for o in everything]
    with pytest.raises(KeyError):
        registry.expand_group("Kulturnämnden", 2023)


def test_conflicting_names_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"(?i)ks"):
        Registry(
            [
                OrgEntry("Kommunstyrelsen", "executive_board", abbreviations=("KS",)),
                OrgEntry("Kulturstyrelsen", "board", abbreviations=("ks",)),
            ],
            [],
        )
    with pytest.raises(ValueError):
        Registry([OrgEntry("X", "planet")], [])


def test_normalize_name() -> None:
    assert normalize_name("  Gatu–  och Samhällsmiljönämnden. ") == "gatu- och samhällsmiljönämnden"


@pytest.mark.django_db
def test_the_registry_from_the_database_knows_the_parent_company():
    """The follow-up importer never counts the group's parent company among "the companies":
    a registry read back from the database must still say which one it is (the 2017 count
    said 16 companies against the file's 15)."""
    import json

    from insyn.organisations.services import DATA_DIR, load_registry, registry_from_database

    data = json.loads((DATA_DIR / "uppsala.json").read_text("utf-8"))
    load_registry(data)
    registry = registry_from_database()
    assert registry.municipality["parent_company"] == "Uppsala Stadshus AB"
    assert registry.municipality["code"] == "0380"
