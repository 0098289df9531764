"""Subscriptions to a dialogue's feedback by e-mail (double opt-in, signed links)."""

from __future__ import annotations

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.dialogue.models import (
    Dialogue,
    DialogueState,
    Subscription,
)
from insyn.dialogue.services.common import _absolute

CONFIRM_MAX_AGE = 7 * 24 * 3600


SUBSCRIBE_SALT = "insyn.dialogue.subscribe"


UNSUBSCRIBE_SALT = "insyn.dialogue.unsubscribe"


@transaction.atomic
def subscribe(*, dialogue: Dialogue, email: str) -> Subscription:
    """Record the wish and send a confirmation link; nothing is sent before it is confirmed."""
    email = email.strip()
    if not dialogue.is_public:
        raise ServiceError(_("Dialogen finns inte."))
    if dialogue.feedback_published and dialogue.state == DialogueState.CLOSED:
        raise ServiceError(_("Återkopplingen är redan publicerad; du kan läsa den på sidan."))
    sub = Subscription.objects.filter(dialogue=dialogue, email__iexact=email).first()
    if sub is None:
        try:
            with transaction.atomic():
                sub = Subscription.objects.create(dialogue=dialogue, email=email)
        except IntegrityError:
            sub = Subscription.objects.get(dialogue=dialogue, email__iexact=email)
    if sub.confirmed_at is None:
        token = signing.dumps(sub.pk, salt=SUBSCRIBE_SALT)
        link = _absolute(reverse("dialogue:subscription_confirm", args=[token]))
        body = _(
            "Du (eller någon annan) har bett om att få återkopplingen från dialogen "
            '"%(title)s" med e-post.\n\nBekräfta här: %(link)s\n\nOm det inte var du behöver '
            "du inte göra något; då skickar vi inget mer.\n"
        ) % {"title": dialogue.title, "link": link}
        queue_email(
            sub.email,
            _("Bekräfta prenumeration: %(title)s") % {"title": dialogue.title},
            body,
            dedupe_key=f"dialogue:subscribe:{sub.pk}:{timezone.localdate()}",
        )
    return sub


def _load_signed(token: str, salt: str, max_age: int | None) -> int | None:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def subscription_from_token(token: str, *, unsubscribe: bool) -> Subscription | None:
    pk = _load_signed(
        token,
        UNSUBSCRIBE_SALT if unsubscribe else SUBSCRIBE_SALT,
        None if unsubscribe else CONFIRM_MAX_AGE,
    )
    if pk is None:
        return None
    return Subscription.objects.select_related("dialogue").filter(pk=pk).first()


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription | None:
    sub = subscription_from_token(token, unsubscribe=False)
    if sub is not None and sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    return sub


def unsubscribe_link(sub: Subscription) -> str:
    return reverse("dialogue:unsubscribe", args=[signing.dumps(sub.pk, salt=UNSUBSCRIBE_SALT)])


@transaction.atomic
def subscription_cancel(*, token: str) -> Dialogue | None:
    sub = subscription_from_token(token, unsubscribe=True)
    if sub is None:
        return None
    dialogue = sub.dialogue
    sub.delete()
    return dialogue
