"""Notices that summarise, not flood: immediate, daily or weekly digests of what someone follows.
Time travels by explicit `now` values, never by sleeping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from insyn.core import notices
from insyn.core.models import NoticeFrequency, NoticePreference, OutgoingEmail, PendingNotice

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
ANNA = "anna@example.org"


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def mails(address=ANNA):
    return list(OutgoingEmail.objects.filter(to=address).order_by("pk"))


def test_a_notice_goes_out_at_once_by_default_with_the_link_to_choose():
    assert notices.notify(ANNA, "Uppdatering i ärende 1", "Status: Åtgärdat")
    [mail] = mails()
    assert mail.subject == "Uppdatering i ärende 1"
    assert "Status: Åtgärdat" in mail.body
    assert "Välj hur ofta du får e-post" in mail.body
    assert "/epost/" in mail.body
    assert not PendingNotice.objects.exists()
    assert not notices.notify("", "x", "y")


def test_a_daily_digest_gathers_everything_since_the_last_one():
    notices.set_frequency(email="Anna@Example.org", frequency=NoticeFrequency.DAILY, now=T0)
    notices.notify(ANNA, "Uppdatering i ärende 1", "Status: Under handläggning", now=hours(1))
    notices.notify(
        ANNA, "Återkoppling: Parken", "Resultatet", now=hours(2), url="https://x.se/dialog/1/"
    )
    assert mails() == []  # kept for the digest
    assert notices.send_digests(now=hours(3)) == 0  # the day is not over
    assert notices.send_digests(now=hours(23)) == 1
    [digest] = mails()
    assert "2 nya händelser" in digest.subject
    body = digest.body
    assert body.index("Uppdatering i ärende 1") < body.index("Återkoppling: Parken")
    assert "Status: Under handläggning" in body and "https://x.se/dialog/1/" in body
    assert "/epost/" in body
    assert PendingNotice.objects.filter(sent_at__isnull=True).count() == 0
    # Sent once: running again the same hour, or the next, sends nothing.
    assert notices.send_digests(now=hours(23)) == 0
    notices.notify(ANNA, "Uppdatering i ärende 2", "Status: Åtgärdat", now=hours(24))
    assert notices.send_digests(now=hours(25)) == 0
    assert notices.send_digests(now=hours(46)) == 1
    second = mails()[-1]
    assert "1 ny händelse" in second.subject
    assert "Uppdatering i ärende 2" in second.body
    assert "Uppdatering i ärende 1" not in second.body


def test_a_weekly_digest_waits_a_week():
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.WEEKLY, now=T0)
    notices.notify(ANNA, "Ny felanmälan i ditt område", "Trasig lampa", now=hours(1))
    assert notices.send_digests(now=hours(24 * 6)) == 0
    assert notices.send_digests(now=hours(24 * 7 - 1)) == 1
    assert "Ny felanmälan i ditt område" in mails()[0].body


def test_no_digest_when_nothing_happened():
    preference = notices.set_frequency(email=ANNA, frequency=NoticeFrequency.DAILY, now=T0)
    assert notices.send_digests(now=hours(30)) == 0
    assert mails() == []
    preference.refresh_from_db()
    assert preference.last_digest_at == T0  # the period still counts from the last digest


def test_a_notice_given_twice_waits_once():
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.DAILY, now=T0)
    assert notices.notify(ANNA, "A", "a", dedupe_key="case:1:event:2", now=hours(1))
    assert not notices.notify(ANNA, "A", "a", dedupe_key="case:1:event:2", now=hours(1))
    assert PendingNotice.objects.count() == 1


def test_back_to_immediate_sends_what_was_waiting():
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.DAILY, now=T0)
    notices.notify(ANNA, "Väntar", "a", now=hours(1))
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.IMMEDIATE, now=hours(2))
    assert len(mails()) == 1 and "Väntar" in mails()[0].body
    notices.notify(ANNA, "Direkt", "b", now=hours(3))
    assert mails()[-1].subject == "Direkt"


def test_each_recipient_has_their_own_period_and_language():
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.DAILY, now=T0)
    with translation.override("en"):
        notices.set_frequency(email="bo@example.org", frequency=NoticeFrequency.DAILY, now=hours(5))
    notices.notify(ANNA, "Till Anna", "a", now=hours(6))
    notices.notify("bo@example.org", "Till Bo", "b", now=hours(6))
    assert notices.send_digests(now=hours(23)) == 1  # Anna's day is over, Bo's is not
    assert notices.send_digests(now=hours(28)) == 1
    [english] = mails("bo@example.org")
    assert "1 new event" in english.subject
    assert "Till Bo" in english.body


def test_unknown_frequency_is_refused_in_swedish():
    from insyn.core.errors import ServiceError

    with pytest.raises(ServiceError) as info:
        notices.set_frequency(email=ANNA, frequency="hourly")
    assert info.value.field_problems == {"frequency": ["Välj hur ofta du vill få e-post."]}
    assert not NoticePreference.objects.exists()


def test_the_command_sends_the_digests_that_are_due():
    notices.set_frequency(email=ANNA, frequency=NoticeFrequency.DAILY, now=hours(-30))
    notices.notify(ANNA, "Uppdatering", "a", now=hours(-2))
    call_command("send_digests")
    assert len(mails()) == 1


def test_the_residents_page_sets_the_choice_through_the_signed_link(client):
    url = notices.settings_url(ANNA).split("testserver")[-1]
    path = url[url.index("/epost/") :]
    page = client.get(path)
    assert page.status_code == 200
    assert ANNA in page.content.decode()
    assert (
        page.headers["Cache-Control"].startswith("max-age=0")
        or "no-cache" in page.headers["Cache-Control"]
    )
    assert client.post(path, {"frequency": "weekly"}).status_code == 302
    assert notices.frequency_of(ANNA) == NoticeFrequency.WEEKLY
    bad = client.post(path, {"frequency": "hourly"})
    assert bad.status_code == 400
    assert notices.frequency_of(ANNA) == NoticeFrequency.WEEKLY
    # A robot that fills the honeypot changes nothing.
    client.post(path, {"frequency": "daily", "website": "spam"})
    assert notices.frequency_of(ANNA) == NoticeFrequency.WEEKLY
    assert client.get(reverse("notice_settings", args=["fel"])).status_code == 400


def test_staff_choose_for_their_own_address(client):
    from insyn.accounts.models import Role
    from insyn.accounts.testing import login_verified
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="handlaggare", email="handlaggare@uppsala.se")
    MembershipFactory(user=user, role=Role.CONTACT_CENTRE, organisation=None)
    login_verified(client, user)
    assert client.get(reverse("staff:notice_settings")).status_code == 200
    response = client.post(reverse("staff:notice_settings"), {"frequency": "daily"})
    assert response.status_code == 302
    assert notices.frequency_of("handlaggare@uppsala.se") == NoticeFrequency.DAILY
