"""Participants: the one-time sign-in link, e-ID identity, their profile and their deletion."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.core.publication import bump_publication_version
from insyn.dialogue.addresses import email_key
from insyn.dialogue.models import (
    AgeBand,
    Ballot,
    BudgetPhase,
    District,
    LoginToken,
    Participant,
    Post,
    Registration,
    Subscription,
)
from insyn.dialogue.services.common import _absolute, _hash
from insyn.goals import following

LOGIN_TOKEN_TTL = dt.timedelta(minutes=30)


def _participant_for_email(email: str) -> Participant:
    """The one participant of an address and its variants (insyn.dialogue.addresses)."""
    email = email.strip()
    key = email_key(email)
    participant = Participant.objects.filter(email_key=key).first()
    if participant is not None:
        return participant
    try:
        with transaction.atomic():
            return Participant.objects.create(email=email)
    except IntegrityError:  # someone created it at the same moment
        return Participant.objects.get(email_key=key)


# At most this many sign-in links to one recipient per window, whoever asks (issue 12 finding 6).
LOGIN_MAILS_PER_RECIPIENT = 3


LOGIN_MAIL_WINDOW = dt.timedelta(hours=1)


def recipient_key(email: str) -> str:
    """The key of the address as a mailbox receives it (insyn.dialogue.addresses: case folded,
    sub-address dropped), so that variants of one address share one throttle and one
    participant."""
    return email_key(email)


@transaction.atomic
def participant_request_login(*, email: str, next_url: str = "") -> bool:
    """Send a one-time sign-in link (valid 30 minutes, usable once). Says nothing about whether
    the address was known. Creates no participant until the link is used, and sends at most
    LOGIN_MAILS_PER_RECIPIENT links per LOGIN_MAIL_WINDOW to one recipient: False when
    throttled (the page says the same either way)."""
    now = timezone.now()
    email = email.strip()
    recipient = recipient_key(email)
    recent = LoginToken.objects.filter(
        recipient=recipient, created_at__gte=now - LOGIN_MAIL_WINDOW
    ).count()
    if recent >= LOGIN_MAILS_PER_RECIPIENT:
        return False
    # Links nobody used keep an address that belongs to nobody: gone once they cannot count.
    LoginToken.objects.filter(
        participant__isnull=True, expires_at__lt=now - LOGIN_MAIL_WINDOW
    ).delete()
    raw = secrets.token_urlsafe(32)
    token = LoginToken.objects.create(
        email=email,
        recipient=recipient,
        token_hash=_hash(raw),
        next_url=next_url[:300],
        expires_at=now + LOGIN_TOKEN_TTL,
    )
    link = _absolute(reverse("dialogue:login_confirm", args=[raw]))
    body = _(
        "Här är din inloggningslänk till Insyn dialog. Den gäller i 30 minuter och kan bara "
        "användas en gång:\n\n%(link)s\n\nOm du inte bad om den kan du bortse från det här "
        "meddelandet.\n"
    ) % {"link": link}
    queue_email(
        email,
        _("Din inloggningslänk"),
        body,
        dedupe_key=f"dialogue:login:{token.token_hash[:32]}",
    )
    return True


def login_token_valid(raw: str) -> bool:
    return LoginToken.objects.filter(
        token_hash=_hash(raw), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


@transaction.atomic
def participant_consume_login(*, raw_token: str) -> tuple[Participant, str] | None:
    """Use the token once: a conditional UPDATE means two clicks cannot both sign in."""
    now = timezone.now()
    token_hash = _hash(raw_token)
    claimed = LoginToken.objects.filter(
        token_hash=token_hash, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        return None
    token = LoginToken.objects.select_related("participant").get(token_hash=token_hash)
    participant = token.participant
    if participant is None:  # the first use of the link: only now is there a participant
        participant = _participant_for_email(token.email)
        token.participant = participant
        token.email = ""  # the address lives on the participant from now on
        token.save(update_fields=["participant", "email"])
    if participant.email_verified_at is None:
        participant.email_verified_at = now
        participant.save(update_fields=["email_verified_at"])
    return participant, token.next_url


@transaction.atomic
def participant_from_eid(
    *, issuer: str, subject: str, email: str = "", personal_number: str = ""
) -> Participant:
    """The participant an e-ID sign-in identifies. With a personal identity number (as Swedish
    e-ID brokers send it) the identity is a keyed hash of the number: the same person is one
    participant whichever e-ID or broker they use, and the number itself is never stored.
    Without one, the hash of the broker's issuer and pseudonymous `sub`."""
    if not subject:
        raise ServiceError(_("E-legitimationen gav ingen identitet."))
    by_subject = _hash(f"{issuer}|{subject}")
    digest = eid_identity(personal_number) if personal_number else by_subject
    now = timezone.now()
    participant = Participant.objects.filter(eid_subject=digest).first()
    if participant is None and digest != by_subject:
        # Signed in before by subject only: the same participant, now known by the number.
        participant = Participant.objects.filter(eid_subject=by_subject).first()
    if participant is None and email:
        participant = Participant.objects.filter(email_key=email_key(email)).first()
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(eid_subject=digest)
        except IntegrityError:
            participant = Participant.objects.get(eid_subject=digest)
    participant.eid_subject = digest
    participant.eid_verified_at = now
    participant.save(update_fields=["eid_subject", "eid_verified_at"])
    return participant


def eid_identity(personal_number: str) -> str:
    """A keyed hash (HMAC-SHA256) of a valid personal identity number: a personal number has
    too few possible values for a plain hash to hide it. The key is
    settings.DIALOGUE_EID_IDENTITY_KEY (default SECRET_KEY; keep it when SECRET_KEY rotates, or
    returning residents become new participants)."""
    number = normalise_personal_number(personal_number)
    if number is None:
        raise ServiceError(_("E-legitimationen gav ett personnummer som inte är giltigt."))
    key = getattr(settings, "DIALOGUE_EID_IDENTITY_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), f"pnr|{number}".encode(), hashlib.sha256).hexdigest()


def normalise_personal_number(value: str) -> str | None:
    """YYYYMMDDNNNC (12 digits) from the forms brokers send (with or without a hyphen), or None
    when it is not a valid Swedish personal or coordination number (Luhn check digit)."""
    digits = value.strip().replace("-", "").replace("+", "")
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return None
    total = 0
    for i, ch in enumerate(digits[2:]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return digits if total % 10 == 0 else None


def participant_update_profile(
    *, participant: Participant, district: District | None, age_band: str
) -> Participant:
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    participant.district = district
    participant.age_band = age_band
    participant.save(update_fields=["district", "age_band"])
    return participant


@transaction.atomic
def participant_delete(*, participant: Participant) -> None:
    """Delete the person; their contributions stay, anonymised (no link, no name, no email).

    A ballot in a vote that is still open is withdrawn (otherwise deleting and signing in again
    would allow a second vote); ballots in finished votes stay, without owner.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    Ballot.objects.filter(participant=participant, budget__phase=BudgetPhase.VOTING).delete()
    Post.objects.filter(participant=participant).update(author_name="")
    bump_publication_version(area="dialogue")  # the name leaves every public page now
    emails = [participant.email] if participant.email else []
    registrations = Registration.objects.filter(participant=participant)
    for email in emails:
        registrations = registrations | Registration.objects.filter(email__iexact=email)
    now = timezone.now()
    for registration in registrations.select_related("meeting"):
        if registration.meeting.starts_at > now:
            registration.delete()
        else:
            registration.name = ""
            registration.email = f"borttagen-{registration.pk}@example.invalid"
            registration.needs = ""
            registration.participant = None
            registration.save(update_fields=["name", "email", "needs", "participant"])
    for email in emails:
        Subscription.objects.filter(email__iexact=email).delete()
        following.forget(email=email)  # the goals the address follows
    participant.delete()  # contributions: participant SET NULL
