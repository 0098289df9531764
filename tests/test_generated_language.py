"""Everything generated follows the chosen language (issue 11, item 6): numbers ("1 234,5" in
Swedish, "1,234.5" in English), percentages, units, durations, date ranges, counts, the
completeness sentence, publishing blockers, and chart legends."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import translation

from insyn.core.templatetags.insyn_format import (
    count,
    daterange,
    duration,
    format_number,
    format_percent,
)
from insyn.goals.selectors import completeness_sentence
from insyn.indicators.charts import STYLES, TARGET_STYLE, format_change_percent, with_unit

NBSP = "\u00a0"


def test_numbers_in_swedish_have_a_decimal_comma_and_space_between_thousands():
    with translation.override("sv"):
        assert format_number(1.5) == "1,5"
        assert format_number(1234.5) == f"1{NBSP}234,5"
        assert format_number(-0.4) == "\u22120,4"
        assert format_number(2, 1) == "2,0"
        assert format_number(None) == "–"
        assert format_percent(0.125) == f"12,5{NBSP}%"
        assert with_unit(27, "antal") == f"27{NBSP}st"
        assert with_unit(1234.5, "mnkr", 1) == f"1{NBSP}234,5{NBSP}mnkr"
        assert with_unit(12.5, "%") == f"12,5{NBSP}%"
        assert format_change_percent(110, 100) == f"+10,0{NBSP}%"


def test_numbers_in_english_have_a_decimal_point_and_comma_between_thousands():
    with translation.override("en"):
        assert format_number(1.5) == "1.5"
        assert format_number(1234.5) == "1,234.5"
        assert format_number(-0.4) == "\u22120.4"
        assert format_number(None) == "–"
        assert format_percent(0.125) == "12.5%"
        assert with_unit(27, "antal") == "27"
        assert with_unit(1234.5, "mnkr", 1) == f"1,234.5{NBSP}SEK m"
        assert with_unit(12.5, "%") == "12.5%"
        assert format_change_percent(110, 100) == "+10.0%"


def test_durations_date_ranges_and_counts_in_both_languages():
    day_and_a_bit = dt.timedelta(hours=2, minutes=15)
    with translation.override("sv"):
        assert duration(dt.timedelta(days=3)) == "3 dagar"
        assert duration(day_and_a_bit) == "2 tim 15 min"
        assert daterange(dt.date(2023, 9, 15), dt.date(2023, 10, 31)) == "15 sep–31 okt 2023"
        assert count(1234) == f"1{NBSP}234 st"
    with translation.override("en"):
        assert duration(dt.timedelta(days=3)) == "3 days"
        assert duration(day_and_a_bit) == "2 h 15 min"
        assert daterange(dt.date(2023, 9, 15), dt.date(2023, 10, 31)) == "15 Sep–31 Oct 2023"
        assert count(1234) == "1,234"


def test_the_template_filters_follow_the_language():
    from django.template import Context, Template

    template = Template("{% load insyn_format %}{{ x|number }} {{ s|percent }}")
    with translation.override("sv"):
        assert template.render(Context({"x": 1.5, "s": 0.5})) == f"1,5 50,0{NBSP}%"
    with translation.override("en"):
        assert template.render(Context({"x": 1.5, "s": 0.5})) == "1.5 50.0%"


def test_representativeness_and_ballot_amounts_follow_the_language():
    from insyn.dialogue.representativeness import _percent
    from insyn.dialogue.services.budgets import _kr

    with translation.override("sv"):
        assert _percent(0.2) == f"20,0{NBSP}%"
        assert _kr(1500000) == f"1{NBSP}500{NBSP}000"
    with translation.override("en"):
        assert _percent(0.2) == "20.0%"
        assert _kr(1500000) == "1,500,000"


def test_chart_legend_patterns_follow_the_language():
    styles = [*STYLES, TARGET_STYLE]
    with translation.override("sv"):
        assert styles[0].pattern == "heldragen linje, cirklar"
    with translation.override("en"):
        assert styles[0].pattern == "solid line, circles"
        assert TARGET_STYLE.pattern == "crosses"
        for style in styles:
            assert not re.search(r"[åäö]|linje", style.pattern), style.pattern


SWEDISH_WORDS = re.compile(r"\b(och|men|av|alla|ingen|inga|nämnd\w*|bolagsstyrelse\w*|har)\b", re.I)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((12, 12, 11, 13, 0, 0), "All boards and 11 of 13 company boards have reported"),
        ((0, 12, 0, 13, 0, 0), "No board and no company board has reported yet"),
        ((12, 12, 0, 13, 0, 0), "All boards but no company board has reported"),
        ((1, 1, 0, 0, 0, 0), "The board has reported"),
        ((1, 5, 0, 0, 0, 0), "1 of 5 boards has reported"),
        (
            (0, 12, 0, 13, 1, 0),
            "No board and no company board has reported in full yet; 1 board has handed in part",
        ),
        ((0, 0, 0, 0, 0, 0), "No boards or company boards are to report in this period."),
    ],
)
def test_the_completeness_sentence_in_english(counts, expected):
    bd, bt, cd, ct, bp, cp = counts
    with translation.override("en"):
        text = completeness_sentence(
            boards_done=bd,
            boards_total=bt,
            companies_done=cd,
            companies_total=ct,
            boards_partial=bp,
            companies_partial=cp,
        )
    assert text == expected


def test_the_completeness_sentence_is_never_swedish_in_english_nor_english_in_swedish():
    for bt, ct in itertools.product(range(3), range(3)):
        for bd, cd in itertools.product(range(bt + 1), range(ct + 1)):
            for bp, cp in ((0, 0), (1, 0), (0, 1)):
                kwargs = {
                    "boards_done": bd,
                    "boards_total": bt,
                    "companies_done": cd,
                    "companies_total": ct,
                    "boards_partial": bp,
                    "companies_partial": cp,
                }
                with translation.override("en"):
                    english = completeness_sentence(**kwargs)
                with translation.override("sv"):
                    swedish = completeness_sentence(**kwargs)
                assert not SWEDISH_WORDS.search(english), english
                assert english[0].isupper() or english[0].isdigit(), english
                assert "  " not in english
                assert not re.search(r"\b(board|boards|have|has|and)\b", swedish), swedish


def test_refusals_and_blockers_are_messages_in_the_catalogue():
    from django.utils.translation import gettext

    with translation.override("en"):
        assert gettext("%(where)s: sammanställd status saknas.") % {"where": "Row 2"} == (
            "Row 2: the compiled status is missing."
        )
        assert gettext("Rad %(n)s") % {"n": 3} == "Row 3"
        assert gettext("Filen innehåller inga budgetrader.") == "The file contains no budget rows."
