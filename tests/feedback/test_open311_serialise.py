"""The Open311 XML writer (insyn.feedback.open311.serialise.to_xml): whatever text a field
holds, the answer is well-formed XML that gives the text back (less the characters XML 1.0
cannot carry), and empty values are empty elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from insyn.feedback.models import CaseStatus
from insyn.feedback.open311.serialise import Many, to_xml

CARRIED = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NAMES = st.sampled_from(["description", "address", "status_notes", "service_name", "lat"])
VALUES = st.one_of(st.none(), st.text(), st.integers(), st.floats(allow_nan=False), st.booleans())


def _expected(value):
    if value is None or value == "":
        return None
    if value is True or value is False:
        return "true" if value else "false"
    return CARRIED.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n") or None


@given(st.lists(st.dictionaries(NAMES, VALUES, min_size=1), max_size=5))
def test_any_text_gives_well_formed_xml_that_reads_back(requests):
    root = ET.fromstring(to_xml("service_requests", Many("request", requests)).encode())
    assert [item.tag for item in root] == ["request"] * len(requests)
    for element, request in zip(root, requests, strict=True):
        assert [child.tag for child in element] == list(request)
        for child, value in zip(element, request.values(), strict=True):
            assert (child.text or None) == _expected(value)


def test_markup_is_escaped_and_choices_are_written_as_their_values():
    xml = to_xml(
        "service_requests",
        Many("request", [{"description": "<b>Hål</b> & sprickor", "status": CaseStatus.CLOSED}]),
    )
    assert "<description>&lt;b&gt;Hål&lt;/b&gt; &amp; sprickor</description>" in xml
    assert "<status>closed</status>" in xml
