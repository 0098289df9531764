"""The pure Kolada parser: exact format rules, and property tests — any input gives a Page or a
KoladaFormatError, never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insyn.indicators.kolada import (
    ENTITIES,
    AreaMeta,
    DataValue,
    GroupMeta,
    KoladaFormatError,
    KpiMeta,
    default_unit,
    entity_from_filename,
    parse_bytes,
    parse_page,
)

KEYS = [
    "values",
    "count",
    "next_url",
    "next_page",
    "previous_url",
    "kpi",
    "municipality",
    "ou",
    "period",
    "gender",
    "value",
    "status",
    "isdeleted",
    "is_deleted",
    "id",
    "title",
    "type",
    "members",
    "member_id",
    "member_title",
    "is_divided_by_gender",
    "publ_period",
    "publication_date",
    "description",
    "auspice",
    "has_ou_data",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "T",
            "K",
            "M",
            "F",
            "X",
            "2020",
            "N00097",
            "0380",
            "G1",
            "",
            "2025-06-17",
            "2025-13-45",
            "data-2.json",
        ]
    )
)
json_ish = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=30,
)

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(obj=json_ish, entity=st.sampled_from([None, *ENTITIES, "kpi_groups"]))
def test_any_decoded_json_parses_or_fails_clearly(obj, entity):
    try:
        page = parse_page(obj, source="fuzz.json", entity=entity)
    except KoladaFormatError as exc:
        assert str(exc).startswith("fuzz.json")
    else:
        assert isinstance(page.items, list)


@PROPERTY
@given(
    values=st.lists(json_ish, max_size=5),
    extra=st.dictionaries(st.sampled_from(KEYS), json_ish, max_size=3),
)
def test_any_envelope_parses_or_fails_clearly(values, extra):
    obj = {**extra, "values": values}
    try:
        parse_page(obj, source="fuzz.json")
    except KoladaFormatError as exc:
        assert "fuzz.json" in str(exc)


@PROPERTY
@given(data=st.binary(max_size=200))
def test_any_bytes_parse_or_fail_clearly(data):
    try:
        parse_bytes(data, source="bytes.json")
    except KoladaFormatError as exc:
        assert "bytes.json" in str(exc)


@PROPERTY
@given(obj=json_ish, cut=st.integers(min_value=0, max_value=400))
def test_truncated_json_parses_or_fails_clearly(obj, cut):
    text = json.dumps({"values": [obj], "count": 1, "next_url": None})
    try:
        parse_bytes(text[:cut], source="cut.json")
    except KoladaFormatError as exc:
        assert "cut.json" in str(exc)


def test_deeply_nested_json_is_a_format_error():
    with pytest.raises(KoladaFormatError):
        parse_bytes("[" * 100_000 + "]" * 100_000, source="deep.json")


value_entries = st.lists(
    st.fixed_dictionaries(
        {
            "gender": st.sampled_from(["T", "K", "M"]),
            "count": st.integers(min_value=0, max_value=300),
            "status": st.sampled_from(["", "Preliminärt"]),
            "value": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32),
            "isdeleted": st.booleans(),
        }
    ),
    max_size=3,
    unique_by=lambda e: e["gender"],
)
data_items = st.lists(
    st.fixed_dictionaries(
        {
            "kpi": st.sampled_from(["N00097", "U00402"]),
            "municipality": st.sampled_from(["0380", "0580", "G37329", "0000"]),
            "period": st.integers(min_value=1990, max_value=2030)
            | st.integers(min_value=1990, max_value=2030).map(str),
            "values": value_entries,
        }
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(items=data_items, next_url=st.none() | st.just("") | st.just("data-2.json"))
def test_valid_data_pages_keep_every_value_and_every_null(items, next_url):
    page = parse_page(
        {"values": items, "count": len(items), "next_url": next_url, "previous_url": None},
        source="data.json",
        entity="data",
    )
    expected = [
        (
            item["kpi"],
            item["municipality"],
            int(item["period"]),
            entry["gender"],
            entry["value"],
            entry["isdeleted"],
        )
        for item in items
        for entry in item["values"]
    ]
    got = [(v.kpi, v.area, v.period, v.gender, v.value, v.deleted) for v in page.items]
    assert got == expected  # null stays None; never 0
    assert page.next_link == (next_url or None)


# --- the rules, one by one -----------------------------------------------------------------------


def page(values, **extra):
    return {"values": values, "count": len(values), "next_url": None, "previous_url": None, **extra}


def test_paging_stops_on_missing_null_or_empty_next_url():
    assert parse_page({"values": []}, source="a").next_link is None
    assert parse_page(page([], next_url=None), source="a").next_link is None
    assert parse_page(page([], next_url=""), source="a").next_link is None
    assert parse_page(page([], next_url="  "), source="a").next_link is None
    assert parse_page(page([], next_url="b.json"), source="a").next_link == "b.json"


def test_v2_next_page_is_used_when_next_url_is_absent():
    body = {"values": [], "count": 0, "next_page": "http://api.kolada.se/v2/x?page=2"}
    assert parse_page(body, source="a").next_link.endswith("page=2")
    assert parse_page({**body, "next_url": None}, source="a").next_link is None


def test_count_is_the_page_size_not_a_total():
    # a count that differs from the items on the page is only noted, never taken as a total
    result = parse_page({"values": [], "count": 12000, "next_url": "x"}, source="a")
    assert result.warnings and "12000" in result.warnings[0]
    with pytest.raises(KoladaFormatError, match="count"):
        parse_page({"values": [], "count": "5"}, source="a")


def test_data_item_fields():
    item = {
        "kpi": "N00945",
        "municipality": "0180",
        "period": "2000",
        "values": [
            {"count": 1, "gender": "F", "status": None, "value": 31},
            {"gender": "M", "value": None, "is_deleted": True},
        ],
    }
    women, men = parse_page(page([item]), source="a").items
    assert women == DataValue(
        index=0,
        kpi="N00945",
        area="0180",
        period=2000,
        gender="K",
        value=31.0,
        count=1,
        status="",
        deleted=False,
    )
    assert men.value is None and men.deleted and men.count is None


def test_ou_data_items():
    item = {
        "kpi": "N1",
        "ou": "V15E038000101",
        "period": 2024,
        "values": [{"gender": "T", "value": 1.5, "isdeleted": False}],
    }
    result = parse_page(page([item]), source="a")
    assert result.entity == "oudata" and result.items[0].area == "V15E038000101"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"value": "31,3"}, "”value” ska vara ett tal"),
        ({"value": True}, "”value” ska vara ett tal"),
        ({"gender": "X"}, "”gender” ska vara T, K eller M"),
        ({"gender": ["T"]}, "”gender” ska vara T, K eller M"),
        ({"count": -1}, "”count”"),
        ({"count": 1.5}, "”count”"),
        ({"status": 3}, "”status”"),
        ({"isdeleted": "yes"}, "”isdeleted”"),
    ],
)
def test_wrong_types_in_values_name_the_item(bad, message):
    entry = {"gender": "T", "count": 1, "status": "", "value": 1.0, "isdeleted": False, **bad}
    items = [
        {"kpi": "N00097", "municipality": "0380", "period": 2020, "values": []},
        {"kpi": "N00097", "municipality": "0580", "period": 2021, "values": [entry]},
    ]
    with pytest.raises(KoladaFormatError) as excinfo:
        parse_page(page(items), source="data-7.json", entity="data")
    text = str(excinfo.value)
    assert text.startswith("data-7.json: post 1 (kpi N00097, kommun 0580, period 2021)")
    assert message in text


@pytest.mark.parametrize("period", [2020.0, True, "20x0", "12345", 99999, None, [2020]])
def test_bad_periods(period):
    with pytest.raises(KoladaFormatError, match="period"):
        parse_page(
            page([{"kpi": "N1", "municipality": "0380", "period": period, "values": []}]),
            source="a",
            entity="data",
        )


def test_municipality_id_must_be_text():
    with pytest.raises(KoladaFormatError, match="municipality"):
        parse_page(
            page([{"kpi": "N1", "municipality": 380, "period": 2020, "values": []}]),
            source="a",
            entity="data",
        )


def test_same_gender_twice_is_an_error():
    item = {
        "kpi": "N1",
        "municipality": "0380",
        "period": 2020,
        "values": [{"gender": "T", "value": 1}, {"gender": "T", "value": 2}],
    }
    with pytest.raises(KoladaFormatError, match="två gånger"):
        parse_page(page([item]), source="a")


def test_kpi_metadata_v3_and_v2():
    v3 = {
        "id": "N00003",
        "title": "Personalkostnader, kr/inv",
        "description": "…",
        "is_divided_by_gender": False,
        "municipality_type": "K",
        "auspice": "E",
        "operating_area": "Kommunen, övergripande",
        "perspective": "Resurser",
        "prel_publication_date": "2026-04-01",
        "publication_date": "2026-08-28",
        "publ_period": "2025",
        "has_ou_data": False,
    }
    v2 = {
        "id": "N00945",
        "title": "VAB, andel (%)",
        "is_divided_by_gender": 1,
        "auspices": "X",
        "publ_period": 2013,
        "unit": "%",
        "ou_publication_date": None,
    }
    first, second = parse_page(page([v3, v2]), source="kpi.json").items
    assert isinstance(first, KpiMeta) and first.publication_date.isoformat() == "2026-08-28"
    assert first.publ_period == "2025" and not first.is_divided_by_gender
    assert second.is_divided_by_gender and second.auspice == "X" and second.publ_period == "2013"
    with pytest.raises(KoladaFormatError, match="publication_date"):
        parse_page(page([{**v3, "publication_date": "28/8"}]), source="kpi.json")


def test_municipalities_types_and_riket():
    items = [
        {"id": "0380", "title": "Uppsala", "type": "K"},
        {"id": "0000", "title": "Riket", "type": "L"},
        {"id": "0003", "title": "Region Uppsala", "type": "R"},
    ]
    result = parse_page(page(items), source="municipality.json")
    assert [a.type for a in result.items] == ["K", "L", "L"]
    with pytest.raises(KoladaFormatError, match="”type”"):
        parse_page(
            page([{"id": "0380", "title": "Uppsala", "type": "X"}]),
            source="municipality.json",
            entity="municipality",
        )


def test_group_members_under_both_key_styles():
    items = [
        {"id": "G1", "title": "A", "members": [{"member_id": "0580", "member_title": "Linköping"}]},
        {"id": "G2", "title": "B", "members": [{"id": "1880", "title": "Örebro"}]},
    ]
    a, b = parse_page(page(items), source="municipality_groups.json").items
    assert isinstance(a, GroupMeta) and a.members == (("0580", "Linköping"),)
    assert b.members == (("1880", "Örebro"),)
    with pytest.raises(KoladaFormatError, match="börja med G"):
        parse_page(
            page([{"id": "X1", "title": "A", "members": []}]), source="municipality_groups.json"
        )


def test_entity_from_filename():
    assert entity_from_filename("kpi.json") == "kpi"
    assert entity_from_filename("municipality_groups-0001.json") == "municipality_groups"
    assert entity_from_filename("municipality.json") == "municipality"
    assert entity_from_filename("data-N00945-2.json") == "data"
    assert entity_from_filename("oudata.json") == "oudata"
    assert entity_from_filename("ou.json") == "ou"
    assert entity_from_filename("output.json") is None
    assert entity_from_filename("kolada-export.json") is None


def test_unrecognisable_items():
    with pytest.raises(KoladaFormatError, match="kunde inte avgöra"):
        parse_page(page([{"foo": 1}]), source="x.json")
    assert isinstance(
        parse_page(page([{"id": "0380", "title": "U", "type": "K"}]), source="x.json").items[0],
        AreaMeta,
    )


def test_not_an_envelope():
    for body in ([], "x", 1, None, {"value": []}, {"values": {}}):
        with pytest.raises(KoladaFormatError):
            parse_page(body, source="a")


def test_nan_is_rejected():
    with pytest.raises(KoladaFormatError):
        parse_bytes(
            '{"values": [{"kpi": "N1", "municipality": "0380", "period": 2020, '
            '"values": [{"gender": "T", "value": NaN}]}]}',
            source="a",
        )


def test_default_unit():
    assert default_unit("Nettokostnadsavvikelse totalt (exkl. LSS), (%)") == "%"
    assert default_unit("Personalkostnader, kr/inv") == "kr/inv"
    assert default_unit("Invånare totalt, antal") == "antal"
    assert default_unit("Invånare totalt") == ""
