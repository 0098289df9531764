"""The Kolada import writes what the fixtures say, idempotently, with provenance and revisions."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from insyn.indicators.models import (
    Area,
    ImportRun,
    Kpi,
    PeerGroup,
    PeerGroupKind,
    Value,
    ValueRevision,
)
from insyn.indicators.services import import_kolada
from insyn.indicators.sources import FileSource
from tests.indicators.conftest import FIXTURES, data_item, write_page

pytestmark = pytest.mark.django_db


def run_import(*paths, **kwargs):
    out = StringIO()
    call_command("import_kolada", *[str(p) for p in paths], stdout=out, **kwargs)
    return out.getvalue()


def values_snapshot():
    return sorted(
        Value.objects.values_list(
            "kpi_id",
            "area_id",
            "period",
            "gender",
            "value",
            "count",
            "status",
            "fetched_at",
            "source_ref",
        )
    )


def db_snapshot():
    return (
        values_snapshot(),
        sorted(Kpi.objects.values_list("pk", "title")),
        sorted(Area.objects.values_list("pk", "title", "type")),
        sorted(PeerGroup.objects.values_list("kolada_id", "title")),
        ValueRevision.objects.count(),
        ImportRun.objects.filter(succeeded=True).count(),
    )


def test_v3_directory_with_paging_groups_nulls_and_gender():
    output = run_import(FIXTURES / "v3")
    assert "2 KPI:er" in output
    uppsala = {
        (v.period, v.gender): v for v in Value.objects.filter(kpi_id="N00097", area_id="0380")
    }
    # period as int and as string; all three pages were read
    assert {k: v.value for k, v in uppsala.items()} == {
        (2022, "T"): 1.8,
        (2023, "T"): 1.2,
        (2024, "T"): 0.4,
    }
    # null is stored as missing, never 0
    orebro = Value.objects.get(kpi_id="N00097", area_id="1880", period=2024)
    assert orebro.value is None
    # the third page, reached through next_url's ?page=3, has the gender split
    sick = {
        v.gender: v.value
        for v in Value.objects.filter(kpi_id="N00090", area_id="0380", period=2024)
    }
    assert sick == {"T": 7.4, "K": 8.4, "M": 4.5}
    # a group value is a mean with the number of contributing members
    group_value = Value.objects.get(kpi_id="N00097", area_id="G37329")
    assert (group_value.value, group_value.count) == (0.5, 2)
    assert Area.objects.get(pk="G37329").type == "G"
    # region type R is read as a region; Riket is there
    assert Area.objects.get(pk="0003").type == "L"
    assert Area.objects.get(pk="0000").title == "Riket"


def test_groups_with_both_member_key_styles():
    run_import(FIXTURES / "v3")
    modern = PeerGroup.objects.get(kolada_id="G37329")
    old_style = PeerGroup.objects.get(kolada_id="G35869")
    assert modern.kind == old_style.kind == PeerGroupKind.KOLADA
    assert set(modern.members.values_list("pk", flat=True)) == {"0580", "1880", "1980"}
    assert set(old_style.members.values_list("pk", flat=True)) == {"0580", "2480"}
    # a member not in the municipality list is created with its title from the group
    assert Area.objects.get(pk="2480").title == "Umeå"


def test_provenance_is_kept_on_each_value():
    run_import(FIXTURES / "v3", fetched_at="2025-07-01T08:00")
    value = Value.objects.get(kpi_id="N00097", area_id="0380", period=2024)
    assert value.fetched_at.date() == dt.date(2025, 7, 1)
    assert value.publ_period == "2024"
    assert value.publication_date == dt.date(2025, 6, 17)
    assert value.source_ref.endswith("data-1.json")
    assert value.run.succeeded
    sick = Value.objects.filter(kpi_id="N00090").first()
    assert sick.source_ref.endswith("data-3.json")
    kpi = Kpi.objects.get(pk="N00090")
    assert kpi.is_divided_by_gender and kpi.publ_period == "2024"


def test_reimport_is_idempotent():
    run_import(FIXTURES / "v3")
    before = db_snapshot()
    history_before = Kpi.history.count(), PeerGroup.history.count()
    output = run_import(FIXTURES / "v3")
    assert "0 nya, 0 ändrade, 0 borttagna" in output
    after = db_snapshot()
    assert before[:5] == after[:5]
    assert (Kpi.history.count(), PeerGroup.history.count()) == history_before


def test_changes_and_deletions_keep_the_old_values_as_revisions():
    run_import(FIXTURES / "v3")
    output = run_import(FIXTURES / "v3-update")
    assert "1 borttagna" in output
    assert Value.objects.get(kpi_id="N00097", area_id="0380", period=2024).value == 0.6
    assert not Value.objects.filter(kpi_id="N00097", area_id="0380", period=2022).exists()
    # a missing value that becomes known, and a known one that becomes missing (null, not 0)
    assert Value.objects.get(kpi_id="N00097", area_id="1880", period=2024).value == 3.1
    assert Value.objects.get(kpi_id="N00090", area_id="0380", period=2024, gender="M").value is None
    revisions = {
        (r.area_id, r.period, r.gender): (r.value, r.change) for r in ValueRevision.objects.all()
    }
    assert revisions == {
        ("0380", 2024, "T"): (0.4, "changed"),
        ("0380", 2022, "T"): (1.8, "deleted"),
        ("1880", 2024, "T"): (None, "changed"),
        ("0380", 2024, "M"): (4.5, "changed"),
    }
    old = ValueRevision.objects.get(area_id="0380", period=2024, gender="T")
    assert old.source_ref.endswith("data-1.json") and old.replaced_by.succeeded
    # running the update again changes nothing more
    run_import(FIXTURES / "v3-update")
    assert ValueRevision.objects.count() == 4


def test_v2_archived_files_next_page_period_strings_f_and_is_deleted(tmp_path):
    run_import(FIXTURES / "v2")
    assert Value.objects.get(kpi_id="N00945", area_id="0180", period=2000).value == 31.3
    # the second page was reached through next_page (?page=2 → data-2.json)
    gothenburg = {v.gender: v.value for v in Value.objects.filter(area_id="1480")}
    assert gothenburg == {"T": 33.2, "K": None, "M": 33.0}  # F is read as K
    kpi = Kpi.objects.get(pk="N00945")
    assert kpi.auspice == "X" and kpi.unit == "%" and not kpi.is_divided_by_gender
    # is_deleted removes a stored value
    Value.objects.create(
        kpi_id="N00945",
        area_id="1280",
        period=2001,
        gender="T",
        value=1.0,
        fetched_at=kpi.fetched_at,
    )
    run_import(FIXTURES / "v2")
    assert not Value.objects.filter(area_id="1280", period=2001).exists()
    assert ValueRevision.objects.get(area_id="1280", period=2001).change == "deleted"


def test_organisational_units_and_their_data():
    run_import(FIXTURES / "v3", FIXTURES / "ou")
    unit = Area.objects.get(pk="V15E038000101")
    assert (unit.type, unit.municipality) == ("O", "0380")
    assert Value.objects.get(area=unit).value == 91.5


def test_files_in_any_order_metadata_first(tmp_path):
    # data named so that it sorts before the metadata; still read after it
    shutil.copy(FIXTURES / "v3" / "kpi.json", tmp_path / "zz-kpi.json")
    write_page(tmp_path / "a-data.json", [data_item("N00097", "0380", 2020, ("T", 1.0))])
    run_import(tmp_path)
    assert Value.objects.get(kpi_id="N00097", period=2020).value == 1.0
    assert Area.objects.get(pk="0380").title == "0380"  # unknown area: created with its id
    assert "skapades" in ImportRun.objects.get(succeeded=True).message


def test_kpi_known_in_the_database_is_enough(tmp_path):
    run_import(FIXTURES / "v3" / "kpi.json")
    write_page(tmp_path / "data.json", [data_item("N00090", "0380", 2021, ("T", 6.0))])
    run_import(tmp_path / "data.json")
    assert Value.objects.get(period=2021).value == 6.0


def test_import_through_the_service_with_a_file_source():
    run = import_kolada(source=FileSource([FIXTURES / "v3"]))
    assert run.succeeded and run.created == 14 and run.missing == 1
    assert run.kpis == 2 and run.groups == 2


# --- bad input: clear error naming file and item, exit status non-zero, nothing written ----------


def assert_fails_cleanly(paths, *expected):
    before = db_snapshot()
    with pytest.raises(CommandError) as excinfo:
        run_import(*paths)
    message = str(excinfo.value)
    for text in expected:
        assert text in message, message
    assert db_snapshot() == before
    failed = ImportRun.objects.filter(succeeded=False).latest("pk")
    assert expected[0] in failed.message
    return message


def test_truncated_json_names_the_file(tmp_path):
    run_import(FIXTURES / "v3")
    shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    path = tmp_path / "v3" / "data-2.json"
    path.write_text(path.read_text()[:200])
    assert_fails_cleanly([tmp_path / "v3"], "data-2.json", "avkortad JSON")


def test_malformed_json(tmp_path):
    (tmp_path / "data.json").write_text('{"values": [1, 2,, 3]}')
    assert_fails_cleanly([tmp_path / "data.json"], "data.json", "rad 1")


def test_unknown_kpi_names_file_and_item(tmp_path):
    shutil.copy(FIXTURES / "v3" / "kpi.json", tmp_path / "kpi.json")
    write_page(
        tmp_path / "data.json",
        [
            data_item("N00097", "0380", 2020, ("T", 1.0)),
            data_item("N99999", "0380", 2020, ("T", 2.0)),
        ],
    )
    message = assert_fails_cleanly([tmp_path], "data.json", "post 1", "N99999", "okänd KPI")
    assert "kommun 0380" in message and "period 2020" in message


def test_wrong_value_type_on_a_late_page_leaves_nothing_half_imported(tmp_path):
    shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    write_page(
        tmp_path / "v3" / "data-3.json",
        [
            data_item("N00090", "0380", 2024, ("T", 7.4)),
            data_item("N00090", "0580", 2024, ("T", "7,1")),
        ],
    )
    message = assert_fails_cleanly([tmp_path / "v3"], "data-3.json", "post 1", "”value”")
    assert "0580" in message
    assert not Kpi.objects.exists() and not Value.objects.exists()


def test_wrong_period_type(tmp_path):
    shutil.copy(FIXTURES / "v3" / "kpi.json", tmp_path / "kpi.json")
    write_page(tmp_path / "data.json", [data_item("N00097", "0380", 2020.5, ("T", 1.0))])
    assert_fails_cleanly([tmp_path], "data.json", "post 0", "”period”")


def test_missing_next_page_is_an_error_not_a_partial_import(tmp_path):
    shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    (tmp_path / "v3" / "data-3.json").unlink()
    assert_fails_cleanly([tmp_path / "v3"], "data-2.json", "nästa sida")


def test_missing_path(tmp_path):
    assert_fails_cleanly([tmp_path / "nope"], "nope", "finns inte")


def test_no_arguments_is_an_error():
    with pytest.raises(CommandError, match="Ange filer"):
        run_import()


def test_a_page_linking_to_itself_or_back_is_read_once(tmp_path):
    shutil.copy(FIXTURES / "v3" / "kpi.json", tmp_path / "kpi.json")
    write_page(
        tmp_path / "data-1.json",
        [data_item("N00097", "0380", 2020, ("T", 1.0))],
        next_url="data-2.json",
    )
    write_page(
        tmp_path / "data-2.json",
        [data_item("N00097", "0380", 2021, ("T", 2.0))],
        next_url="data-1.json",
    )
    write_page(
        tmp_path / "data-3.json",
        [data_item("N00097", "0380", 2022, ("T", 3.0))],
        next_url="data-3.json",
    )
    run = import_kolada(source=FileSource([tmp_path]))
    assert run.created == 3


def test_pages_named_on_the_command_line_follow_their_chain(tmp_path):
    shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    run_import(
        tmp_path / "v3" / "kpi.json",
        tmp_path / "v3" / "municipality.json",
        tmp_path / "v3" / "data-1.json",
    )
    # data-2 and data-3 were read through next_url
    assert Value.objects.filter(kpi_id="N00090").count() == 7


def test_duplicate_value_on_a_page_is_an_error(tmp_path):
    shutil.copy(FIXTURES / "v3" / "kpi.json", tmp_path / "kpi.json")
    write_page(
        tmp_path / "data.json",
        [
            data_item("N00097", "0380", 2020, ("T", 1.0)),
            data_item("N00097", "0380", "2020", ("T", 2.0)),
        ],
    )
    assert_fails_cleanly([tmp_path], "data.json", "post 1", "två gånger")
