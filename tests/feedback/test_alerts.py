"""Area alerts: subscribe by e-mail to new public fault reports in a district or near a point,
confirm by link, one unsubscribe link in every alert; only published reports are ever sent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from insyn.core.models import OutgoingEmail
from insyn.feedback import alerts, services
from insyn.feedback.models import AreaAlert, Kind, PublicState
from tests.feedback.conftest import CENTRUM, GOTTSUNDA

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/synpunkter/bevaka/"


def _report(setup, *, lat=CENTRUM[0], long=CENTRUM[1], text="Hål i asfalten", area=None):
    return services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description=text + " – ring mig på 070-123 45 67, Anna",
        lat=lat,
        long=long,
        area=area,
        address_text="Kungsgatan 1",
    ).case


def _publish(setup, case, text="Hål i asfalten"):
    return services.moderate(
        case=case,
        public_description=text,
        public_address="Kungsgatan",
        state=PublicState.PUBLISHED,
        by=setup.users["cc"],
    )


def _link(email, pattern):
    found = re.search(rf"http://testserver(/synpunkter/bevaka/[^/\s]+/{pattern})", email.body)
    assert found, email.body
    return found.group(1)


def _subscribe_and_confirm(client, data):
    response = client.post(SUBSCRIBE, {"webbplats": "", **data})
    assert response.status_code == 302 and response["Location"] == "/synpunkter/bevaka/skickat/"
    mail = OutgoingEmail.objects.filter(to=data["email"].lower()).latest("pk")
    assert "Bekräfta" in mail.subject
    page = _link(mail, "")
    # Following the link (a mail scanner does) confirms nothing; the button does.
    assert client.get(page).status_code == 200
    alert = AreaAlert.objects.get(email=data["email"].lower())
    assert alert.confirmed_at is None
    assert client.post(page + "bekrafta/").status_code == 302
    alert.refresh_from_db()
    assert alert.confirmed_at is not None
    return alert


def alert_mails(email):
    return OutgoingEmail.objects.filter(to=email).exclude(subject__startswith="Bekräfta")


def test_radius_alert_sent_when_moderation_publishes_never_before(setup, client):
    alert = _subscribe_and_confirm(
        client,
        {"email": "Granne@Example.org", "lat": CENTRUM[0], "long": CENTRUM[1], "radie": "500"},
    )
    assert alert.email == "granne@example.org" and alert.radius == 500 and alert.district is None
    near = _report(setup, lat=CENTRUM[0] + 0.002, long=CENTRUM[1])  # ~220 m
    far = _report(setup, lat=CENTRUM[0] + 0.01, long=CENTRUM[1])  # ~1.1 km
    # Not moderated yet: nobody hears of it.
    assert not alert_mails("granne@example.org").exists()
    _publish(setup, near)
    _publish(setup, far)
    mails = list(alert_mails("granne@example.org"))
    assert len(mails) == 1
    body = mails[0].body
    assert near.number in body and far.number not in body
    assert "Hål i asfalten" in body and "070" not in body and "Anna" not in body
    assert f"http://testserver/synpunkter/felanmalningar/{near.number}/" in body
    # Unpublished and published again: not sent twice.
    services.moderate(
        case=near,
        public_description="x",
        public_address="",
        state=PublicState.HIDDEN,
        by=setup.users["cc"],
    )
    _publish(setup, near)
    assert alert_mails("granne@example.org").count() == 1

    # One link in every alert: GET shows the button, POST deletes the address.
    unsubscribe = _link(mails[0], "avsluta/")
    page = client.get(unsubscribe)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert AreaAlert.objects.filter(pk=alert.pk).exists()
    done = client.post(unsubscribe)
    assert done.status_code == 200 and "Bevakningen är avslutad" in done.content.decode()
    assert not AreaAlert.objects.filter(email="granne@example.org").exists()
    assert client.post(unsubscribe).status_code == 200  # twice: still a calm answer


def test_district_alert_by_polygon_and_by_area_without_a_point(setup, client):
    alert = _subscribe_and_confirm(client, {"email": "g@example.org", "omrade": setup.gottsunda.pk})
    inside = _report(setup, lat=GOTTSUNDA[0], long=GOTTSUNDA[1])
    no_point = _report(setup, lat=None, long=None, area=setup.gottsunda)
    outside = _report(setup)  # centrum
    for case in (inside, no_point, outside):
        _publish(setup, case)
    body = "\n".join(m.body for m in alert_mails("g@example.org"))
    assert inside.number in body and no_point.number in body and outside.number not in body
    assert "Gottsunda" in alert_mails("g@example.org").first().subject
    assert alerts.new_reports_for(alert, None) == [inside, no_point]


def test_unconfirmed_alert_gets_nothing_and_is_deleted_after_a_week(setup, client):
    client.post(SUBSCRIBE, {"email": "a@example.org", "omrade": setup.gottsunda.pk})
    _publish(setup, _report(setup, lat=GOTTSUNDA[0], long=GOTTSUNDA[1]))
    assert not alert_mails("a@example.org").exists()
    AreaAlert.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
    call_command("anonymise_old_cases")
    assert not AreaAlert.objects.exists()


def test_bad_input_is_a_swedish_message_and_nothing_saved(setup, client):
    cases = [
        ({"email": "x@example.org"}, "Välj ett område att bevaka"),
        ({"email": "x@example.org", "lat": "59.33", "long": "18.07", "radie": "500"}, "utanför"),
        (
            {"email": "x@example.org", "lat": CENTRUM[0], "long": CENTRUM[1], "radie": "7"},
            "radierna",
        ),
        ({"email": "inte-epost", "omrade": setup.gottsunda.pk}, "e-postadress"),
        ({"email": "x@example.org", "omrade": "999999"}, "Välj ett av områdena"),
        ({"email": "x@example.org", "lat": "nan", "long": "x", "radie": "500"}, "Välj"),
    ]
    for data, message in cases:
        response = client.post(SUBSCRIBE, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not AreaAlert.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_limits_per_address_say_nothing_about_the_address(setup, client):
    for _ in range(alerts.MAX_UNCONFIRMED_PER_DAY + 2):
        response = client.post(SUBSCRIBE, {"email": "m@example.org", "omrade": setup.gottsunda.pk})
        assert response.status_code == 302
    assert AreaAlert.objects.count() == alerts.MAX_UNCONFIRMED_PER_DAY
    assert OutgoingEmail.objects.count() == alerts.MAX_UNCONFIRMED_PER_DAY


def test_subscribing_is_rate_limited_by_ip(setup, client, settings):
    settings.FEEDBACK_SUBMIT_RATE = "2/h"
    codes = [
        client.post(
            SUBSCRIBE, {"email": f"{i}@example.org", "omrade": setup.gottsunda.pk}
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def test_unknown_or_forged_tokens_are_404_or_calm(setup, client):
    assert client.get("/synpunkter/bevaka/finns-inte/").status_code == 404
    assert client.post("/synpunkter/bevaka/finns-inte/bekrafta/").status_code == 404
    alert = alerts.subscribe(email="f@example.org", district=setup.gottsunda).alert
    forged = alerts.unsubscribe_token(alert)[:-2] + "xx"
    client.post(f"/synpunkter/bevaka/{forged}/avsluta/")
    assert AreaAlert.objects.filter(pk=alert.pk).exists()


def test_a_digest_can_batch_several_reports_in_one_mail(setup):
    alert = alerts.subscribe(
        email="d@example.org", lat=CENTRUM[0], long=CENTRUM[1], radius=1000
    ).alert
    cases = [
        _publish(setup, _report(setup, lat=CENTRUM[0] + i * 0.001, long=CENTRUM[1]))
        for i in range(3)
    ]
    alerts.confirm(alert=alert)
    assert alerts.deliver(alert, alerts.new_reports_for(alert, None))
    mail = alert_mails("d@example.org").get()
    assert "3 nya felanmälningar" in mail.subject
    assert all(c.number in mail.body for c in cases)
    assert not alerts.deliver(alert, alerts.new_reports_for(alert, None))  # same set: not twice


def test_subscribe_page_prefilled_from_a_place_and_linked_from_the_form(setup, client):
    page = client.get(SUBSCRIBE, {"lat": CENTRUM[0], "long": CENTRUM[1], "radie": "1000"})
    text = page.content.decode()
    assert page.status_code == 200 and "Runt platsen" in text and "59.858600" in text
    assert client.get(SUBSCRIBE, {"lat": "abc", "radie": "-4"}).status_code == 200
    step2 = client.get(
        "/synpunkter/felanmalan/",
        {"category": setup.potholes.pk, "lat": CENTRUM[0], "long": CENTRUM[1]},
    ).content.decode()
    assert "/synpunkter/bevaka/?lat=59.858600&amp;long=17.638900&amp;radie=500" in step2
