"""Every staff page a role may open, in Swedish and in English: no raw Python values
(timedelta reprs, "None", datetime reprs, Django's English empty choice) and, in English, none of
the staff layout's Swedish. URLs come from the URL configuration (tests/test_authz_matrix.py's
walk); goals objects from its OBJECT_URLS, other parameters are skipped (covered by the
authorization matrices)."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from tests.test_authz_matrix import OBJECT_URLS, ROLE_OF, ObjectKwargs, routes, url_for

pytestmark = pytest.mark.django_db

RAW = [
    (re.compile(r"\bdays?, \d+:\d\d:\d\d"), "a timedelta repr"),
    # A duration shown as a bare timedelta ("20:00:00"); a timestamp after a date is fine.
    (re.compile(r"(?<!\d{4}-\d\d-\d\d )(?<![\d:])\d{1,3}:\d\d:\d\d(?![\d:])"), "h:mm:ss"),
    (re.compile(r"datetime\.(date|datetime)\("), "a datetime repr"),
]
# In English, "None" and Django's "- Select an option -" are English words.
RAW_SWEDISH = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"- Select an option -"), "Django's English empty choice"),
]


def _choice_keys() -> re.Pattern[str]:
    """Every stored choice key that is no word in either language ("on_track", "board_goal"):
    seen on a page, it is a raw value where its label belongs."""
    from django.apps import apps

    keys = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", value):
                    keys.add(value)
    return re.compile(
        r"(?<![\w./#=-])(" + "|".join(sorted(keys, key=len, reverse=True)) + r")(?![\w./-])"
    )


SWEDISH_LAYOUT = ["Logga ut", "Byt lösenord", "Min startsida", "Inloggad som"]
ENGLISH_LAYOUT = ["Sign out", "Change password", "My home", "Signed in as"]


def _problems(text: str, language: str) -> list[str]:
    visible = strip_tags(re.sub(r"<(script|style)[^>]*>.*?</\1>", "", text, flags=re.S))
    found = [what for pattern, what in RAW if pattern.search(visible)]
    key = _choice_keys().search(visible)
    if key:
        found.append(f"the raw choice key {key.group(1)!r}")
    if language == "sv":
        found += [what for pattern, what in RAW_SWEDISH if pattern.search(visible)]
    if language == "en":
        found += [f"Swedish {w!r}" for w in SWEDISH_LAYOUT if w in visible]
    else:
        found += [f"English {w!r}" for w in ENGLISH_LAYOUT if w in visible]
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    "role",
    [
        "admin",
        "compiler",
        "reporter",
        "reader",
        "dialogue_officer",
        "contact_centre",
        "case_handler",
        "moderator",
    ],
)
def test_staff_pages_show_no_raw_values_and_keep_the_chosen_language(
    client, matrix_world, role, language
):
    from tests.test_authz_matrix import _allowed

    world = matrix_world
    login_verified(client, world.users[role])
    if language == "en":
        client.cookies["django_language"] = "en"
    failures = []
    for route in routes("personal/"):
        roles = tuple(getattr(route.view, "insyn_roles", ()) or ())
        if not _allowed(role, roles):
            continue
        builder = OBJECT_URLS.get(route.name)
        if route.params and builder is None:
            continue
        objects = builder(world) if builder else ObjectKwargs(own={})
        url = url_for(route, objects.own)
        response = client.get(url)
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if language == "en" and '<html lang="en">' not in html:
            failures.append(f"{url}: not English although English was chosen")
        for problem in _problems(html, language):
            failures.append(f"{role} {language} {url}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def matrix_world(db):
    from tests.factories import MembershipFactory, UserFactory
    from tests.test_authz_matrix import make_world, open_period

    world = make_world()
    open_period(world)
    world.users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.son, user=UserFactory(username="handler-son")
    ).user
    world.users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user
    return world


def test_the_checker_finds_what_it_looks_for():
    assert _problems("<p>Median: 3 days, 0:00:00</p>", "sv")
    assert _problems("<option>- Select an option -</option>", "sv")
    assert _problems("<p>Logga ut</p>", "en")
    assert _problems("<p>Median: 20:00:00</p>", "sv")
    assert _problems("<p>None</p>", "sv")
    assert not _problems("<p>Median: 3 dagar</p><time>14:12</time>", "sv")
    assert not _problems("<p>2026-12-04 14:12:33</p>", "sv")
    assert _problems("<td>on_track</td>", "sv") and _problems("<td>on_track</td>", "en")
    assert not _problems('<a href="?status=on_track">Enligt plan</a>', "sv")
    assert ROLE_OF["case_handler"] == Role.CASE_HANDLER
