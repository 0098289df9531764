"""Masking of personal data patterns in free text before anything is shown publicly.

Catches what a pattern can catch — email addresses, Swedish personal identity numbers
(personnummer and samordningsnummer) and phone numbers. Names and other details cannot be found
by pattern; staff moderate the public text before publication.
"""

from __future__ import annotations

import re

EMAIL_MASK = "[e-post borttagen]"
PNR_MASK = "[personnummer borttaget]"
PHONE_MASK = "[telefonnummer borttaget]"

EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# YYMMDD-NNNN, YYYYMMDDNNNN, with -, + or space; day 01–31 or 61–91 (samordningsnummer).
PNR_RE = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"[-+ ]?\d{4}(?!\d)"
)
# Swedish numbers: +46 / 0046 / 0 then 6–11 more digits, optionally grouped by space, dash,
# slash or parentheses ("070-123 45 67", "018-727 00 00", "+46 (0)70 123 45 67").
PHONE_RE = re.compile(r"(?<![\w+])(?:\+\s?46|0046|0)(?:[\s\-/()]{0,3}\d){6,11}(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace email addresses, personnummer and phone numbers with a bracketed notice."""
    if not text:
        return text
    text = EMAIL_RE.sub(EMAIL_MASK, text)
    text = PNR_RE.sub(PNR_MASK, text)
    return PHONE_RE.sub(PHONE_MASK, text)
