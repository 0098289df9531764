"""Authorization matrix for the feature apps' staff pages — dialogue (/personal/dialog/),
feedback (/personal/arenden/) and indicators (/personal/indikatorer/) — with REAL objects.

tests/test_authz_matrix.py (owned by the reporting workflow) walks every staff URL with every
role, but it has object kwargs only for the goals app: the other apps' URLs are filled with
placeholder ids, which proves the role guard but never reaches an object, so it cannot show that
a dialogue officer of another board is kept out of a dialogue, that a refused POST leaves a case
or a budget untouched, or that a refused page leaks no personal data. This module does that:

* the URL walk is the same (``tests.test_authz_matrix.routes``), restricted to ``FEATURE_APPS``;
  a URL there without an entry in ``KWARGS`` FAILS (register it when you add a view);
* roles: the matrix's eight (anonymous, admin, compiler, reporter, reporter_foreign, reader,
  dialogue_officer, contact_centre) plus ``officer_own`` and ``officer_foreign`` (dialogue
  officers of the dialogue's responsible board and of another board) and ``reporter_affected``
  (a reporter of an organisation the dialogue affects);
* expectations come from ``ACCESS`` below, written from the rules (not read from the views):
  who may GET, who may POST; everyone else gets 403, or 404 when the page lets their role in
  but they may not know the object exists (insyn.core.access; 405 where the method is refused),
  anonymous a redirect to the login page;
* every refused request: nothing in the feature apps' tables changes (a snapshot before and
  after), and the response carries none of the personal data planted in the objects (a meeting
  registrant's and a case reporter's name and e-mail).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.core.images import clean_image_bytes
from insyn.dialogue.models import (
    Ballot,
    Budget,
    CoordinationComment,
    Dialogue,
    Meeting,
    OfflineInput,
    Outreach,
    Post,
    Proposal,
    Question,
    Registration,
    Survey,
)
from insyn.feedback import services as feedback_services
from insyn.feedback.models import (
    Case,
    CaseEvent,
    CasePhoto,
    DialogueLink,
    Kind,
    Open311ApiKey,
    Theme,
)
from insyn.indicators import services as indicator_services
from insyn.indicators.models import (
    BudgetUpload,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    PeerGroup,
    Value,
)
from tests.dialogue.factories import (
    BudgetFactory,
    DialogueFactory,
    DiscussionFactory,
    MeetingFactory,
    ProposalFactory,
    SurveyFactory,
)
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.factories import CategoryFactory, RoutingRuleFactory
from tests.indicators.factories import IndicatorFactory, PeerGroupFactory, TargetFactory
from tests.test_authz_matrix import ROLE_OF as MATRIX_ROLE_OF
from tests.test_authz_matrix import routes, url_for
from tests.world import World, make_world

pytestmark = pytest.mark.django_db

FEATURE_APPS = ("personal/dialog/", "personal/arenden/", "personal/indikatorer/")
ROLES = [
    "anonymous",
    "admin",
    "compiler",
    "reporter",
    "reporter_foreign",
    "reader",
    "dialogue_officer",
    "contact_centre",
    "case_handler",
    "case_handler_foreign",
    "moderator",
    "officer_own",
    "officer_foreign",
    "reporter_affected",
]
PERSONAL = [
    "Registrerad Person",
    "anmald@example.org",
    "Anmälare Andersson",
    "anmalare@example.org",
]

# --- Who may do what (from the rules of issues 3–6, not from the code) --------------------------
ALL_OFFICERS = {"admin", "dialogue_officer", "officer_own", "officer_foreign"}
EDITORS = {"admin", "dialogue_officer", "officer_own"}  # of this dialogue's board, or all
# Staff of the affected organisations (here the company) read the dialogue and comment
# (coordination); other organisations' staff do not — not even the responsible board's
# reporters, who are not dialogue officers (insyn/dialogue/staff_views.py states this rule).
READERS_OF_DIALOGUE = ALL_OFFICERS | {"reporter_affected"}
CONTACT_CENTRE = {"admin", "contact_centre"}
# A case handler of the organisation the case is routed to (the reporter's own, SON) reads,
# answers and changes the status of it; a case handler of another organisation gets 404.
CASE_WORK = CONTACT_CENTRE | {"case_handler"}
CASE_HANDLER_VIEWS = ("inbox", "case", "status", "answer", "note", "photo", "photo_public")
ADMINS = {"admin"}
INDICATOR_STAFF = {"admin", "compiler"}


@dataclass(frozen=True)
class Access:
    get: set[str]
    post: set[str]


def same(roles: set[str]) -> Access:
    return Access(get=roles, post=roles)


DIALOGUE_ACCESS = {
    "index": same(ALL_OFFICERS),
    "overdue": same(ALL_OFFICERS),
    "create": same(ALL_OFFICERS),
    "detail": same(READERS_OF_DIALOGUE),
    "comment": same(READERS_OF_DIALOGUE),
    "representation": Access(get=ALL_OFFICERS, post=EDITORS),
}


def access(name: str) -> Access:
    app, _sep, view = name.partition(":")
    if app == "dialogue_staff":
        return DIALOGUE_ACCESS.get(view, same(EDITORS))
    if app == "feedback_staff":
        if view in ("api_keys", "api_key_revoke"):
            return same(ADMINS)
        if view in ("dialogue_links", "dialogue_link_remove"):
            # Linking a dialogue to a theme of cases: the contact centre and every dialogue
            # officer (a link is about public material; it changes no case and no dialogue).
            return same(CONTACT_CENTRE | {"dialogue_officer", "officer_own", "officer_foreign"})
        if view in ("inbox", "inbox_map_data"):  # each case handler sees their own cases
            return same(CASE_WORK | {"case_handler_foreign"})
        return same(CASE_WORK if view in CASE_HANDLER_VIEWS else CONTACT_CENTRE)
    if app == "indicators_staff":
        return same(INDICATOR_STAFF)
    raise AssertionError(f"{name}: no access rule; add one to access()")


ROLE_OF = {
    **MATRIX_ROLE_OF,
    "case_handler_foreign": Role.CASE_HANDLER,
    "officer_own": Role.DIALOGUE_OFFICER,
    "officer_foreign": Role.DIALOGUE_OFFICER,
    "reporter_affected": Role.REPORTER,
}


def sees_object(name: str, role: str) -> bool:
    """Whether the role may know the URL's object exists (insyn/<app>/access.py)."""
    app = name.partition(":")[0]
    if app == "dialogue_staff":
        return role in READERS_OF_DIALOGUE
    if app == "feedback_staff":
        return role != "case_handler_foreign"
    return True


def expected_refusal(route: Any, role: str, method: str) -> int:
    """One behaviour (insyn.core.access): a role the page refuses gets 403; a role the page
    lets in gets 404 for an object it may not know exists, 403 for one it may only read."""
    view = route.view
    roles = view.insyn_roles if method == "GET" else view.insyn_write_roles
    passes = role == "admin" or ROLE_OF[role] in roles
    return 404 if passes and not sees_object(route.name, role) else 403


# --- The objects ---------------------------------------------------------------------------------


@dataclass
class Objects:
    world: World
    dialogue: Dialogue
    survey: Survey
    post: Post
    budget: Budget
    proposal: Proposal
    meeting: Meeting
    case: Case
    photo: CasePhoto
    key: Open311ApiKey
    indicator: Indicator
    own_indicator: Indicator
    link: IndicatorLink
    target: IndicatorTarget
    group: PeerGroup
    upload: BudgetUpload
    dialogue_link: DialogueLink
    users: dict[str, Any]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 140, 60)).save(out, format="JPEG")
    return out.getvalue()


def make_objects(tmp_path: Any) -> Objects:
    world = make_world()
    users = dict(world.users)
    users["reporter_affected"] = world.users["reporter_company"]
    users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.son, user=UserFactory(username="handler-son")
    ).user
    users["case_handler_foreign"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=world.ubn, user=UserFactory(username="handler-ubn")
    ).user
    users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user
    users["officer_own"] = MembershipFactory(
        role=Role.DIALOGUE_OFFICER, organisation=world.son, user=UserFactory(username="dialog-son")
    ).user
    users["officer_foreign"] = MembershipFactory(
        role=Role.DIALOGUE_OFFICER, organisation=world.ubn, user=UserFactory(username="dialog-ubn")
    ).user
    dialogue = DialogueFactory(responsible_board=world.son, title="Trygghetsvandring i Årsta")
    dialogue.affected_organisations.set([world.company])
    survey = SurveyFactory(dialogue=dialogue)
    post = Post.objects.create(
        discussion=DiscussionFactory(dialogue=dialogue), body="Belysningen i tunneln behöver lagas."
    )
    budget = BudgetFactory(dialogue=dialogue)
    proposal = ProposalFactory(budget=budget)
    meeting = MeetingFactory(dialogue=dialogue)
    Registration.objects.create(
        meeting=meeting, name=PERSONAL[0], email=PERSONAL[1], needs="Hörslinga"
    )

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    RoutingRuleFactory(category=category, organisation=world.son)
    receipt = feedback_services.create_case(
        kind=Kind.FAULT,
        category=category,
        description="Lampan vid skolan är släckt.",
        address_text="Skolgatan 1",
        contact_name=PERSONAL[2],
        contact_email=PERSONAL[3],
        photos=[clean_image_bytes(_jpeg())],
    )
    key, _raw = feedback_services.issue_api_key(name="Driftsystem")

    indicator = IndicatorFactory()
    own_indicator = indicator_services.indicator_create(
        kpi=None, title="Egen trygghetsenkät", unit="%"
    )
    indicator_services.own_value_set(indicator=own_indicator, period=2024, value=71.0)
    link = IndicatorLink.objects.create(indicator=indicator, goal=world.goals[0])
    target = TargetFactory(indicator=indicator)
    group = PeerGroupFactory()
    upload = indicator_services.budget_upload(
        year=2024,
        file_name="budget.csv",
        content="Nämnd;Nettokostnad (mnkr)\nSocialnämnden;1200\nUtbildningsnämnden;3400\n".encode(),
    )
    dialogue_link = DialogueLink.objects.create(dialogue=dialogue, category=category)
    return Objects(
        world=world,
        dialogue=dialogue,
        survey=survey,
        post=post,
        budget=budget,
        proposal=proposal,
        meeting=meeting,
        case=receipt.case,
        photo=receipt.case.photos.get(),
        key=key,
        indicator=indicator,
        own_indicator=own_indicator,
        link=link,
        target=target,
        group=group,
        upload=upload,
        dialogue_link=dialogue_link,
        users=users,
    )


def _d(o: Objects) -> dict[str, Any]:
    return {"pk": o.dialogue.pk}


KWARGS: dict[str, Callable[[Objects], dict[str, Any]]] = {
    **{f"dialogue_staff:{n}": lambda o: {} for n in ("index", "overdue", "create")},
    **{
        f"dialogue_staff:{n}": _d
        for n in (
            "detail",
            "edit",
            "anchoring",
            "publish",
            "feedback",
            "close",
            "comment",
            "representation",
            "offline",
            "survey_create",
            "discussion_create",
            "budget_create",
            "budget_import",
            "meeting_create",
        )
    },
    **{
        f"dialogue_staff:{n}": (lambda o: {"pk": o.survey.pk})
        for n in ("survey", "survey_close", "survey_summary", "survey_paper")
    },
    "dialogue_staff:survey_export": lambda o: {"pk": o.survey.pk, "fmt": "csv"},
    "dialogue_staff:discussion": lambda o: {"pk": o.post.discussion_id},
    "dialogue_staff:post_moderate": lambda o: {"pk": o.post.pk, "action": "dolj"},
    "dialogue_staff:budget": lambda o: {"pk": o.budget.pk},
    "dialogue_staff:budget_phase": lambda o: {"pk": o.budget.pk},
    "dialogue_staff:budget_rules": lambda o: {"pk": o.budget.pk},
    "dialogue_staff:budget_pabulib": lambda o: {"pk": o.budget.pk},
    "dialogue_staff:proposal_delivery": lambda o: {"pk": o.proposal.pk},
    "dialogue_staff:proposal_assess": lambda o: {"pk": o.proposal.pk},
    "dialogue_staff:proposal_assignment": lambda o: {"pk": o.proposal.pk},
    "dialogue_staff:meeting": lambda o: {"pk": o.meeting.pk},
    **{
        f"feedback_staff:{n}": lambda o: {}
        for n in (
            "inbox",
            "inbox_map_data",
            "new",
            "statistics",
            "statistics_csv",
            "routing",
            "themes",
            "api_keys",
            "dialogue_links",
        )
    },
    "feedback_staff:dialogue_link_remove": lambda o: {"pk": o.dialogue_link.pk},
    "feedback_staff:api_key_revoke": lambda o: {"pk": o.key.pk},
    **{
        f"feedback_staff:{n}": (lambda o: {"uuid": o.photo.uuid})
        for n in ("photo", "photo_public", "photo_blur", "photo_hide")
    },
    **{
        f"feedback_staff:{n}": (lambda o: {"number": o.case.number})
        for n in (
            "case",
            "status",
            "answer",
            "note",
            "reassign",
            "triage",
            "merge",
            "moderate",
            "link",
        )
    },
    **{
        f"indicators_staff:{n}": lambda o: {}
        for n in ("index", "create", "group_create", "budget_upload", "import_runs")
    },
    "indicators_staff:edit": lambda o: {"pk": o.indicator.pk},
    "indicators_staff:link_add": lambda o: {"pk": o.indicator.pk},
    "indicators_staff:link_remove": lambda o: {"pk": o.indicator.pk, "link_pk": o.link.pk},
    "indicators_staff:target_set": lambda o: {"pk": o.indicator.pk},
    "indicators_staff:target_remove": lambda o: {"pk": o.indicator.pk, "target_pk": o.target.pk},
    "indicators_staff:value_set": lambda o: {"pk": o.own_indicator.pk},
    "indicators_staff:value_remove": lambda o: {
        "pk": o.own_indicator.pk,
        "year": 2024,
        "gender": "T",
    },
    "indicators_staff:group_edit": lambda o: {"pk": o.group.pk},
    "indicators_staff:group_remove": lambda o: {"pk": o.group.pk},
    "indicators_staff:budget_detail": lambda o: {"pk": o.upload.pk},
    "indicators_staff:budget_publish": lambda o: {"pk": o.upload.pk},
    "indicators_staff:budget_remove": lambda o: {"pk": o.upload.pk},
}

# A POST body that each view would act on if it let the user in (so a refusal is meaningful).
POST_DATA = {
    "title": "Intrång",
    "question": "Intrång?",
    "body": "Intrång",
    "summary": "Intrång",
    "usage": "Intrång",
    "decision": "Intrång",
    "reason": "Intrång",
    "note": "Intrång",
    "notes": "Intrång",
    "publish": "on",
    "publicera": "1",
    "phase": "results",
    "feasible": "no",
    "cost": "1",
    "answer": "Intrång",
    "status": "closed",
    "text": "Intrång",
    "kind": "single",
    "description": "Intrång",
    "done_on": "2026-01-01",
    "public_description": "Intrång",
    "state": "published",
    "year": "2024",
    "value": "1",
    "gender": "T",
    "name": "Intrång",
    "rate_per_minute": "1000",
    "fixed": "yes",
}


def snapshot() -> list[Any]:
    """Everything a feature-app staff POST could change."""
    tables = [
        (Dialogue, ("pk", "state", "title", "feedback_summary", "anchored_with")),
        (Survey, ("pk", "summary", "is_open", "summary_published_at")),
        (Question, ("pk",)),
        (Post, ("pk", "state", "hidden_reason")),
        (Budget, ("pk", "phase")),
        (Proposal, ("pk", "state", "cost", "answer")),
        (Meeting, ("pk", "notes", "notes_published")),
        (Registration, ("pk",)),
        (CoordinationComment, ("pk",)),
        (Outreach, ("pk",)),
        (OfflineInput, ("pk",)),
        (Ballot, ("pk",)),
        (
            Case,
            (
                "pk",
                "status",
                "organisation_id",
                "public_state",
                "public_description",
                "kind",
                "category_id",
                "merged_into_id",
                "goal_id",
                "assignment_id",
                "theme_id",
            ),
        ),
        (CaseEvent, ("pk",)),
        (CasePhoto, ("pk", "hidden", "public_image")),
        (Theme, ("pk",)),
        (Open311ApiKey, ("pk", "active")),
        (Indicator, ("pk", "title", "is_published")),
        (IndicatorLink, ("pk",)),
        (IndicatorTarget, ("pk", "value")),
        (Value, ("pk", "value")),
        (PeerGroup, ("pk",)),
        (BudgetUpload, ("pk", "state")),
    ]
    return [list(model.objects.order_by("pk").values_list(*fields)) for model, fields in tables]


@pytest.fixture
def objects(settings, tmp_path) -> Objects:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    return make_objects(tmp_path)


def feature_routes() -> list[Any]:
    return routes(*FEATURE_APPS)


def test_every_feature_app_staff_url_is_registered_here():
    problems = [
        f"/{r.route} ({r.name}): no entry in KWARGS"
        for r in feature_routes()
        if r.name not in KWARGS
    ]
    problems += [
        f"{name}: registered but no such URL"
        for name in sorted(set(KWARGS) - {r.name for r in feature_routes()})
    ]
    assert not problems, "\n".join(problems)
    assert len(feature_routes()) > 60


def test_the_reporting_matrix_leaves_these_apps_without_objects():
    """Why this module exists; when the shared matrix registers real objects for these apps,
    this test fails as a reminder that the two can be merged."""
    from tests.test_authz_matrix import OBJECT_URLS

    assert not any(
        name.startswith(("dialogue_staff:", "feedback_staff:", "indicators_staff:"))
        for name in OBJECT_URLS
    )


def _client(objects: Objects, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        login_verified(client, objects.users[role])
    return client


def _leaks(response: Any) -> list[str]:
    if response.get("Content-Type", "").startswith(("image/", "application/vnd")):
        return []
    text = response.content.decode(errors="replace")
    return [marker for marker in PERSONAL if marker in text]


@pytest.mark.parametrize("role", ROLES)
def test_feature_app_staff_urls_enforce_roles_and_boards(objects, role):
    failures: list[str] = []
    client = _client(objects, role)
    before = snapshot()
    for route in feature_routes():
        rule = access(route.name)
        url = url_for(route, KWARGS[route.name](objects))
        for method in ("GET", "POST"):
            allowed = role in (rule.get if method == "GET" else rule.post)
            where = f"{role} {method} {url} ({route.name})"
            response = client.get(url) if method == "GET" else client.post(url, POST_DATA)
            status = response.status_code
            if status >= 500:
                failures.append(f"{where}: {status}")
                before = snapshot()
                continue
            if role == "anonymous":
                if not (
                    (status == 302 and response["Location"].startswith(settings.LOGIN_URL))
                    or status == 405
                ):
                    failures.append(f"{where}: {status}, expected a redirect to log in")
            elif allowed:
                if status in (403, 404):
                    failures.append(f"{where}: {status}, expected access")
                if method == "POST":
                    before = snapshot()  # an allowed POST may change data: a new baseline
                continue
            elif status not in (refusal := expected_refusal(route, role, method), 405):
                failures.append(f"{where}: {status}, expected {refusal}")
            after = snapshot()
            if after != before:
                failures.append(f"{where}: a refused request changed data")
                before = after
            if leaked := _leaks(response):
                failures.append(f"{where}: a refused response shows {leaked}")
        if role != "anonymous":
            client = _client(objects, role)  # a POST may have signed the session out
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_allowed_staff_see_the_personal_data_they_need(objects):
    """The other side of the leak check: the markers really are on the pages that may show
    them, so their absence elsewhere means something."""
    officer = _client(objects, "officer_own")
    page = officer.get(f"/personal/dialog/mote/{objects.meeting.pk}/").content.decode()
    assert PERSONAL[1] in page
    centre = _client(objects, "contact_centre")
    page = centre.get(f"/personal/arenden/{objects.case.number}/").content.decode()
    assert PERSONAL[3] in page


# --- The Open311 API: an API key of the own / another organisation / none ------------------------


def test_open311_shows_a_case_only_to_its_organisations_key_and_never_personal_data(objects):
    """Open311 GETs take the place of staff pages for other systems: a case that is not
    published is visible only with the API key of the organisation it is routed to (which
    handles it, so it sees the privacy-masked description), and no answer ever carries the
    reporter's name or e-mail."""
    world, case = objects.world, objects.case
    assert case.organisation_id == world.son.pk and not case.is_published
    _own, own_key = feedback_services.issue_api_key(name="SON:s system", organisation=world.son)
    _foreign, foreign_key = feedback_services.issue_api_key(
        name="UBN:s system", organisation=world.ubn
    )
    words = "Lampan vid skolan är släckt."  # the resident's text, not yet moderated
    client = Client()
    failures = []
    for who, key in (
        ("no key", None),
        ("another organisation's key", foreign_key),
        ("the organisation's key", own_key),
    ):
        may_see = key == own_key
        extra = {"api_key": key} if key else {}
        for fmt in ("json", "xml"):
            listing = client.get(f"/open311/v2/requests.{fmt}", extra)
            detail = client.get(f"/open311/v2/requests/{case.number}.{fmt}", extra)
            updates = client.get(
                f"/open311/v2/servicerequestupdates.{fmt}",
                {**extra, "service_request_id": case.number},
            )
            for what, response in (("list", listing), ("detail", detail), ("updates", updates)):
                text = response.content.decode()
                where = f"{who}, {what}.{fmt}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                for marker in PERSONAL[2:]:
                    if marker in text:
                        failures.append(f"{where}: shows {marker!r}")
                if not may_see and words in text:
                    failures.append(f"{where}: shows the unpublished case's text")
            if (case.number in listing.content.decode()) != may_see:
                failures.append(f"{who}, list.{fmt}: the case is {'not ' * may_see}listed")
            if (detail.status_code == 200) != may_see:
                failures.append(f"{who}, detail.{fmt}: {detail.status_code}")
    assert not failures, "\n".join(failures)
