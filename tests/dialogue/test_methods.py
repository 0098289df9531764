"""Survey, discussion and meeting rules."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from insyn.core.errors import ServiceError
from insyn.dialogue import selectors, services
from insyn.dialogue.models import (
    Answer,
    PostState,
    QuestionKind,
    Registration,
    Source,
    SurveyResponse,
)
from tests.dialogue.conftest import needs_concurrent_db, sign_in_participant
from tests.dialogue.factories import (
    DiscussionFactory,
    MeetingFactory,
    ParticipantFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = SurveyFactory()
    services.question_add(
        survey=survey,
        kind=QuestionKind.SINGLE,
        text="Favoritplats?",
        options=["Parken", "Torget"],
        required=True,
    )
    services.question_add(
        survey=survey,
        kind=QuestionKind.MULTIPLE,
        text="Vad saknas?",
        options=["Bänkar", "Träd", "Ljus"],
    )
    services.question_add(
        survey=survey, kind=QuestionKind.SCALE, text="Hur trygg?", scale_min=1, scale_max=5
    )
    services.question_add(
        survey=survey, kind=QuestionKind.RANKING, text="Rangordna", options=["A", "B", "C"]
    )
    services.question_add(survey=survey, kind=QuestionKind.TEXT, text="Övrigt?")
    return survey


def _q(survey, kind):
    return survey.questions.get(kind=kind)


def _answers(survey, *, single=0, multiple=(0, 2), scale=4, ranking=(2, 1, 3), text="=1+1"):
    s, m, sc, r, t = (_q(survey, k) for k in ("single", "multiple", "scale", "ranking", "text"))
    so, mo, ro = (list(q.options.all()) for q in (s, m, r))
    return {
        s.pk: so[single].pk,
        m.pk: [mo[i].pk for i in multiple],
        sc.pk: scale,
        r.pk: {o.pk: rank for o, rank in zip(ro, ranking, strict=True)},
        t.pk: text,
    }


def test_every_question_kind_is_stored(survey):
    response = services.survey_submit(survey=survey, answers=_answers(survey))
    assert response.answers.count() == 1 + 2 + 1 + 3 + 1
    total, results = selectors.survey_results(survey)
    assert total == 1
    by_kind = {r.question.kind: r for r in results}
    assert [o.count for o in by_kind["single"].options] == [1, 0]
    assert [o.count for o in by_kind["multiple"].options] == [1, 0, 1]
    assert by_kind["scale"].mean == 4
    assert [o.mean_rank for o in by_kind["ranking"].options] == [2, 1, 3]
    assert by_kind["text"].texts == ["=1+1"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"single": None}, "måste besvaras"),
        ({"scale": 9}, "skalan"),
        ({"ranking": (1, 1, 2)}, "egen plats"),
        ({"ranking": (1, 3, 4)}, "egen plats"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_saved(survey, change, message):
    answers = _answers(survey, **{k: v for k, v in change.items() if v is not None})
    if change.get("single", 0) is None:
        answers[_q(survey, "single").pk] = ""
    with pytest.raises(services.SurveyInvalid) as refused:
        services.survey_submit(survey=survey, answers=answers)
    assert any(message in e for e in refused.value.errors.values())
    assert not SurveyResponse.objects.exists() and not Answer.objects.exists()


def test_option_of_another_question_is_refused(survey):
    answers = _answers(survey)
    answers[_q(survey, "single").pk] = _q(survey, "multiple").options.first().pk
    with pytest.raises(services.SurveyInvalid):
        services.survey_submit(survey=survey, answers=answers)


def test_anonymous_survey_stores_no_participant_even_when_signed_in(client, survey):
    participant = ParticipantFactory()
    sign_in_participant(client, participant)
    s = _q(survey, "single")
    response = client.post(
        reverse("dialogue:survey", args=[survey.dialogue.pk, survey.pk]),
        {f"q_{s.pk}": s.options.first().pk},
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.get().participant is None


def test_participants_never_see_others_answers(client, survey):
    services.survey_submit(survey=survey, answers=_answers(survey, text="Hemligt svar 123"))
    for url in (
        reverse("dialogue:survey", args=[survey.dialogue.pk, survey.pk]),
        reverse("dialogue:detail", args=[survey.dialogue.pk]),
        reverse("dialogue:survey_thanks", args=[survey.dialogue.pk, survey.pk]),
    ):
        assert "Hemligt svar 123" not in client.get(url).content.decode()


def test_signed_in_survey_takes_one_answer_per_person(client, survey):
    survey.requires_sign_in = True
    survey.save()
    url = reverse("dialogue:survey", args=[survey.dialogue.pk, survey.pk])
    s = _q(survey, "single")
    data = {f"q_{s.pk}": s.options.first().pk}
    assert client.post(url, data).status_code == 400  # asks to sign in, saves nothing
    assert not SurveyResponse.objects.exists()
    participant = ParticipantFactory()
    sign_in_participant(client, participant)
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400
    assert SurveyResponse.objects.get().participant == participant


def test_survey_form_round_trip_with_every_kind(client, survey):
    s, m, sc, r, t = (_q(survey, k) for k in ("single", "multiple", "scale", "ranking", "text"))
    data = {
        f"q_{s.pk}": s.options.last().pk,
        f"q_{m.pk}": [o.pk for o in m.options.all()],
        f"q_{sc.pk}": 2,
        f"q_{t.pk}": "Mer ljus",
        "age_band": "18-29",
    }
    for rank, option in enumerate(r.options.all(), start=1):
        data[f"r_{r.pk}_{option.pk}"] = rank
    response = client.post(reverse("dialogue:survey", args=[survey.dialogue.pk, survey.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert SurveyResponse.objects.get().age_band == "18-29"


def test_results_export_csv_and_xlsx_without_personal_data(staff_client, survey):
    participant = ParticipantFactory(email="person@example.org")
    survey.requires_sign_in = True
    survey.save()
    services.survey_submit(survey=survey, answers=_answers(survey), participant=participant)
    page = staff_client.get(reverse("dialogue_staff:survey", args=[survey.pk]))
    assert page.status_code == 200 and b"<svg" in page.content and b"<table" in page.content
    raw = staff_client.get(reverse("dialogue_staff:survey_export", args=[survey.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][5:] == [q.text for q in survey.questions.all()]
    assert rows[1][5:] == ["Parken", "Bänkar; Ljus", "4", "B > A > C", "'=1+1"]
    assert "person@example.org" not in raw.content.decode()
    xlsx = staff_client.get(reverse("dialogue_staff:survey_export", args=[survey.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][5] == "Parken"


def test_summary_is_published_only_after_closing(survey):
    with pytest.raises(ServiceError):
        services.survey_publish_summary(survey=survey, summary="Klart", by=None)
    services.survey_close(survey=survey, by=None)
    services.survey_publish_summary(survey=survey, summary="Bänkar önskas mest", by=None)
    from insyn.search.services import search

    assert search("bänkar önskas", kinds=["dialogue"])


def test_closed_survey_takes_no_answers_but_staff_can_enter_paper(survey, officer):
    services.survey_close(survey=survey, by=None)
    with pytest.raises(ServiceError):
        services.survey_submit(survey=survey, answers=_answers(survey))
    response = services.survey_submit(
        survey=survey, answers=_answers(survey), source=Source.PAPER, entered_by=officer
    )
    assert response.source == Source.PAPER and response.entered_by == officer


# --- Discussion --------------------------------------------------------------------------------


def test_discussion_replies_report_and_hide_with_reason(client, officer):
    discussion = DiscussionFactory()
    url = reverse("dialogue:discussion", args=[discussion.dialogue.pk, discussion.pk])
    page = client.get(url).content.decode()
    assert "Regler för samtalet" in page and "personangrepp" in page
    client.post(url, {"body": "Fler bänkar!", "author_name": "Eva"})
    post = discussion.posts.get()
    client.post(url, {"body": "Håller med", "parent": post.pk})
    reply = discussion.posts.get(parent=post)
    assert "Håller med" in client.get(url).content.decode()
    report_url = reverse(
        "dialogue:post_report", args=[discussion.dialogue.pk, discussion.pk, reply.pk]
    )
    client.post(report_url, {"reason": "Off topic"})
    reply.refresh_from_db()
    assert reply.report_count == 1
    with pytest.raises(ServiceError):
        services.post_hide(post=reply, reason=" ", by=officer)
    services.post_hide(post=reply, reason="Handlar inte om parken", by=officer)
    page = client.get(url).content.decode()
    assert "Handlar inte om parken" in page and "Håller med" not in page


def test_premoderation_hides_posts_until_approved(client, officer):
    discussion = DiscussionFactory(premoderation=True)
    url = reverse("dialogue:discussion", args=[discussion.dialogue.pk, discussion.pk])
    client.post(url, {"body": "Väntande inlägg"})
    post = discussion.posts.get()
    assert post.state == PostState.PENDING
    assert "Väntande inlägg" not in client.get(url).content.decode()
    services.post_approve(post=post, by=officer)
    assert "Väntande inlägg" in client.get(url).content.decode()


# --- Meetings --------------------------------------------------------------------------------


def test_meeting_capacity_and_duplicate_registration():
    meeting = MeetingFactory(capacity=2)
    services.meeting_register(meeting=meeting, name="A", email="a@example.org")
    with pytest.raises(ServiceError):
        services.meeting_register(meeting=meeting, name="A", email="A@example.org")
    services.meeting_register(meeting=meeting, name="B", email="b@example.org")
    with pytest.raises(services.MeetingFull):
        services.meeting_register(meeting=meeting, name="C", email="c@example.org")
    assert meeting.registrations.count() == 2


@needs_concurrent_db
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrent_registrations():
    meeting = MeetingFactory(capacity=3)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def register(n: int) -> None:
        try:
            barrier.wait()
            services.meeting_register(meeting=meeting, name=f"P{n}", email=f"p{n}@example.org")
            outcomes.append("ok")
        except ServiceError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Registration.objects.filter(meeting=meeting).count() == 3
    assert outcomes.count("ok") == 3


def test_meeting_page_shows_accessibility_and_registers(client):
    meeting = MeetingFactory(accessibility="Hörslinga finns.")
    url = reverse("dialogue:meeting", args=[meeting.dialogue.pk, meeting.pk])
    assert "Hörslinga finns." in client.get(url).content.decode()
    response = client.post(url, {"name": "Ali", "email": "ali@example.org"})
    assert response.status_code == 302
    assert meeting.registrations.get().name == "Ali"


def test_offline_input_carries_the_same_metadata(officer):
    meeting = MeetingFactory()
    item = services.offline_input_add(
        dialogue=meeting.dialogue,
        meeting=meeting,
        by=officer,
        body="Workshopanteckning",
        source=Source.WORKSHOP,
        people=5,
        age_band="65-79",
    )
    assert (item.source, item.people, item.age_band, item.entered_by) == (
        Source.WORKSHOP,
        5,
        "65-79",
        officer,
    )
    rep = selectors.dialogue_representativeness(meeting.dialogue)
    assert rep.total == 5
