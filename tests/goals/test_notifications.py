"""Notices and reminders: queued by services and `insyn send-reminders`, deduplicated, and sent
by `insyn send-queued-mail` through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command
from django.test import override_settings

from insyn.core.models import OutgoingEmail
from insyn.goals import services
from insyn.goals.models import Report, ReportState
from tests.world import open_period

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    # aiosmtpd logs each connection from its own thread ("mail.log"); under pytest's output
    # capture that handler's stream may already be closed, which printed "--- Logging error ---"
    # tracebacks into a green run. The test reads the messages, not the server's log.
    server_log = logging.getLogger("mail.log")
    was_disabled, server_log.disabled = server_log.disabled, True
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        with override_settings(MAILERS=mailers):
            yield collector
    finally:
        controller.stop()
        server_log.disabled = was_disabled


def test_it_sends_the_period_opened_notice_through_smtp(world, smtp_server):
    open_period(world)
    call_command("send_queued_mail")
    assert not OutgoingEmail.objects.filter(state=OutgoingEmail.State.QUEUED).exists()
    by_address = {rcpt[0]: message for rcpt, message in smtp_server.messages}
    reporter = world.users["reporter"]
    assert reporter.email in by_address
    message = by_address[reporter.email]
    assert message["Subject"] == f"Rapportera: Delårsuppföljning per augusti {world.period.year}"
    body = message.get_content()
    assert "Socialnämnden" in body and "/personal/uppfoljning/mina-rapporter/" in body
    assert "Uppsalahem AB" in by_address["rapport@uppsalahem.example"].get_content()
    # The foreign reporter's organisation (UBN) reports too, so it is told; nobody twice.
    assert len(smtp_server.messages) == len(by_address)


def test_it_reminds_7_and_1_days_before_the_deadline_once(world):
    open_period(world)
    deadline = world.period.deadline
    Report.objects.filter(period=world.period, organisation=world.son).update(
        state=ReportState.SUBMITTED
    )
    OutgoingEmail.objects.all().delete()

    call_command("send_reminders", today=(deadline - dt.timedelta(days=8)).isoformat())
    assert not OutgoingEmail.objects.exists()
    call_command("send_reminders", today=(deadline - dt.timedelta(days=7)).isoformat())
    call_command("send_reminders", today=(deadline - dt.timedelta(days=6)).isoformat())
    week = OutgoingEmail.objects.filter(dedupe_key=f"reminder:{world.period.pk}:7")
    recipients = set(week.values_list("to", flat=True))
    assert world.users["reporter"].email not in recipients  # SON has submitted everything
    assert world.users["reporter_foreign"].email in recipients
    assert "rapport@uppsalahem.example" in recipients
    assert week.count() == len(recipients)  # deduplicated across runs

    call_command("send_reminders", today=(deadline - dt.timedelta(days=1)).isoformat())
    call_command("send_reminders", today=deadline.isoformat())
    day = OutgoingEmail.objects.filter(dedupe_key=f"reminder:{world.period.pk}:1")
    assert day.count() == len(recipients)
    assert "i morgon" in day.first().body
    call_command("send_reminders", today=(deadline + dt.timedelta(days=1)).isoformat())
    assert OutgoingEmail.objects.count() == 2 * len(recipients)


def test_it_tells_the_reporter_when_a_report_is_returned_and_when_published(world, smtp_server):
    open_period(world)
    OutgoingEmail.objects.all().delete()
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    reporter = world.users["reporter"]
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status="on_track",
        assessment="Klart",
        by=reporter,
    )
    services.report_return(report=report, comment="Saknar siffror.", by=world.users["compiler"])
    call_command("send_queued_mail")
    ((rcpt, message),) = smtp_server.messages
    assert rcpt == [reporter.email]
    assert "Saknar siffror." in message.get_content()
    assert message["Subject"].startswith("Komplettera rapporten")


def test_notices_are_swedish_even_when_the_acting_person_reads_english(world, as_user):
    """Staff have no language of their own: a compiler who chose English for the pages still
    sends the reporters Swedish notices (gettext messages, English in the catalogue)."""
    from django.utils import translation

    from insyn.goals import notifications

    open_period(world)
    report = Report.objects.filter(period=world.period, organisation=world.son).first()
    report.state, report.return_comment = ReportState.RETURNED, "Ange siffrorna."
    report.save()
    with translation.override("en"):
        assert notifications.report_returned(report) >= 1
        # The catalogue has the English text, so the Swedish below is the override's doing.
        assert translation.gettext("Komplettera rapporten: %(assignment)s").startswith("Complete")
    email = OutgoingEmail.objects.filter(dedupe_key__startswith="report_returned:").first()
    assert email.subject == f"Komplettera rapporten: {report.assignment.heading}"
    assert "har skickats tillbaka för komplettering" in email.body
    assert "Kommentar:\nAnge siffrorna." in email.body
    assert email.body.endswith("Det här meddelandet skickades automatiskt av Insyn.")
    assert translation.get_language() == "sv"  # and the active language is left as it was
