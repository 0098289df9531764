"""Staff roles. Residents never need an account except where a dialogue requires one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from insyn.organisations.models import Organisation


class Role(models.TextChoices):
    ADMIN = "admin", _("Administratör")
    COMPILER = "compiler", _("Sammanställare/granskare")
    REPORTER = "reporter", _("Rapportör")
    READER = "reader", _("Läsare (förtroendevald)")
    DIALOGUE_OFFICER = "dialogue_officer", _("Dialogansvarig")
    CONTACT_CENTRE = "contact_centre", _("Kontaktcenter")
    # A board's or company's own staff: sees and handles only cases routed to its organisation.
    CASE_HANDLER = "case_handler", _("Handläggare (egen organisation)")
    # Reviews residents' contributions: discussion posts, proposals, public fault reports.
    MODERATOR = "moderator", _("Moderator")


class Membership(models.Model):
    """A user's role; reporters (and dialogue officers) act for one organisation each row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=30, choices=Role)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    source = models.CharField(
        _("källa"),
        max_length=20,
        default="admin",
        help_text=_("admin eller oidc (från inloggningstjänstens claims)"),
    )

    class Meta:
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="unique_membership_with_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True),
                name="unique_membership_without_org",
            ),
        ]

    def __str__(self) -> str:
        org = f" · {self.organisation}" if self.organisation_id else ""
        return f"{self.user} · {self.get_role_display()}{org}"
