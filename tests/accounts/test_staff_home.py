"""The staff home at /personal/ (every sign-in lands there), the staff layout, the error pages,
Swedish by default, and a login limit that only counts failed sign-ins."""

from __future__ import annotations

import pytest
from django.test import Client

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.goals.models import Report, ReportState
from tests.factories import MembershipFactory, UserFactory
from tests.world import make_world, open_period

pytestmark = pytest.mark.django_db
PASSWORD = "lösenord-för-test"


@pytest.fixture
def world():
    w = make_world()
    open_period(w)
    return w


def _user(role, organisation=None, username=None):
    user = UserFactory(username=username or f"u-{role}")
    MembershipFactory(user=user, role=role, organisation=organisation)
    return user


@pytest.mark.parametrize(
    "role",
    [
        Role.REPORTER,
        Role.COMPILER,
        Role.READER,
        Role.DIALOGUE_OFFICER,
        Role.CONTACT_CENTRE,
        Role.CASE_HANDLER,
        Role.MODERATOR,
    ],
)
def test_every_role_signs_in_and_lands_on_its_home(world, role):
    user = _user(role, organisation=world.son)
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/personal/"
    page = client.get("/personal/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Logga ut" in html and "Byt lösenord" in html and "Inloggad som" in html
    assert "Socialnämnden" in html  # for which organisation


def test_a_next_the_user_may_not_open_is_ignored(world):
    user = _user(Role.DIALOGUE_OFFICER)
    user.set_password(PASSWORD)
    user.save()
    response = Client().post(
        "/konto/logga-in/?next=/personal/uppfoljning/",
        {"username": user.username, "password": PASSWORD},
    )
    assert response["Location"] == "/personal/"
    response = Client().post(
        "/konto/logga-in/?next=/personal/dialog/",
        {"username": user.username, "password": PASSWORD},
    )
    assert response["Location"] == "/personal/dialog/"


def test_the_reporter_sees_returned_reports_first(world, client):
    own = Report.objects.filter(period=world.period, organisation=world.son).order_by("pk")
    returned = own.last()
    Report.objects.filter(pk=returned.pk).update(state=ReportState.RETURNED)
    login_verified(client, world.users["reporter"])
    html = client.get("/personal/").content.decode()
    assert "återsänd för komplettering" in html
    assert html.index(f"/rapporter/{returned.pk}/") < html.index(f"/rapporter/{own.first().pk}/")


def test_several_roles_see_each_part_and_the_admin_sees_system_health(world, client):
    user = _user(Role.REPORTER, organisation=world.son, username="multi")
    MembershipFactory(user=user, role=Role.CONTACT_CENTRE, organisation=None)
    login_verified(client, user)
    html = client.get("/personal/").content.decode()
    assert "Dina rapporter" in html and "Kontaktcenter" in html
    assert "Systemets hälsa" not in html
    login_verified(client, world.users["admin"])
    html = client.get("/personal/").content.decode()
    assert "Systemets hälsa" in html and "E-post i kö" in html
    assert "Att öppna för rapportering" not in html  # the world's period is open


def test_the_admin_opens_a_planned_period_from_the_home(world, client):
    from insyn.goals.models import FollowUpPeriod, PeriodState

    FollowUpPeriod.objects.filter(pk=world.period.pk).update(state=PeriodState.PLANNED)
    login_verified(client, world.users["admin"])
    html = client.get("/personal/").content.decode()
    assert f'href="/personal/uppfoljning/perioder/{world.period.pk}/"' in html
    assert f"Att öppna för rapportering: {world.period.label} {world.period.year}" in html


def test_the_dialogue_officer_registers_a_new_dialogue_from_the_home(world, client):
    login_verified(client, _user(Role.DIALOGUE_OFFICER, username="dag"))
    html = client.get("/personal/").content.decode()
    assert 'href="/personal/dialog/ny/"' in html and "Registrera ny dialog" in html


def test_the_home_costs_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    login_verified(client, world.users["admin"])
    with django_assert_max_num_queries(40):
        assert client.get("/personal/").status_code == 200


def test_dialogue_officer_and_contact_centre_get_a_swedish_403_in_the_sites_design(world):
    client = Client()
    login_verified(client, _user(Role.CONTACT_CENTRE))
    response = client.get("/personal/uppfoljning/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Du har inte behörighet" in html and "Forbidden" not in html
    assert "site-header" in html


def test_404_and_429_pages():
    response = Client().get("/finns-inte/")
    assert response.status_code == 404 and "Sidan finns inte" in response.content.decode()
    from django.test import RequestFactory

    from insyn.core.views import permission_denied

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser
    from django_ratelimit.exceptions import Ratelimited

    request.user = AnonymousUser()
    response = permission_denied(request, Ratelimited())
    assert response.status_code == 429 and response["Retry-After"] == "300"
    assert "Vänta 5 minuter" in response.content.decode()


def test_swedish_whatever_the_browser_says_english_only_when_chosen(db):
    client = Client()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="en">' in html, "English stays chosen"


def test_signing_in_and_out_often_never_locks_the_person_out(world):
    user = _user(Role.READER, username="flitig")
    user.set_password(PASSWORD)
    user.save()
    for _ in range(8):
        client = Client(REMOTE_ADDR="203.0.113.50")
        response = client.post("/konto/logga-in/", {"username": "flitig", "password": PASSWORD})
        assert response.status_code == 302
        client.post("/konto/logga-ut/")


def test_a_case_handler_sees_only_cases_routed_to_their_organisation(world, client):
    from insyn.feedback import services
    from insyn.feedback.models import Case, Kind
    from tests.feedback.factories import CategoryFactory

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")

    def case_for(org):
        case = services.create_case(
            kind=Kind.FAULT, category=category, description="Lampan", address_text="Torget"
        ).case
        Case.objects.filter(pk=case.pk).update(organisation=org)
        return case

    own = case_for(world.son)
    other = case_for(world.ubn)
    login_verified(client, _user(Role.CASE_HANDLER, organisation=world.son))
    inbox = client.get("/personal/arenden/").content.decode()
    assert own.number in inbox and other.number not in inbox
    assert client.get(f"/personal/arenden/{own.number}/").status_code == 200
    assert client.get(f"/personal/arenden/{other.number}/").status_code == 404
    assert client.post(f"/personal/arenden/{own.number}/fordela/", {}).status_code == 403
    assert Case.objects.count() == 2


def test_shared_filters_follow_swedish_conventions_and_english_when_chosen():
    import datetime as dt

    from django.utils import translation

    from insyn.core.templatetags.insyn_format import count, daterange, duration

    with translation.override("sv"):
        assert duration(dt.timedelta(days=3)) == "3 dagar"
        assert duration(dt.timedelta(hours=2, minutes=15)) == "2 tim 15 min"
        assert daterange(dt.date(2023, 9, 15), dt.date(2023, 10, 31)) == "15 sep–31 okt 2023"
        assert count(27) == "27 st"
    with translation.override("en"):
        assert duration(dt.timedelta(days=3)) == "3 days"
        assert daterange(dt.date(2023, 9, 15), dt.date(2023, 10, 31)) == "15 Sep–31 Oct 2023"
        assert count(27) == "27"


def test_swedish_empty_choice_label_in_forms():
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("sv"):
        assert str(BLANK_CHOICE_LABEL) == "– Välj –"


def test_demo_outbox_delivers_at_once_and_the_admin_reads_it(world, client, settings):
    from django.core.management import call_command

    from insyn.core.mail import queue_email
    from insyn.core.models import OutgoingEmail

    settings.MAIL_OUTBOX = True
    assert queue_email("rut@example.org", "Din inloggningslänk", "https://x/logga-in/abc/")
    email = OutgoingEmail.objects.get(subject="Din inloggningslänk")
    assert email.state == OutgoingEmail.State.DELIVERED_LOCALLY and email.sent_at
    login_verified(client, world.users["admin"])
    html = client.get("/personal/utgaende-epost/").content.decode()
    assert "Din inloggningslänk" in html and "https://x/logga-in/abc/" in html
    import io

    out = io.StringIO()
    call_command("outbox", stdout=out)
    assert "Din inloggningslänk" in out.getvalue()
    settings.MAIL_OUTBOX = False
    queue_email("rut@example.org", "Påminnelse", "text")
    assert OutgoingEmail.objects.get(subject="Påminnelse").state == OutgoingEmail.State.QUEUED


def test_a_moderator_publishes_a_fault_report_from_the_one_queue(world, client):
    from insyn.feedback import services
    from insyn.feedback.models import Case, Kind, PublicState
    from tests.feedback.factories import CategoryFactory

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    case = services.create_case(
        kind=Kind.FAULT, category=category, description="Lampan är trasig", address_text="Torget"
    ).case
    login_verified(client, _user(Role.MODERATOR))
    assert case.number in client.get("/personal/moderering/").content.decode()
    response = client.post(
        f"/personal/moderering/arende/{case.number}/",
        {"state": "published", "public_description": "Lampan är trasig", "public_address": ""},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).public_state == PublicState.PUBLISHED
    # The moderator does not handle cases.
    assert client.get(f"/personal/arenden/{case.number}/").status_code == 403


def test_the_generated_goal_summary_follows_english_when_chosen():
    from django.utils import translation

    from insyn.goals.summary import StatusCounts, summary_sentence

    counts = StatusCounts(completed=1, on_track=9, delayed=2)
    with translation.override("sv"):
        assert summary_sentence(counts).startswith("Ett av kommunfullmäktiges tolv uppdrag")
    with translation.override("en"):
        assert summary_sentence(counts) == (
            "One of the city council's twelve assignments within the goal is completed. "
            "Nine assignments are on track and two assignments are delayed."
        )


def test_a_first_sign_in_counts_recent_cases_as_new_not_none(world):
    """The first sign-in ever has no previous visit: "Nya sedan ditt förra besök" must not be
    measured from this very sign-in (it said 0 beside a new case)."""
    import re

    from insyn.feedback import services
    from insyn.feedback.models import Case, Kind
    from tests.feedback.factories import CategoryFactory

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    case = services.create_case(
        kind=Kind.FAULT, category=category, description="Lampan", address_text="Torget"
    ).case
    Case.objects.filter(pk=case.pk).update(organisation=world.son)
    user = _user(Role.CASE_HANDLER, organisation=world.son)
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    html = client.get("/personal/").content.decode()
    assert re.search(r"Nya sedan ditt förra besök</a>\s*<[^>]+>1 st", html), html


def test_the_moderators_counts_match_the_moderation_queue(world, client):
    """The home's counts for a moderator are what the moderation page lists: a proposal a
    moderator already hid and a feedback case (never published, so never moderated) are in
    neither (both were counted once while the queue left them out)."""
    from insyn.dialogue.models import ProposalModeration, ProposalState
    from insyn.feedback import services
    from insyn.feedback.models import Kind
    from tests.dialogue.factories import ProposalFactory
    from tests.feedback.factories import CategoryFactory

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    services.create_case(
        kind=Kind.FAULT, category=category, description="Lampan är trasig", address_text="Torget"
    )
    services.create_case(kind=Kind.FEEDBACK, category=category, description="Bra belysning")
    waiting = ProposalFactory(
        state=ProposalState.SUBMITTED, moderation=ProposalModeration.PENDING, title="Ny bänk"
    )
    ProposalFactory(
        budget=waiting.budget,
        state=ProposalState.SUBMITTED,
        moderation=ProposalModeration.HIDDEN,
        title="Dold",
    )
    moderator = _user(Role.MODERATOR)
    login_verified(client, moderator)
    home = client.get("/personal/").content.decode()
    queue = client.get("/personal/moderering/").content.decode()
    assert "Lampan är trasig" in queue and "Bra belysning" not in queue
    assert "Ny bänk" in queue and "Dold" not in queue
    from insyn.dialogue.staff_home import moderator_items as dialogue_items
    from insyn.feedback.staff_home import moderator_items as feedback_items

    counts = [item.count for item in dialogue_items(moderator) + feedback_items(moderator)]
    assert counts == [0, 1, 1]  # posts, proposals, fault reports
    assert "Förslag att granska" in home


def test_the_contact_centre_home_counts_fault_reports_waiting_for_moderation(world, client):
    """The contact centre moderates fault reports (the moderation menu is theirs too): the home
    says how many wait, with a link to the queue."""
    from insyn.feedback import services
    from insyn.feedback.models import Kind
    from tests.feedback.factories import CategoryFactory

    category = CategoryFactory(code="gatubelysning", name="Gatubelysning")
    services.create_case(
        kind=Kind.FAULT, category=category, description="Lampan är trasig", address_text="Torget"
    )
    login_verified(client, _user(Role.CONTACT_CENTRE))
    home = client.get("/personal/").content.decode()
    assert "Felanmälningar att granska för publicering" in home
    assert 'href="/personal/moderering/"' in home
