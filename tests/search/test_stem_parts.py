"""A document's body is stemmed part by part (an import's texts stemmed beside its writing,
issue 13): the stems of the parts, joined, are the stems of the text they make, whatever the
text and whichever separator (neither a letter nor a digit) joins them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from insyn.search import services

# Swedish, Greek (final sigma lower-cases by context), combining marks, digits, underscores,
# the characters around labels and assessments.
ALPHABET = st.sampled_from(list("aåäöAÅÄÖzZ09_ Σσςΐ\u0301\u0307İ.:,'-–\n\t\u00a0"))
TEXTS = st.text(alphabet=ALPHABET, max_size=12)


@given(parts=st.lists(TEXTS, max_size=6), separator=st.sampled_from(["\n\n", "\n", ": ", " "]))
def test_the_parts_stems_joined_are_the_stems_of_the_joined_text(parts, separator):
    stems = {part: services.stem_text(part) for part in parts}
    assert services.stem_parts(parts, stems) == services.stem_text(separator.join(parts))


def test_a_known_stem_is_used_and_the_rest_are_stemmed():
    fields = {
        "object_key": "t:1",
        "kind": "goal",
        "url": "/1/",
        "title": "Skolorna",
        "body": "Parkerna\n\nCykelbanorna",
        "parts": ["Parkerna", "Cykelbanorna"],
    }
    built = services.build_documents([fields], known_stems=lambda: {"Parkerna": "KÄND"})
    assert built[0].stemmed == "skol\nKÄND cykelban"
    assert built[0].body == "Parkerna\n\nCykelbanorna"
