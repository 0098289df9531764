"""One rule for when two e-mail addresses are the same person (issue 12 findings 3 and 6).

Used wherever an identity is derived from an address: the participant a sign-in link signs in
(so one ballot per person in an e-mail-level budget), the throttle on sign-in links, and the
de-duplication of notices to subscribers and participants.

The rule: surrounding blanks dropped, the whole address case-folded, and a sub-address (the
``+tag`` part of the local part) dropped: ``VOTER1+b@Example.org`` and ``voter1+a@example.org``
are ``voter1@example.org``. Dots in Gmail addresses are deliberately kept: that rule belongs to
one provider, would merge different people at other domains, and e-mail identity is weak anyway
(anyone can hold several addresses), which the budget page says. A binding budget requires e-ID
(``Dialogue.identity_level``), where one person is one identity.
"""

from __future__ import annotations

import hashlib


def normalised_email(email: str) -> str:
    local, sep, domain = email.strip().casefold().rpartition("@")
    if not sep:
        return domain  # not an address at all: compared as it is
    return f"{local.split('+', 1)[0]}@{domain}"


def email_key(email: str) -> str:
    """The sha256 of the normalised address: what is stored and compared (never shown)."""
    return hashlib.sha256(normalised_email(email).encode("utf-8")).hexdigest()
