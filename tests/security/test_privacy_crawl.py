"""Privacy crawl (issue 12, "Make it stay fixed"): personal data and unpublished material, each
with its own marker string, in every kind of object; then every page, API answer, export
(CSV/XLSX), feed, search and sitemap reachable as anonymous, as a signed-in resident and as each
staff role is fetched, and each marker may appear only for the roles in its ``MAY_SEE`` entry.

How the crawl finds pages
-------------------------
* every URL of the configuration without path arguments (as tests/security/test_fuzz.py does);
* the object pages of the world below (``_seeds``): public and staff pages of every object
  that carries a marker, its API and Open311 answers, and a search for each marker;
* every same-site link (``<a href>``, ``<link href>``) found on a fetched HTML page, at most
  ``MAX_VARIANTS`` query strings per path and ``MAX_PAGES`` pages per role.

CSV, JSON, Atom and Pabulib answers are read as text; an XLSX is unzipped and its XML read.
Sign-out links are not followed. A new kind of object with personal or unpublished data gets a
marker here (and a row in docs/security.md).
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter, deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.dialogue.models import (
    Answer,
    Ballot,
    BallotChoice,
    BudgetPhase,
    CoordinationComment,
    Discussion,
    PostState,
    ProposalModeration,
    ProposalState,
    Question,
    QuestionKind,
    Registration,
    Subscription,
    SurveyResponse,
)
from insyn.dialogue.models import (
    Post as DialoguePost,
)
from insyn.feedback import services as feedback_services
from insyn.feedback.models import Kind, PublicState
from insyn.goals import following
from insyn.goals.models import Report, ReportState, Status
from tests.dialogue.factories import (
    BudgetFactory,
    DialogueFactory,
    MeetingFactory,
    ParticipantFactory,
    ProposalFactory,
    PublishedDialogueFactory,
    SurveyFactory,
)
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.factories import CategoryFactory, RoutingRuleFactory
from tests.security.conftest import sign_in_resident
from tests.security.test_fuzz import _static_paths
from tests.world import make_world, open_period

pytestmark = pytest.mark.django_db

MAX_PAGES = 260
MAX_VARIANTS = 2
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/__debug__/")
SKIP_PARTS = ("logga-ut", "avsluta-bevakning", "prenumeration/avsluta", ".pdf")

ROLES = [
    "anonymous",
    "resident",
    "admin",
    "compiler",
    "reader",
    "reporter",
    "reporter_foreign",
    "dialogue_officer",
    "contact_centre",
    "case_handler",
    "moderator",
]
CASE_STAFF = {"admin", "contact_centre", "case_handler"}
DIALOGUE_STAFF = {"admin", "dialogue_officer"}
MODERATORS = {"admin", "dialogue_officer", "moderator"}

# marker → the roles that may see it somewhere. Everything else must never show it.
MAY_SEE: dict[str, set[str]] = {
    # a fault report waiting for moderation: the reporter's details and text, the staff's
    # answer (public once the case is) and an internal note
    "PRIV-CASE-NAME": CASE_STAFF,
    "priv-case-mail": CASE_STAFF,
    "0709912345": CASE_STAFF,
    "PRIV-CASE-TEXT": CASE_STAFF | {"moderator"},  # moderators write the public text
    "PRIV-CASE-ANSWER": CASE_STAFF,
    "PRIV-CASE-NOTE": CASE_STAFF,
    # a published fault report: the public sees its public description only
    "PRIV-PUBCASE-NAME": CASE_STAFF,
    "priv-pubcase-mail": CASE_STAFF,
    "PRIV-PUBCASE-ORIGINAL": CASE_STAFF,
    "PRIV-PUBCASE-NOTE": CASE_STAFF,
    # residents of the dialogue: addresses are nobody's to read on a page
    "priv-participant-mail": set(),
    "priv-voter-mail": set(),
    "priv-subscriber-mail": set(),
    # a meeting registration: the officers who run the meeting
    "PRIV-REG-NAME": DIALOGUE_STAFF,
    "priv-reg-mail": DIALOGUE_STAFF,
    # a survey's free-text answer: the officers (summaries are written by them)
    "PRIV-SURVEY-ANSWER": DIALOGUE_STAFF,
    # discussion posts waiting for moderation, and hidden ones
    "PRIV-POST-PENDING": MODERATORS,
    "PRIV-POST-AUTHOR": MODERATORS,
    "PRIV-POST-HIDDEN": MODERATORS,
    # a resident's budget proposal waiting for moderation (issue 12 finding 7)
    "PRIV-PROPOSAL-PENDING": MODERATORS,
    # an unpublished dialogue and the internal coordination comments of a published one
    "PRIV-DIALOGUE-DRAFT": DIALOGUE_STAFF | {"reporter", "compiler"},
    "PRIV-COORDINATION": DIALOGUE_STAFF | {"reporter", "compiler"},
    # goals: a report's draft text, a return comment, a report of an unpublished period
    "PRIV-REPORT-DRAFT": {"admin", "compiler", "reporter"},
    "PRIV-RETURN-COMMENT": {"admin", "compiler", "reporter"},
    "PRIV-UNPUBLISHED-PERIOD": {"admin", "compiler", "reader", "reporter_foreign"},
    # an address that follows a goal: on no page but the administrator's outbox of every
    # e-mail (its confirmation link was e-mailed to it)
    "priv-goal-follower-mail": {"admin"},
}

MUST_FIND = {
    "contact_centre": ["PRIV-CASE-NAME", "PRIV-CASE-NOTE", "PRIV-PUBCASE-ORIGINAL"],
    "case_handler": ["PRIV-CASE-TEXT", "priv-case-mail"],
    "dialogue_officer": ["PRIV-POST-PENDING", "PRIV-SURVEY-ANSWER", "PRIV-REG-NAME"],
    "compiler": ["PRIV-UNPUBLISHED-PERIOD", "PRIV-RETURN-COMMENT", "PRIV-REPORT-DRAFT"],
    "reporter": ["PRIV-REPORT-DRAFT", "PRIV-RETURN-COMMENT"],
    "moderator": ["PRIV-POST-PENDING", "PRIV-PROPOSAL-PENDING"],
}


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def make_world_with_markers() -> dict[str, Any]:
    """The goals world (tests/world.py) plus a fault register and dialogues, with every
    marker of MAY_SEE in its place."""
    w = make_world()
    open_period(w)
    users = dict(w.users)
    users["case_handler"] = MembershipFactory(
        role=Role.CASE_HANDLER, organisation=w.son, user=UserFactory(username="handler-son")
    ).user
    users["moderator"] = MembershipFactory(
        role=Role.MODERATOR, organisation=None, user=UserFactory(username="moderator1")
    ).user

    # --- goals: a draft, a returned report, a submitted report of the unpublished period
    a1, _a2, a3 = w.assignments
    draft = Report.objects.get(period=w.period, assignment=a1, organisation=w.son)
    draft.assessment = "PRIV-REPORT-DRAFT utkast som ingen läsare ska se"
    draft.save()
    returned = Report.objects.get(period=w.period, assignment=a3, organisation=w.son)
    returned.state, returned.status = ReportState.SUBMITTED, Status.ON_TRACK
    returned.assessment = "Inlämnad text."
    returned.save()
    returned.state = ReportState.RETURNED
    returned.return_comment = "PRIV-RETURN-COMMENT komplettera, tack"
    returned.save()
    submitted = Report.objects.get(period=w.period, assignment=a3, organisation=w.ubn)
    submitted.state, submitted.status = ReportState.SUBMITTED, Status.ON_TRACK
    submitted.assessment = "PRIV-UNPUBLISHED-PERIOD inlämnad men inte publicerad"
    submitted.save()

    # --- fault reports: one waiting for moderation, one published
    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    RoutingRuleFactory(category=category, organisation=w.son)
    waiting = feedback_services.create_case(
        kind=Kind.FAULT,
        category=category,
        description="PRIV-CASE-TEXT lampan lyser inte utanför min port",
        address_text="Kungsgatan 1",
        lat=59.8586,
        long=17.6389,
        contact_name="PRIV-CASE-NAME",
        contact_email="priv-case-mail@example.org",
        contact_phone="0709912345",
    )
    kc = users["contact_centre"]
    feedback_services.answer(case=waiting.case, body="PRIV-CASE-ANSWER vi åtgärdar", by=kc)
    feedback_services.add_note(case=waiting.case, body="PRIV-CASE-NOTE ring upp", by=kc)
    public = feedback_services.create_case(
        kind=Kind.FAULT,
        category=category,
        description="PRIV-PUBCASE-ORIGINAL min granne har slagit sönder lampan",
        address_text="Kungsgatan 3",
        lat=59.8590,
        long=17.6395,
        contact_name="PRIV-PUBCASE-NAME",
        contact_email="priv-pubcase-mail@example.org",
    )
    feedback_services.moderate(
        case=public.case,
        public_description="Trasig gatlampa.",
        public_address="Kungsgatan",
        state=PublicState.PUBLISHED,
        by=kc,
    )
    feedback_services.add_note(case=public.case, body="PRIV-PUBCASE-NOTE intern", by=kc)

    # --- dialogue: a published dialogue with every method, and an unpublished one
    dialogue = PublishedDialogueFactory(responsible_board=w.son)
    dialogue.affected_organisations.set([w.son])
    CoordinationComment.objects.create(
        dialogue=dialogue, body="PRIV-COORDINATION intern samordning", author=users["admin"]
    )
    draft_dialogue = DialogueFactory(title="PRIV-DIALOGUE-DRAFT ny park", responsible_board=w.son)
    draft_dialogue.affected_organisations.set([w.son])
    participant = ParticipantFactory(email="priv-participant-mail@example.org")
    voter = ParticipantFactory(email="priv-voter-mail@example.org")
    Subscription.objects.create(
        dialogue=dialogue, email="priv-subscriber-mail@example.org", confirmed_at=timezone.now()
    )
    goal_follower = following.follow(
        goal=w.goals[0], email="priv-goal-follower-mail@example.org", frequency="daily"
    )
    following.confirm(follower=goal_follower)

    survey = SurveyFactory(dialogue=dialogue)
    question = Question.objects.create(survey=survey, kind=QuestionKind.TEXT, text="Vad tycker du?")
    response = SurveyResponse.objects.create(survey=survey, participant=participant)
    Answer.objects.create(response=response, question=question, text="PRIV-SURVEY-ANSWER fritt")

    discussion = Discussion.objects.create(dialogue=dialogue, title="Samtal", premoderation=True)
    DialoguePost.objects.create(
        discussion=discussion, body="Ett synligt inlägg.", state=PostState.VISIBLE
    )
    DialoguePost.objects.create(
        discussion=discussion,
        body="PRIV-POST-PENDING väntar",
        author_name="PRIV-POST-AUTHOR",
        participant=participant,
        state=PostState.PENDING,
    )
    DialoguePost.objects.create(
        discussion=discussion, body="PRIV-POST-HIDDEN dolt", state=PostState.HIDDEN
    )

    budget = BudgetFactory(dialogue=dialogue, phase=BudgetPhase.VOTING)
    feasible = ProposalFactory(budget=budget, title="En bänk")
    ballot = Ballot.objects.create(budget=budget, participant=voter)
    BallotChoice.objects.create(ballot=ballot, proposal=feasible)
    proposals_budget = BudgetFactory(
        dialogue=dialogue, title="Förslagsbudget", phase=BudgetPhase.PROPOSALS
    )
    pending = ProposalFactory(
        budget=proposals_budget,
        title="PRIV-PROPOSAL-PENDING rubrik",
        description="PRIV-PROPOSAL-PENDING text",
        participant=participant,
        state=ProposalState.SUBMITTED,
        moderation=ProposalModeration.PENDING,
        cost=None,
        answer="",
    )

    meeting = MeetingFactory(dialogue=dialogue, capacity=50)
    Registration.objects.create(
        meeting=meeting, name="PRIV-REG-NAME", email="priv-reg-mail@example.org"
    )

    from insyn.search.indexing import reindex_all

    reindex_all()
    return {
        "w": w,
        "users": users,
        "waiting": waiting.case,
        "public": public.case,
        "dialogue": dialogue,
        "draft_dialogue": draft_dialogue,
        "survey": survey,
        "discussion": discussion,
        "budget": budget,
        "proposals_budget": proposals_budget,
        "pending": pending,
        "feasible": feasible,
        "meeting": meeting,
        "resident": ParticipantFactory(email="granne@example.org"),
        "reports": [draft, returned, submitted],
    }


def _seeds(world: dict[str, Any]) -> list[str]:
    d, dd, w = world["dialogue"], world["draft_dialogue"], world["w"]
    seeds = [p for p in _static_paths() if not any(part in p for part in SKIP_PARTS)]
    seeds += [
        reverse("dialogue:detail", args=[d.pk]),
        reverse("dialogue:detail", args=[dd.pk]),
        reverse("dialogue:survey", args=[d.pk, world["survey"].pk]),
        reverse("dialogue:discussion", args=[d.pk, world["discussion"].pk]),
        reverse("dialogue:budget", args=[d.pk, world["budget"].pk]),
        reverse("dialogue:budget", args=[d.pk, world["proposals_budget"].pk]),
        reverse(
            "dialogue:proposal", args=[d.pk, world["proposals_budget"].pk, world["pending"].pk]
        ),
        reverse("dialogue:meeting", args=[d.pk, world["meeting"].pk]),
        reverse("dialogue_staff:detail", args=[d.pk]),
        reverse("dialogue_staff:detail", args=[dd.pk]),
        reverse("dialogue_staff:survey", args=[world["survey"].pk]),
        reverse("dialogue_staff:survey_summary", args=[world["survey"].pk]),
        reverse("dialogue_staff:survey_export", args=[world["survey"].pk, "csv"]),
        reverse("dialogue_staff:survey_export", args=[world["survey"].pk, "xlsx"]),
        reverse("dialogue_staff:discussion", args=[world["discussion"].pk]),
        reverse("dialogue_staff:budget", args=[world["budget"].pk]),
        reverse("dialogue_staff:budget", args=[world["proposals_budget"].pk]),
        reverse("dialogue_staff:meeting", args=[world["meeting"].pk]),
        reverse("api:dialogue", args=[d.pk]),
        reverse("api:dialogue", args=[dd.pk]),
        reverse("api:participatory-budget", args=[world["budget"].pk]),
        reverse("api:participatory-budget", args=[world["proposals_budget"].pk]),
        reverse("api:period", args=[w.period.pk]),
        reverse("api:period-reports", args=[w.period.pk]),
        reverse("goals:period", args=[w.period.pk]),
        reverse("goals:period_export", args=[w.period.pk, "csv"]),
        reverse("goals:period_export", args=[w.period.pk, "xlsx"]),
        reverse("goals_export:period", args=[w.period.pk, "csv"]),
        reverse("public:period", args=[w.period.pk]),
        "/andringar/atom.xml",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ]
    for report in world["reports"]:
        seeds += [
            reverse("goals:report", args=[report.pk]),
            reverse("goals:report_history", args=[report.pk]),
        ]
    for case in (world["waiting"], world["public"]):
        seeds += [
            reverse("feedback:report", args=[case.number]),
            reverse("feedback_staff:case", args=[case.number]),
            f"/open311/v2/requests/{case.number}.json",
            f"/open311/v2/requests/{case.number}.xml",
        ]
    seeds += ["/sok/?q=priv", "/sok/?q=lampan", "/sok/?q=park"]
    seeds += [f"/sok/?q={marker}" for marker in MAY_SEE]
    return seeds


def _text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # XLSX (a zip of XML parts)
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return "\n".join(
                    archive.read(name).decode("utf-8", errors="replace")
                    for name in archive.namelist()
                )
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", errors="replace")


def crawl(client: Client, seeds: list[str]) -> dict[str, str]:
    """{path: text} of every page reachable from the seeds (GET only)."""
    pages: dict[str, str] = {}
    variants: Counter[str] = Counter()
    queue = deque(dict.fromkeys(seeds))
    seen = set(queue)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if response.status_code != 200:
            continue
        text = _text(response)
        query = urlsplit(url).query
        if query.startswith("q="):  # a search page repeats what was asked for
            text = text.replace(query[2:], "")
        pages[url] = text
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = LinkParser()
        parser.feed(text)
        for href in parser.links:
            target, _fragment = urldefrag(urljoin("http://testserver" + url, href))
            split = urlsplit(target)
            if split.netloc not in ("testserver", ""):
                continue
            path = split.path + ("?" + split.query if split.query else "")
            if path in seen or split.path.startswith(SKIP_PREFIXES):
                continue
            if any(part in split.path for part in SKIP_PARTS):
                continue
            if split.query:
                variants[split.path] += 1
                if variants[split.path] > MAX_VARIANTS:
                    continue
            seen.add(path)
            queue.append(path)
    return pages


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role == "resident":
        sign_in_resident(client, world["resident"])
    elif role != "anonymous":
        login_verified(client, world["users"][role])
    return client


@pytest.fixture
def marked_world(db, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    return make_world_with_markers()


@pytest.mark.parametrize("role", ROLES)
def test_each_marker_shows_only_to_the_roles_that_may_see_it(marked_world, role):
    pages = crawl(_client(marked_world, role), _seeds(marked_world))
    assert len(pages) > 30, sorted(pages)
    leaks = sorted(
        f"{marker} på {url}"
        for url, text in pages.items()
        for marker in MAY_SEE
        if role not in MAY_SEE[marker] and marker.lower() in text.lower()
    )
    assert leaks == [], f"{role} ser det hen inte får se:\n" + "\n".join(leaks)
    # The crawl is not blind: a role that may see a marker finds it (a leak test that finds
    # nothing proves nothing).
    everything = "\n".join(pages.values()).lower()
    missing = [m for m in MUST_FIND.get(role, []) if m.lower() not in everything]
    assert missing == [], f"{role} hittade inte {missing}"
