"""The goal page's stored renderings (insyn.core.stored, issue 13): the follow-up part and each
panel are drawn once for the versions of what they show and kept in the database, so that a
visit costs one query whatever the data; every kind of change draws again what it changes, and
only that. The public response cache is off here: these are the renderings alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.shortcuts import render
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from insyn.core import publication, registry, stored
from insyn.core.models import StoredFragment
from insyn.dialogue.models import DialogueState
from insyn.feedback.models import Case, Kind, Theme
from insyn.goals.models import Goal, Status
from insyn.goals.services import compiled_save
from insyn.public import views
from insyn.public.panels import goal_panels
from tests.dialogue.factories import PublishedDialogueFactory
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.factories import CategoryFactory
from tests.indicators.factories import LinkFactory
from tests.world import build_world, ten_times

pytestmark = pytest.mark.django_db

# The real panels of every app (tests/public/conftest.py swaps in a test provider).
REAL_PANELS = {kind: dict(providers) for kind, providers in registry._panels.items()}


@pytest.fixture(autouse=True)
def _real_panels_no_response_cache(monkeypatch, settings):
    monkeypatch.setattr(registry, "_panels", {k: dict(v) for k, v in REAL_PANELS.items()})
    settings.INSYN_PUBLIC_CACHE = False


@pytest.fixture
def world():
    world = build_world(goals=1, assignments=2)
    goal = world.goals[0]
    LinkFactory(goal=goal, indicator__title="Andel nöjda med belysningen")
    theme = Theme.objects.create(title="Belysning i Gottsunda", goal=goal)
    Case.objects.create(
        number="S-1", kind=Kind.FAULT, category=CategoryFactory(), description="x", theme=theme
    )
    dialogue = PublishedDialogueFactory(title="Trygghetsvandring i Gottsunda")
    dialogue.goals.add(goal)
    return world


def visit(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx)


def stored_at(key_part: str) -> dict[str, dt.datetime]:
    return {row.key: row.stored_at for row in StoredFragment.objects.filter(key__contains=key_part)}


def drawn_in_full(url: str, year: int, number: str, period: int | None = None) -> str:
    request = RequestFactory().get(url)
    page = views._goal_page(year, number, period, [], "")
    return render(
        request, "public/goal.html", views._goal_context(page, goal_panels(page.goal))
    ).content.decode()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_stored_page_is_the_page_drawn_in_full(world, language):
    goal = world.goals[0]
    with translation.override(language):
        for period in (None, world.april.pk):
            url = goal.get_absolute_url() + (f"?period={period}" if period else "")
            request = RequestFactory().get(url)
            if period:
                request.GET = request.GET.copy()
            first = views.goal(request, goal.plan.year, goal.number).content.decode()
            again = views.goal(request, goal.plan.year, goal.number).content.decode()
            full = drawn_in_full(url, goal.plan.year, goal.number, period)
            assert first == again == full
            assert "Trygghetsvandring i Gottsunda" in full  # every panel is on it
            assert "Andel nöjda med belysningen" in full
            assert "Belysning i Gottsunda" in full
            assert "insyn-panel:" not in full


def test_a_visit_costs_one_query_with_ten_times_the_data(client, world):
    url = world.goals[0].get_absolute_url()
    client.get(url)
    small_html, small = visit(client, url)
    ten_times(world)
    client.get(url)  # the change drew it again
    large_html, large = visit(client, url)
    assert small == large == 1
    assert small_html != large_html  # the ten times more assignments are on it


def test_the_first_visit_after_a_change_draws_it_at_a_bounded_cost(client, world):
    url = world.goals[0].get_absolute_url()
    client.get(url)
    publication.bump_publication_version()
    _html, small = visit(client, url)
    ten_times(world)
    publication.bump_publication_version()
    _html, large = visit(client, url)
    assert small == large
    assert small <= 26  # the follow-up (10), indicators (5), dialogue, feedback, loop, storing


def test_a_published_correction_shows_at_once(client, world):
    url = world.goals[0].get_absolute_url()
    client.get(url)
    compiled_save(
        period=world.august,
        assignment=world.assignments[0],
        status=Status.DELAYED,
        assessment="Det gick långsammare än vi skrev.",
        by=None,
        note="Fel status publicerades.",
    )
    assert "Det gick långsammare än vi skrev." in client.get(url).content.decode()


def test_saved_follow_up_organisation_and_indicator_rows_show_at_once(client, world):
    goal = world.goals[0]
    url = goal.get_absolute_url()
    client.get(url)
    goal.title = "Ett nytt namn på målet"
    goal.save()
    assert "Ett nytt namn på målet" in client.get(url).content.decode()
    organisation = world.assignments[0].responsible_organisations.first()
    organisation.name = "Nämnden med nytt namn"
    organisation.save()
    assert "Nämnden med nytt namn" in client.get(url).content.decode()
    indicator = goal.indicator_links.first().indicator
    indicator.title = "Andel nöjda med ljuset"
    indicator.save()
    assert "Andel nöjda med ljuset" in client.get(url).content.decode()


def test_a_write_without_signals_shows_once_its_service_bumps(client, world):
    goal = world.goals[0]
    url = goal.get_absolute_url()
    client.get(url)
    Goal.objects.filter(pk=goal.pk).update(title="Skrivet med update()")
    assert "Skrivet med update()" not in client.get(url).content.decode()  # what bumps is for
    publication.bump_publication_version()  # as every such service does
    assert "Skrivet med update()" in client.get(url).content.decode()


def test_a_fault_report_redraws_the_feedback_panels_and_nothing_else(client, world):
    goal = world.goals[0]
    url = goal.get_absolute_url()
    client.get(url)
    before = stored_at(f":{goal.number}:")
    Case.objects.create(
        number="S-2",
        kind=Kind.FAULT,
        category=CategoryFactory(),
        description="y",
        theme=Theme.objects.get(goal=goal),
    )
    assert "2 synpunkter och felanmälningar" in client.get(url).content.decode()
    after = stored_at(f":{goal.number}:")
    changed = {key.split(":")[3] for key in before if before[key] != after[key]}
    assert changed == {"feedback", "public"}  # the feedback panel and the loop, not the rest


def test_a_dialogue_redraws_the_dialogue_panels_and_nothing_else(client, world):
    goal = world.goals[0]
    url = goal.get_absolute_url()
    dialogue = PublishedDialogueFactory(title="Ny dialog om parken", state=DialogueState.DRAFT)
    dialogue.goals.add(goal)
    assert "Ny dialog om parken" not in client.get(url).content.decode()
    before = stored_at(f":{goal.number}:")
    dialogue.state = DialogueState.PUBLISHED
    dialogue.save()
    assert "Ny dialog om parken" in client.get(url).content.decode()
    after = stored_at(f":{goal.number}:")
    changed = {key.split(":")[3] for key in before if before[key] != after[key]}
    assert changed == {"dialogue", "public"}


def test_panels_that_depend_on_the_date_are_drawn_again_the_next_day(client, world, monkeypatch):
    goal = world.goals[0]
    url = goal.get_absolute_url()
    client.get(url)
    before = stored_at(f":{goal.number}:")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(views.timezone, "localdate", lambda *args: tomorrow)
    client.get(url)
    after = stored_at(f":{goal.number}:")
    changed = {key.split(":")[3] for key in before if before[key] != after[key]}
    assert changed == {"public"}  # the loop: a dialogue's feedback date may have passed


def test_new_code_draws_everything_again(client, world, monkeypatch):
    url = world.goals[0].get_absolute_url()
    client.get(url)
    assert visit(client, url)[1] == 1
    monkeypatch.setattr(stored, "_code_stamp", "a-new-release")
    assert visit(client, url)[1] > 1
    assert visit(client, url)[1] == 1


def test_nothing_is_stored_for_a_goal_that_does_not_exist(client, world):
    assert client.get("/plan/2023/mal/99/").status_code == 404
    assert client.get("/plan/2023/mal/99/").status_code == 404
    assert not StoredFragment.objects.filter(key__contains=":99:").exists()


def test_with_debug_on_the_page_is_always_drawn(client, world, settings):
    settings.DEBUG = True
    url = world.goals[0].get_absolute_url()
    client.get(url)
    assert visit(client, url)[1] > 1
    assert not StoredFragment.objects.exists()


def test_a_rendering_that_cannot_be_stored_is_still_shown(client, world, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(StoredFragment.objects, "bulk_create", refuse)
    html = client.get(world.goals[0].get_absolute_url()).content.decode()
    assert "Trygghetsvandring i Gottsunda" in html
    assert not StoredFragment.objects.exists()


def test_a_signed_in_official_draws_the_same_page_for_everyone(client, world):
    """The stored parts are drawn without the request: whoever's visit drew them, they hold no
    user and no form token."""
    user = UserFactory(username="tjansteperson-kalle", first_name="Kalle")
    MembershipFactory(user=user)
    client.force_login(user)
    url = world.goals[0].get_absolute_url()
    client.get(url)
    data = " ".join(StoredFragment.objects.values_list("data", flat=True))
    assert data and "tjansteperson-kalle" not in data and "Kalle" not in data
    assert "csrfmiddlewaretoken" not in data
    client.logout()
    assert visit(client, url)[1] == 1  # the anonymous visitor gets what the official drew


def test_each_app_bumps_the_versions_of_its_area():
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        app = model._meta.app_label
        if not apps.get_app_config(app).name.startswith("insyn."):
            continue
        if publication._model_label(model) in publication.PRIVATE_MODELS:
            continue
        before = {name: version.current() for name, version in publication.AREAS.items()}
        publication._changed(model)
        after = {name: version.current() for name, version in publication.AREAS.items()}
        changed = {name for name in before if before[name] != after[name]}
        expected = (
            set(publication.AREAS)
            if app not in publication.APP_AREAS
            else {publication.APP_AREAS[app]} - {None}
        )
        assert changed == expected, model


def test_an_unknown_area_is_refused():
    with pytest.raises(ValueError, match="unknown area"):
        publication.bump_publication_version(area="budget")
    with pytest.raises(ValueError, match="unknown areas"):
        registry.register_panels("elsewhere", areas=("budget",))
