"""Organisation list and page: what each is responsible for (directly and through groups)."""

from __future__ import annotations

import re

import pytest

from insyn.goals.models import Status
from insyn.organisations.models import OrganisationAlias, OrganisationKind
from tests.factories import OrganisationFactory
from tests.world import NOT_SUBMITTED, SECRET, build_world

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_it_lists_boards_and_companies_with_abbreviations_and_aliases(client):
    world = build_world(organisations=3)
    osn = OrganisationFactory(name="Omsorgsnämnden", slug="omsorgsnamnden", short_name="OSN")
    OrganisationAlias.objects.create(organisation=osn, alias="OMN")
    OrganisationFactory(name="Extern aktör AB", slug="extern", kind=OrganisationKind.EXTERNAL)
    html = get(client, "/organisationer/")
    assert "Nämnd" in html and "Bolag" in html and "Kommunstyrelse" in html
    assert "Omsorgsnämnden" in html and "OSN" in html and "OMN" in html
    assert "Extern aktör AB" not in html
    for org in world.organisations:
        assert org.get_absolute_url() in html
    assert f"/organisationer/grupper/{world.group.slug}/2023/" in html


def test_it_shows_what_the_organisation_is_responsible_for_and_how_it_stands(client):
    world = build_world(goals=2, assignments=6, organisations=3)
    org = world.organisations[1]
    html = get(client, org.get_absolute_url())
    responsible_part = html.split('id="affected-heading"')[0]
    direct = set(org.responsible_for.filter(goal__plan=world.plan))
    through_group = {a for a in world.assignments if a.responsible_groups.exists()}
    for a in world.assignments:
        assert (a.get_absolute_url() in responsible_part) == (a in direct | through_group), a
    assert f"{len(direct | through_group)} uppdrag i {world.plan.title}." in html
    assert "Så här går de enligt Delårsuppföljning per augusti 2023:" in html
    assert "Ansvarig som del av" in html and "Alla nämnder och bolag" in html
    # Counts by status, each with its text and shape.
    assert 'class="status-counts"' in html and "status--on_track" in html
    # Its own report, published and handed in, is there; drafts and secrets are not.
    assert f"{org.name} rapporterar om uppdrag" in html
    assert SECRET not in html and NOT_SUBMITTED not in html


def test_it_shows_abbreviations_and_aliases(client):
    build_world()
    osn = OrganisationFactory(name="Omsorgsnämnden", slug="omsorgsnamnden", short_name="OSN")
    OrganisationAlias.objects.create(organisation=osn, alias="OMN")
    html = get(client, osn.get_absolute_url())
    assert "Förkortningar och andra namn" in html and "OSN, OMN" in html


def test_a_company_is_not_in_a_group_of_boards(client):
    world = build_world(organisations=3)
    world.group.kinds = [OrganisationKind.BOARD, OrganisationKind.EXECUTIVE_BOARD]
    world.group.save()
    company = next(o for o in world.organisations if o.kind == OrganisationKind.COMPANY)
    html = get(client, company.get_absolute_url())
    assert "Ansvarig som del av" not in html


def test_an_organisation_not_active_that_year_is_not_in_the_group(client):
    world = build_world()
    gone = OrganisationFactory(name="Nedlagda nämnden", slug="nedlagda", active_until=2020)
    html = get(client, gone.get_absolute_url())
    assert "Organisationen har inga uppdrag i" in html
    members = get(client, f"/organisationer/grupper/{world.group.slug}/2023/")
    assert "Nedlagda nämnden" not in members
    assert "Nedlagda nämnden" in get(client, f"/organisationer/grupper/{world.group.slug}/2019/")


def test_it_shows_another_plan_year_when_asked_and_404_for_nonsense(client):
    world = build_world()
    org = world.organisations[1]
    html = get(client, f"{org.get_absolute_url()}?ar=2022")
    assert "Ansvarar för 2022" in html
    assert client.get(f"{org.get_absolute_url()}?ar=1901").status_code == 404
    assert client.get(f"{org.get_absolute_url()}?ar=tjugo").status_code == 400  # insyn.core.params
    assert client.get("/organisationer/finns-inte/").status_code == 404
    assert client.get("/organisationer/grupper/finns-inte/2023/").status_code == 404


def test_its_status_counts_add_up(client):
    world = build_world(goals=1, assignments=6, organisations=3)
    org = world.organisations[0]
    html = get(client, org.get_absolute_url())
    total = html.count('<li class="assignment">')
    counted = sum(
        int(n)
        for n in re.findall(
            r'class="status-label">[^<]+</span></span>\s*<strong>(\d+)</strong>', html
        )
    )
    assert counted == total
    assert str(Status.ON_TRACK.label) in html


def test_it_renders_the_panels_of_other_apps(client):
    world = build_world()
    org = world.organisations[1]
    assert f"Panel för {org.name}" in get(client, org.get_absolute_url())


def test_the_list_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: "/organisationer/", 5)


def test_the_page_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: w.organisations[1].get_absolute_url(), 12)


def test_the_group_page_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: f"/organisationer/grupper/{w.group.slug}/2023/", 4)
