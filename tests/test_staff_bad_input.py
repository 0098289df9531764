"""Every staff form, sent wrong input: the answer is a page (a Swedish error summary, a
refusal, or a redirect), never a server error. The forms are found on the pages themselves: each
staff URL from the URL configuration (goals objects from the authorization matrix, dialogue,
indicator and case pages with an object of their own) is opened, and every POST form on it is
sent each kind of junk (JUNK) in every field it has, as each role that may reach it (reporter,
compiler, reader, dialogue officer, contact centre, case handler of a board, moderator,
administrator): never a 5xx; a re-rendered form
(200/400 with errors) carries the one error summary (includes/error_summary.html) whose links
point at fields on the page; and nothing is half-saved: a refused post (400, a page with errors,
or a redirect with an error message) leaves the row count of every table — history tables
included, so an update of a tracked row counts too — exactly as it was."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from insyn.accounts.testing import login_verified
from tests.test_authz_matrix import OBJECT_URLS, ObjectKwargs, routes, url_for

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    " ",
    "x" * 30_001,
    "-1",
    "abc",
    "2024-02-30",
    "1e309",
    "99999999999999999999",
    "<script>alert(1)</script>",
    "ä\x00ö",
]


class _Forms(HTMLParser):
    """The POST forms of a page: (action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and a.get("type") != "file":
                self._current[1].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _objects(world: Any) -> dict[str, Any]:
    from insyn.dialogue.models import BudgetPhase, Post, PostState, ProposalModeration
    from insyn.dialogue.models import ProposalState as PS
    from insyn.feedback import services as feedback
    from insyn.feedback.models import Kind
    from tests.dialogue.factories import (
        BudgetFactory,
        DiscussionFactory,
        MeetingFactory,
        ProposalFactory,
        PublishedDialogueFactory,
        SurveyFactory,
    )
    from tests.feedback.factories import CategoryFactory
    from tests.indicators.factories import IndicatorFactory, PeerGroupFactory

    case = feedback.create_case(
        kind=Kind.FAULT,
        category=CategoryFactory(code="potthal", name="Hål i vägen"),
        description="Hål",
        address_text="Torget",
    ).case
    # Routed to the case handler's board, so the contact centre and the handler both reach it.
    type(case).objects.filter(pk=case.pk).update(organisation=world.son)
    dialogue = PublishedDialogueFactory(responsible_board=world.son)
    dialogue.affected_organisations.add(world.son)
    discussion = DiscussionFactory(dialogue=dialogue)
    Post.objects.create(discussion=discussion, body="Väntar", state=PostState.PENDING)
    budget = BudgetFactory(dialogue=dialogue, phase=BudgetPhase.PROPOSALS)
    proposal = ProposalFactory(
        budget=budget, state=PS.SUBMITTED, moderation=ProposalModeration.PENDING, cost=None
    )
    return {
        "case": case,
        "dialogue": dialogue,
        "personal/dialog/diskussion/": discussion,
        "personal/dialog/enkat/": SurveyFactory(dialogue=dialogue),
        "personal/dialog/budget/": budget,
        "personal/dialog/forslag/": proposal,
        "personal/dialog/mote/": MeetingFactory(dialogue=dialogue),
        "personal/indikatorer/jamforelsegrupper/": PeerGroupFactory(),
        "personal/indikatorer/": IndicatorFactory(),
    }


def _url(route: Any, world: Any, objects: dict[str, Any]) -> str | None:
    builder = OBJECT_URLS.get(route.name)
    if builder is not None:
        return url_for(route, builder(world).own)
    if not route.params:
        return url_for(route, ObjectKwargs(own={}).own)
    if route.params in ({"number": "str"}, {"number": "string"}) and route.name.startswith(
        ("feedback_staff:", "staff:")
    ):
        return url_for(route, {"number": objects["case"].number})
    if route.params == {"pk": "int"} and route.route.startswith("personal/dialog/<int:pk>/"):
        return url_for(route, {"pk": objects["dialogue"].pk})
    if route.params == {"pk": "int"}:
        for prefix, obj in objects.items():
            if route.route.startswith(prefix + "<int:pk>/"):
                return url_for(route, {"pk": obj.pk})
    return None


# --- Per role: the error summary, and nothing half-saved --------------------------------------

STAFF = [
    "reporter",
    "compiler",
    "reader",
    "dialogue_officer",
    "contact_centre",
    "case_handler",
    "moderator",
    "admin",
]
# Written on every request, whatever the form says: who is signed in, not what they sent.
VOLATILE_TABLES = {"django_session"}


def _row_counts() -> dict[str, int]:
    """The row count of every table, in one query (history tables included)."""
    from django.db import connection

    tables = sorted(set(connection.introspection.table_names()) - VOLATILE_TABLES)
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# How the field templates mark a field's error (Django's own, goals, accounts, indicators,
# feedback): a page showing one is a re-rendered form with errors.
FIELD_ERROR = re.compile(r'class="(errorlist|error|[^"]*\bfield-{1,2}error)\b')
SUMMARY = re.compile(r'<div class="error-summary"[^>]*>\s*<h2>([^<]+)</h2>(.*?)</div>', re.S)


def _summary_problems(html: str) -> list[str]:
    """What is wrong with the error summaries of a page with errors (an empty list: fine)."""
    summaries = SUMMARY.findall(html)
    if not summaries:
        return ["field errors without the error summary"]
    problems = []
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for heading, body in summaries:
        if heading.strip() == "" or re.search(r"\b(the|error|please)\b", heading, re.I):
            problems.append(f"summary heading not Swedish: {heading!r}")
        for target in re.findall(r'href="#([^"]+)"', body):
            if target not in ids:
                problems.append(f"summary links to #{target}, not on the page")
    return problems


def _refused(response: Any, html: str) -> bool:
    """The post was refused: a 4xx, a page with errors, or a redirect with an error message."""
    from django.contrib.messages import constants

    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200:
        return "error-summary" in html or FIELD_ERROR.search(html) is not None
    stored = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(stored, "_queued_messages", []) if stored is not None else []
    return any(m.level >= constants.ERROR for m in queued)


@pytest.mark.parametrize("role", STAFF)
def test_every_form_a_role_reaches_answers_wrong_input_with_a_summary_and_saves_nothing(
    client, role
):
    from insyn.accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory
    from tests.test_authz_matrix import _allowed, make_world, open_period

    world = make_world()
    open_period(world)
    world.users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.son, user=UserFactory(username="handler-son")
    ).user
    world.users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user
    objects = _objects(world)
    login_verified(client, world.users[role])
    sent, summaries, refused, failures = 0, 0, 0, []
    for route in routes("personal/"):
        write_roles = tuple(
            getattr(route.view, "insyn_write_roles", None) or route.view.insyn_roles
        )
        if not _allowed(role, write_roles):
            continue
        url = _url(route, world, objects)
        if url is None:
            continue
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(page.content.decode())
        for action, names in parser.forms:
            target = action or url
            if not target.startswith("/personal/") or re.search(r"logga-ut|/sprak", target):
                continue
            for junk in JUNK:
                before = _row_counts()
                response = client.post(target, dict.fromkeys(sorted(names), junk))
                sent += 1
                where = f"{role} {target} {junk[:10]!r}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                    continue
                html = response.content.decode(errors="replace")
                with_errors = response.status_code == 400 or (
                    response.status_code == 200 and FIELD_ERROR.search(html) is not None
                )
                if with_errors and "text/html" in response.get("Content-Type", ""):
                    summaries += 1
                    failures += [f"{where}: {p}" for p in _summary_problems(html)]
                if _refused(response, html):
                    refused += 1
                    after = _row_counts()
                    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                    if changed:
                        failures.append(f"{where}: refused but half-saved {changed}")
    assert sent > (200 if role == "admin" else 0), "the walk found the forms of this role"
    assert summaries and refused, "some of the junk was refused with a page"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_the_checks_can_fail():
    """The half-saved check sees an insert and an update of a tracked row; the summary check
    sees field errors without a summary and a summary linking to a field not on the page."""
    from tests.world import make_world

    world = make_world()
    before = _row_counts()
    report = world.assignments[0].reports.first()
    report.assessment = "Ändrad"
    report.save()  # a tracked update writes a history row
    after = _row_counts()
    assert any(after[t] != before[t] for t in before)

    assert _summary_problems('<p class="error">Fel</p>') == [
        "field errors without the error summary"
    ]
    page = (
        '<div class="error-summary" role="alert"><h2>Något behöver rättas</h2><ul>'
        '<li><a href="#id_title">Rubrik: Fyll i</a></li></ul></div><input id="id_body">'
    )
    assert _summary_problems(page) == ["summary links to #id_title, not on the page"]
    assert _summary_problems(page.replace("id_body", "id_title")) == []
    assert _summary_problems(page.replace("Något behöver rättas", "Please correct the errors"))
