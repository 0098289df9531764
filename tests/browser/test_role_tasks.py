"""Each role's main task, end to end in a real browser: sign in with the form (the
administrator with a TOTP code), land on the staff home, do the work from there, sign out — with
axe-core (WCAG 2.1 AA) on every page passed. A resident needs no account: reports a fault,
answers a survey and follows the case by the link in the e-mail (the demo outbox).

A screenshot of each home is saved under the test's tmp_path (home-<role>.png) so a person can
look at it; pytest keeps the last runs under its temp folder.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from insyn.accounts.models import Role
from tests.browser.conftest import assert_accessible, assert_no_page_errors
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.conftest import _media, setup  # noqa: F401  (the routing fixtures)
from tests.world import make_world, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect
PASSWORD = "lösenord-för-rollernas-dag"
TIMEOUT = 60_000  # a busy machine: generous, never tight


def person(username: str, role: str, organisation=None):
    user = UserFactory(username=username, first_name="Alva", last_name="Andersson")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, role=role, organisation=organisation)
    return user


def check(page, *, refused: bool = False) -> None:
    """axe-core on the page as it is; no console errors (a refused form answers 400, which
    Chromium logs: allowed only where the test expects it)."""
    assert_accessible(page)
    page.insyn_errors[:] = [
        e
        for e in page.insyn_errors
        if "favicon" not in e and not (refused and "status of 400" in e)
    ]
    assert_no_page_errors(page)


def go(page, url: str) -> None:
    page.goto(url, timeout=TIMEOUT)
    check(page)


def sign_in(page, base: str, username: str, tmp_path, *, heading: str, device_user=None) -> None:
    """The sign-in form, then the home (/personal/) with `heading`; screenshot of the home."""
    page.set_default_timeout(TIMEOUT)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    go(page, base + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    if device_user is not None:  # the second factor: set up a TOTP device and enter a code
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        expect(page).to_have_url(re.compile(r"/konto/tvastegsverifiering/ny/"))
        check(page)
        device = TOTPDevice.objects.get(user=device_user, confirmed=False)
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state("load")
    expect(page).to_have_url(re.compile(r"/personal/$"))
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    check(page)
    page.screenshot(path=str(tmp_path / f"home-{username}.png"), full_page=True)


def sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load")
    check(page)
    page.goto(base + "/personal/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


# --- The follow-up of goals and assignments --------------------------------------------------


def test_the_reporter_fills_in_and_submits_a_draft(page, live_server, tmp_path):
    from insyn.goals.models import Report, ReportState

    world = make_world()
    open_period(world)
    person("rut", Role.REPORTER, world.son)
    base = live_server.url
    sign_in(page, base, "rut", tmp_path, heading="Dina rapporter")

    page.locator("main .staff-home-items a", has_text="Uppdrag 1").first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_label("Bedömning").fill("Upphandlingen är klar; arbetet följer planen.")
    page.get_by_label("Status").select_option("on_track")
    page.get_by_role("button", name="Lämna in").click()
    expect(page.get_by_text("Rapporten är inlämnad. Tack!")).to_be_visible()
    check(page)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    assert report.state == ReportState.SUBMITTED and report.status == "on_track"
    sign_out(page, base)


def test_the_compiler_reviews_compiles_and_publishes_the_period(page, live_server, tmp_path):
    """From the home: the period's completeness, an assignment's reports (one returned), the
    compiled assessment, the goal's follow-up; then the period is published and the result is on
    the public page. The other assignments and goal are compiled with the services (the same
    forms, already walked)."""
    from insyn.goals import services
    from insyn.goals.models import PeriodState, Report, ReportState

    world = make_world()
    open_period(world)
    Report.objects.filter(period=world.period, organisation__isnull=False).update(
        state=ReportState.SUBMITTED, status="on_track", assessment="Enligt plan."
    )
    sam = person("sam", Role.COMPILER)
    base = live_server.url
    sign_in(page, base, "sam", tmp_path, heading="Sammanställning och granskning")

    page.locator("main .staff-home-items a").first.click()  # the period's completeness
    page.wait_for_load_state("load")
    check(page)
    first = world.assignments[0]
    page.locator("main table a", has_text=first.heading).first.click()
    page.wait_for_load_state("load")
    check(page)
    card = page.locator("article", has_text="Socialnämnden")
    card.get_by_label(re.compile("Kommentar om vad som behöver kompletteras")).fill(
        "Beskriv också vad som återstår till hösten."
    )
    card.get_by_role("button", name="Återsänd").click()
    expect(page.get_by_text("Rapporten är återsänd till Socialnämnden.")).to_be_visible()
    check(page)
    report = Report.objects.get(period=world.period, assignment=first, organisation=world.son)
    assert report.state == ReportState.RETURNED

    page.get_by_label("Sammanställd status").select_option("on_track")
    page.get_by_role("textbox", name="Sammanställd bedömning").fill(
        "Arbetet med hållbar stad följer planen."
    )
    page.get_by_role("button", name="Spara sammanställning").click()
    expect(page.get_by_text("Den sammanställda bedömningen är sparad.")).to_be_visible()
    check(page)

    page.locator(".breadcrumbs a", has_text="Sammanställning").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile("Skriv målets bedömning")).first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_label("Målets status").select_option("green")
    page.get_by_role("textbox", name="Bedömning av målet").fill("Målet nås i år.")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_text("Målets uppföljning är sparad.")).to_be_visible()
    check(page)

    for assignment in world.assignments[1:]:
        services.compiled_save(
            period=world.period,
            assignment=assignment,
            status="on_track",
            assessment="Enligt plan.",
            by=sam,
        )
    for goal in {a.goal for a in world.assignments} - {first.goal}:
        services.goal_follow_up_save(
            period=world.period, goal=goal, status="yellow", assessment="Delvis.", by=sam
        )

    page.locator(".breadcrumbs a", has_text=str(world.period.label)).first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_text("Perioden är publicerad.")).to_be_visible()
    check(page)
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.PUBLISHED
    sign_out(page, base)

    go(page, f"{base}/uppfoljning/{world.period.pk}/")  # the public follow-up
    expect(page.locator("main")).to_contain_text(str(world.period.label))
    expect(page.locator("main")).to_contain_text("1 mål har status grön och 1 mål har status gul.")
    expect(page.locator("main")).to_contain_text("Hållbar stad")


def test_the_reader_opens_a_dashboard(page, live_server, tmp_path):
    world = make_world()
    open_period(world)
    person("lasse", Role.READER)
    base = live_server.url
    sign_in(page, base, "lasse", tmp_path, heading="Översikter")
    page.locator("main .staff-home-items a", has_text=str(world.period.label)).first.click()
    page.wait_for_load_state("load")
    check(page)
    expect(page.locator("main h1")).to_contain_text(str(world.period.label))
    sign_out(page, base)


def test_the_administrator_signs_in_with_a_second_factor_and_opens_a_period(
    page, live_server, tmp_path
):
    from insyn.goals.models import PeriodState

    world = make_world()
    admin = person("ada", Role.ADMIN)
    base = live_server.url
    sign_in(page, base, "ada", tmp_path, heading="Systemets hälsa", device_user=admin)
    page.locator("main .staff-home-items a", has_text="Att öppna för rapportering").first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("button", name="Öppna för rapportering").click()
    page.wait_for_load_state("load")
    check(page)
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.OPEN
    page.get_by_role("navigation", name="Personalmeny").get_by_role(
        "link", name="Utgående e-post"
    ).click()
    page.wait_for_load_state("load")  # the reporters were told, in the outbox
    check(page)
    sign_out(page, base)


# --- Cases: contact centre, a board's case handler, the moderator, a resident ----------------


def _case(setup, **kwargs):  # noqa: F811
    from insyn.feedback import services
    from insyn.feedback.models import Kind

    values = {
        "kind": Kind.FAULT,
        "category": setup.potholes,
        "description": "Djupt hål i cykelbanan vid skolan.",
        "address_text": "Kungsgatan 40",
    }
    return services.create_case(**(values | kwargs)).case


def test_the_contact_centre_routes_a_case(setup, page, live_server, tmp_path):  # noqa: F811
    case = _case(setup)
    person("kim", Role.CONTACT_CENTRE)
    base = live_server.url
    sign_in(page, base, "kim", tmp_path, heading="Kontaktcenter")
    page.locator("main .staff-home-items a").first.click()  # the inbox
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_label("Ansvarig organisation").select_option(label="Uppsalahem AB")
    page.get_by_role("button", name="Fördela", exact=True).click()
    expect(page.get_by_text("Ärendet är fördelat.")).to_be_visible()
    check(page)
    case.refresh_from_db()
    assert case.organisation == setup.uppsalahem
    sign_out(page, base)


def test_a_boards_case_handler_answers_and_closes_a_case(setup, page, live_server, tmp_path):  # noqa: F811
    from insyn.feedback.models import CaseStatus

    mine = _case(setup)  # routed to the streets board by the routing table
    other = _case(setup, category=setup.playground, description="Gungan är trasig.")
    other.organisation = setup.uppsalahem
    other.save()
    person("hedda", Role.CASE_HANDLER, setup.streets)
    base = live_server.url
    sign_in(page, base, "hedda", tmp_path, heading="Ärenden till din organisation")
    page.locator("main .staff-home-items a").first.click()
    page.wait_for_load_state("load")
    check(page)
    assert other.number not in page.content()  # only the board's own cases
    page.get_by_role("link", name=mine.number).first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("textbox", name="Publikt svar").fill(
        "Hålet är lagat. Tack för att du sa till!"
    )
    page.get_by_label("Sätt status").select_option(CaseStatus.CLOSED)
    page.get_by_role("button", name="Publicera svar").click()
    expect(page.get_by_text("Svaret är publicerat")).to_be_visible()
    check(page)
    mine.refresh_from_db()
    assert mine.status == CaseStatus.CLOSED
    sign_out(page, base)


def test_the_moderator_approves_and_hides_posts(page, live_server, tmp_path):
    from insyn.dialogue.models import Post, PostState
    from tests.dialogue.factories import DiscussionFactory

    discussion = DiscussionFactory()
    good = Post.objects.create(
        discussion=discussion, body="Fler bänkar i parken, tack.", state=PostState.PENDING
    )
    bad = Post.objects.create(
        discussion=discussion, body="Ring mig på 070-123 45 67!", state=PostState.PENDING
    )
    person("mona", Role.MODERATOR)
    base = live_server.url
    sign_in(page, base, "mona", tmp_path, heading="Moderering")
    page.locator("main .staff-home-items a").first.click()
    page.wait_for_load_state("load")
    check(page)
    page.locator("article", has_text="Fler bänkar").get_by_role(
        "button", name="Visa inlägget"
    ).click()
    expect(page.get_by_text("Inlägget visas.")).to_be_visible()
    check(page)
    item = page.locator("article", has_text="Ring mig")
    item.get_by_label("Skäl (visas i stället för inlägget)").fill("Innehöll personuppgifter.")
    item.get_by_role("button", name="Dölj").click()
    expect(page.get_by_text("Inlägget är dolt.")).to_be_visible()
    check(page)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.state == PostState.VISIBLE and bad.state == PostState.HIDDEN
    sign_out(page, base)


# --- Dialogue ---------------------------------------------------------------------------------


def test_the_dialogue_officer_plans_and_publishes_a_dialogue_and_publishes_feedback(
    page, live_server, tmp_path
):
    from insyn.dialogue.models import Dialogue, DialogueState
    from tests.dialogue.factories import PublishedDialogueFactory
    from tests.world import organisation

    done = PublishedDialogueFactory(title="Dialog om torget", state=DialogueState.CLOSED)
    board = organisation("son")
    person("dag", Role.DIALOGUE_OFFICER)
    base = live_server.url
    sign_in(page, base, "dag", tmp_path, heading="Dialoger")

    page.locator("main .staff-home-items a", has_text="Registrera ny dialog").click()
    page.wait_for_load_state("load")
    check(page)
    # The register entry as the guideline wants it: question, purpose, the participation
    # ladder's step, a method, who decides, when, and what earlier dialogues said.
    page.get_by_role("textbox", name="Titel").fill("Dialog om lekplatsen i Gottsunda")
    page.locator("[name=question]").fill("Hur vill ni att lekplatsen ska se ut?")
    page.locator("[name=initiator]").select_option("residents")
    page.locator("[name=responsible_board]").select_option(label=board.name)
    page.get_by_role("textbox", name="Syfte").fill("Barn och föräldrar påverkar lekplatsens form.")
    page.get_by_label(re.compile("^Konsultation")).check()
    page.locator("[name=result_use]").fill("Underlag för ritningen.")
    page.locator("[name=decision_maker]").fill("Gatu- och samhällsmiljönämnden")
    page.locator("[name=target_groups]").fill("Barn och föräldrar i Gottsunda")
    page.get_by_label("Trygghetsvandring").check()
    page.locator("[name=whole_municipality]").check()
    page.locator("[name=starts_on]").fill("2027-03-01")
    page.locator("[name=ends_on]").fill("2027-04-30")
    page.locator("[name=feedback_on]").fill("2027-06-15")
    page.locator("[name=earlier_dialogues_note]").fill("Inga tidigare dialoger om platsen.")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_text("Dialogen är registrerad.")).to_be_visible()
    check(page)
    created = Dialogue.objects.get(title="Dialog om lekplatsen i Gottsunda")
    assert created.state == DialogueState.DRAFT
    assert created.ladder_steps == ["consultation"] and created.methods == ["walk"]

    page.get_by_role("link", name="Registrera förankring").click()
    page.wait_for_load_state("load")
    check(page)
    page.locator("[name=anchored_with]").fill("Nämndens presidium")
    page.locator("[name=anchored_body]").fill(board.name)
    page.locator("[name=anchored_on]").fill(timezone.localdate().isoformat())  # not in the future
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_text("Förankringen är registrerad.")).to_be_visible()
    check(page)
    if page.get_by_role("button", name="Publicera").count() == 0:  # back to the entry
        page.get_by_role("link", name="Dialog om lekplatsen i Gottsunda").first.click()
        page.wait_for_load_state("load")
    expect(page.get_by_text("Klar att publicera")).to_be_visible()
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_text("Dialogen är publicerad.")).to_be_visible()
    check(page)
    created.refresh_from_db()
    assert created.state == DialogueState.PUBLISHED and created.anchored_on
    page.get_by_role("link", name="Visa den publika sidan").click()
    page.wait_for_load_state("load")
    check(page)
    expect(page.locator("main")).to_contain_text("Dialog om lekplatsen i Gottsunda")
    expect(page.locator("main")).to_contain_text("Barn och föräldrar påverkar lekplatsens form.")

    # Publishing without the texts is refused, with the summary linked to the fields.
    go(page, f"{base}/personal/")  # back to the home from the public page
    page.get_by_role("navigation", name="Personalmeny").get_by_role(
        "link", name="Dialogregister"
    ).click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("link", name=done.title).first.click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("link", name="Återkoppling", exact=True).click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("button", name="Spara och publicera").click()
    page.wait_for_load_state("load")
    check(page, refused=True)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_summary']")).to_have_count(1)
    page.get_by_label("Resultatet i sammanfattning").fill("Fler vill ha sittplatser och träd.")
    page.get_by_label("Hur resultatet har använts").fill("Bänkar och träd är med i ritningen.")
    page.get_by_label("Vilket beslut resultatet har varit underlag för").fill(
        "Nämndens beslut om torgets ombyggnad."
    )
    page.get_by_role("button", name="Spara och publicera").click()
    expect(page.get_by_text(re.compile("Återkopplingen är publicerad"))).to_be_visible()
    check(page)
    done.refresh_from_db()
    assert done.feedback_published_at is not None
    sign_out(page, base)


# --- A resident (no account) -------------------------------------------------------------------


def test_a_resident_reports_a_fault_and_follows_it_by_the_link_in_the_email(
    setup,  # noqa: F811
    page,
    live_server,
):
    from insyn.core.models import OutgoingEmail
    from insyn.feedback.models import Case

    base = live_server.url
    page.set_default_timeout(TIMEOUT)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    go(page, base + "/synpunkter/")
    page.get_by_role("link", name="Gör en felanmälan").click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_label("Hål i vägen").check()
    page.get_by_label("Adress eller platsbeskrivning").fill("Svartbäcksgatan 12")
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_load_state("load")
    check(page)
    page.get_by_role("textbox", name="Beskriv felet").fill("Ett stort hål utanför porten.")
    page.get_by_label("E-post").fill("anna@example.org")
    page.get_by_role("button", name="Skicka felanmälan").click()
    page.wait_for_url(re.compile(r"/synpunkter/kvitto/$"))
    check(page)
    case = Case.objects.get()

    # The receipt e-mail (in the demo outbox) carries the personal tracking link.
    mail = OutgoingEmail.objects.filter(to__icontains="anna@example.org").latest("pk")
    link = re.search(r"https?://\S+/synpunkter/arende/\S+", mail.body)
    assert link, mail.body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    go(page, base + path)
    expect(page.locator("main")).to_contain_text(case.number)
    expect(page.locator("main")).to_contain_text("Mottaget")


def test_a_resident_answers_a_survey(page, live_server):
    from insyn.dialogue.demo import load_demo
    from insyn.dialogue.models import Dialogue, SurveyResponse

    load_demo()
    walks = Dialogue.objects.get(demo_key="trygghetsvandringar-arsta-stenhagen")
    survey = walks.surveys.get()
    base = live_server.url
    page.set_default_timeout(TIMEOUT)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    go(page, f"{base}/dialog/")
    page.get_by_role("link", name=re.compile(re.escape(walks.title))).first.click()
    page.wait_for_load_state("load")
    check(page)
    go(page, f"{base}/dialog/{walks.pk}/enkat/{survey.pk}/")
    single = survey.questions.get(kind="single")
    page.locator(f"input[name=q_{single.pk}]").first.check()
    ranking = survey.questions.get(kind="ranking")
    first_option = ranking.options.first()
    page.locator(f"select[name=r_{ranking.pk}_{first_option.pk}]").select_option(index=1)
    text = survey.questions.get(kind="text")
    page.locator(f"textarea[name=q_{text.pk}]").fill("Gångtunneln vid skolan")
    before = SurveyResponse.objects.filter(survey=survey).count()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/tack/$"))
    check(page)
    assert SurveyResponse.objects.filter(survey=survey).count() == before + 1
