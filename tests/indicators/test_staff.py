"""Staff pages: indicators, links, targets, own values and peer groups; roles and history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.indicators.models import (
    Area,
    AreaType,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    KpiSource,
    PeerGroup,
    PeerGroupKind,
    Value,
    ValueRevision,
)
from tests.factories import AssignmentFactory, GoalFactory, MembershipFactory
from tests.indicators.factories import IndicatorFactory, KoladaAreaFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    membership = MembershipFactory(role=Role.COMPILER, organisation=None)
    client.force_login(membership.user)
    return membership.user


def test_create_kolada_indicator(client, staff):
    KpiFactory(id="N00097", title="Nettokostnadsavvikelse totalt (exkl. LSS), (%)")
    response = client.post(
        reverse("indicators_staff:create"),
        {
            "source": "kolada",
            "kpi_id": "n00097",
            "title": "",
            "unit": "",
            "direction": "decrease",
            "is_published": "on",
        },
    )
    indicator = Indicator.objects.get()
    assert response.status_code == 302
    assert indicator.kpi_id == "N00097" and indicator.unit == "%"
    assert indicator.title.startswith("Nettokostnadsavvikelse")
    assert indicator.history.count() == 1


def test_unknown_kpi_is_a_form_error(client, staff):
    response = client.post(
        reverse("indicators_staff:create"),
        {"source": "kolada", "kpi_id": "N99999", "direction": "none"},
    )
    assert response.status_code == 200
    assert "Nyckeltalet N99999 finns inte i databasen" in response.content.decode()
    assert not Indicator.objects.exists()


def test_own_indicator_with_values_and_revisions(client, staff):
    Area.objects.create(id="0380", title="Uppsala", type=AreaType.MUNICIPALITY)
    client.post(
        reverse("indicators_staff:create"),
        {"source": "own", "title": "Trygghetsvandringar", "unit": "antal", "direction": "increase"},
    )
    indicator = Indicator.objects.get()
    assert indicator.kpi.source == KpiSource.OWN and indicator.kpi_id.startswith("EGEN-")
    url = reverse("indicators_staff:value_set", args=[indicator.pk])
    assert client.post(url, {"year": 2024, "gender": "T", "value": "12"}).status_code == 302
    assert client.post(url, {"year": 2024, "gender": "T", "value": "14,5"}).status_code == 302
    value = Value.objects.get(kpi=indicator.kpi, period=2024)
    assert value.value == 14.5 and value.source_ref.startswith("Inmatat av")
    assert ValueRevision.objects.get().value == 12.0
    page = client.get(reverse("indicators_staff:edit", args=[indicator.pk]))
    assert "Värden (egen indikator)" in page.content.decode()
    client.post(reverse("indicators_staff:value_remove", args=[indicator.pk, 2024, "T"]))
    assert not Value.objects.filter(kpi=indicator.kpi).exists()
    assert ValueRevision.objects.count() == 2


def test_kolada_values_cannot_be_entered_by_hand(client, staff):
    indicator = IndicatorFactory()
    response = client.post(
        reverse("indicators_staff:value_set", args=[indicator.pk]),
        {"year": 2024, "gender": "T", "value": "1"},
        follow=True,
    )
    assert "Kolada-värden kommer från importen" in response.content.decode()
    assert not Value.objects.exists()


def test_link_to_goal_and_assignment_with_history(client, staff):
    indicator = IndicatorFactory()
    goal = GoalFactory()
    assignment = AssignmentFactory(goal=goal)
    other_assignment = AssignmentFactory()
    url = reverse("indicators_staff:link_add", args=[indicator.pk])
    assert client.post(url, {"goal": goal.pk}).status_code == 302
    assert client.post(url, {"assignment": assignment.pk}).status_code == 302
    response = client.post(url, {"goal": goal.pk, "assignment": other_assignment.pk})
    assert response.status_code == 400
    assert "Uppdraget hör inte till det valda målet." in response.content.decode()
    duplicate = client.post(url, {"goal": goal.pk})
    assert "redan kopplad" in duplicate.content.decode()
    links = IndicatorLink.objects.filter(indicator=indicator)
    assert links.count() == 2
    link = links.get(assignment__isnull=True)
    client.post(reverse("indicators_staff:link_remove", args=[indicator.pk, link.pk]))
    assert IndicatorLink.objects.count() == 1
    assert IndicatorLink.history.filter(history_type="-").count() == 1


def test_targets(client, staff):
    indicator = IndicatorFactory()
    url = reverse("indicators_staff:target_set", args=[indicator.pk])
    client.post(url, {"year": 2026, "value": "85,5", "note": "KF-mål"})
    client.post(url, {"year": 2026, "value": "86", "note": "KF-mål"})
    target = IndicatorTarget.objects.get()
    assert target.value == 86.0 and target.history.count() == 2
    bad = client.post(url, {"year": "nästa år", "value": "x"})
    assert bad.status_code == 400
    client.post(reverse("indicators_staff:target_remove", args=[indicator.pk, target.pk]))
    assert not IndicatorTarget.objects.exists()


def test_custom_peer_group_by_names_and_codes(client, staff):
    KoladaAreaFactory(id="0580", title="Linköping")
    KoladaAreaFactory(id="1880", title="Örebro")
    response = client.post(
        reverse("indicators_staff:group_create"),
        {
            "title": "Jämförbara städer",
            "description": "R9",
            "members_text": "0580\nörebro",
            "show_on_pages": "on",
            "order": 0,
        },
    )
    assert response.status_code == 302
    group = PeerGroup.objects.get()
    assert group.kind == PeerGroupKind.CUSTOM
    assert set(group.members.values_list("pk", flat=True)) == {"0580", "1880"}
    response = client.post(
        reverse("indicators_staff:group_edit", args=[group.pk]),
        {"title": "Jämförbara städer", "members_text": "0580, Atlantis", "order": 0},
    )
    assert "Okända kommuner: Atlantis" in response.content.decode()
    assert group.members.count() == 2
    client.post(
        reverse("indicators_staff:group_edit", args=[group.pk]),
        {"title": "Jämförbara städer", "members_text": "Linköping", "order": 0},
    )
    assert group.history.count() >= 2
    assert list(group.members.values_list("pk", flat=True)) == ["0580"]


def test_kolada_group_only_display_settings(client, staff):
    KoladaAreaFactory(id="G1", title="Liknande kommuner", type=AreaType.GROUP)
    group = PeerGroup.objects.create(
        kind=PeerGroupKind.KOLADA, kolada_id="G1", title="Liknande kommuner"
    )
    group.members.set([KoladaAreaFactory(id="0580")])
    client.post(
        reverse("indicators_staff:group_edit", args=[group.pk]),
        {"title": "Nytt namn", "members_text": "", "show_on_pages": "on", "order": 2},
    )
    group.refresh_from_db()
    assert group.title == "Liknande kommuner" and group.show_on_pages and group.order == 2
    assert group.members.count() == 1
    client.post(reverse("indicators_staff:group_remove", args=[group.pk]))
    assert PeerGroup.objects.filter(pk=group.pk).exists()


def test_staff_pages_render(client, staff):
    indicator = IndicatorFactory()
    for name, args in [
        ("index", []),
        ("create", []),
        ("edit", [indicator.pk]),
        ("group_create", []),
        ("budget_upload", []),
        ("import_runs", []),
    ]:
        response = client.get(reverse(f"indicators_staff:{name}", args=args))
        assert response.status_code == 200, name
        assert "style=" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.REPORTER, Role.READER, Role.CONTACT_CENTRE])
def test_other_roles_are_refused(client, role):
    indicator = IndicatorFactory()
    membership = MembershipFactory(role=role)
    client.force_login(membership.user)
    assert client.get(reverse("indicators_staff:index")).status_code == 403
    assert (
        client.post(
            reverse("indicators_staff:target_set", args=[indicator.pk]),
            {"year": 2026, "value": "1"},
        ).status_code
        == 403
    )
    assert not IndicatorTarget.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("indicators_staff:index"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
