"""`field__in=[…]` on an integer column ignores numbers no database integer can hold.

A form's ModelChoiceField / ModelMultipleChoiceField asks `pk__in` with whatever was posted:
"99999999999999999999" made SQLite raise OverflowError (a 500) where the answer is "not one of
the choices". Django already treats an out-of-range `exact`, `gt`… as matching nothing; this does
the same for `in`, for every integer field (ids included), in one place.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In

SMALLEST, LARGEST = -(2**63), 2**63 - 1


def _beyond_any_integer(value: Any) -> bool:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return False  # not a number at all: Django's own check says so
    return not SMALLEST <= number <= LARGEST


@IntegerField.register_lookup
class IntegerIn(In):
    lookup_name = "in"

    def get_prep_lookup(self) -> Any:
        if self.rhs_is_direct_value():
            try:
                values = list(self.rhs)
            except TypeError:
                return super().get_prep_lookup()
            self.rhs = [v for v in values if not _beyond_any_integer(v)]
        return super().get_prep_lookup()
