"""A resident's case, the staff's answers to it and personal data are visible to that resident
(the private tracking link) and to staff, and to nobody else until moderation publishes it
(issue 12 finding 1). One rule: Case.objects.published() / Case.is_public."""

from __future__ import annotations

import itertools

import pytest

from insyn.core.models import OutgoingEmail
from insyn.feedback import services
from insyn.feedback.models import Case, CaseFollower, CaseStatus, Kind, PublicState
from tests.feedback.conftest import CENTRUM

pytestmark = pytest.mark.django_db

ANSWER = "Svar-från-handläggaren-7f3a"


def unmoderated_case_with_answer(setup):
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål framför min port, Anna Svensson",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        address_text="Kungsgatan 1",
        contact_email="anna@example.org",
    )
    services.change_status(
        case=receipt.case, status=CaseStatus.IN_PROGRESS, by=setup.users["cc"], body=ANSWER
    )
    receipt.case.refresh_from_db()
    assert receipt.case.public_state == PublicState.PENDING
    return receipt


def test_nobody_can_follow_a_case_that_is_not_published(setup, client):
    receipt = unmoderated_case_with_answer(setup)
    response = client.post(
        f"/synpunkter/felanmalningar/{receipt.case.number}/folj/", {"email": "x@example.org"}
    )
    assert response.status_code == 404
    assert not CaseFollower.objects.filter(email="x@example.org").exists()


def test_the_reporter_sees_the_answer_a_mere_follower_does_not(setup, client):
    receipt = unmoderated_case_with_answer(setup)
    assert ANSWER in client.get(f"/synpunkter/arende/{receipt.token}/").content.decode()
    # A follower from before the rule (or any path that creates one) sees nothing of it.
    token, token_hash = services.new_token()
    CaseFollower.objects.create(
        case=receipt.case, email="granne@example.org", token_hash=token_hash
    )
    text = client.get(f"/synpunkter/arende/{token}/").content.decode()
    assert ANSWER not in text and "Anna" not in text
    assert "granskas innan det publiceras" in text
    # ... and is not e-mailed the staff's next answer either.
    services.change_status(
        case=receipt.case, status=CaseStatus.IN_PROGRESS, by=setup.users["cc"], body="Nästa svar"
    )
    assert not OutgoingEmail.objects.filter(to="granne@example.org").exists()


def test_public_paths_never_name_an_unmoderated_case(setup, client):
    receipt = unmoderated_case_with_answer(setup)
    number = receipt.case.number
    for url in (f"/synpunkter/felanmalningar/{number}/", f"/open311/v2/requests/{number}.json"):
        page = client.get(url)
        assert page.status_code == 404 and ANSWER not in page.content.decode(), url
    for url in (
        "/synpunkter/felanmalningar/",
        "/open311/v2/requests.json",
        f"/synpunkter/felanmalan/?category={setup.potholes.pk}&lat={CENTRUM[0]}&long={CENTRUM[1]}",
    ):
        text = client.get(url).content.decode()
        assert number not in text and ANSWER not in text, url


@pytest.mark.parametrize(
    ("state", "kind", "merged"),
    list(itertools.product(PublicState.values, Kind.values, [False, True])),
)
def test_the_queryset_and_the_object_agree(setup, state, kind, merged):
    """Case.is_public is the object form of Case.objects.published(): one rule, two forms."""

    def new(text):
        return services.create_case(
            kind=Kind.FAULT, category=setup.potholes, description=text, address_text="Torget"
        ).case

    case, other = new("x"), new("y")
    Case.objects.filter(pk=case.pk).update(
        public_state=state, kind=kind, merged_into=other if merged else None
    )
    case.refresh_from_db()
    assert case.is_public == Case.objects.published().filter(pk=case.pk).exists()
