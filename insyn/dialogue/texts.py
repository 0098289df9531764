"""Plain-Swedish texts for participants, derived from the guideline's (seeds/001) descriptions of
the matching points on the participation ladder (delaktighetstrappan)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insyn.dialogue.models import LadderStep

# What a participant can expect at each matching point.
EXPECTATIONS = {
    LadderStep.INFORMATION: _(
        "Du får veta vad kommunen gör och varför. Kommunen vill här bara informera: du kan "
        "ställa frågor, men dialogen ger inte inflytande över beslutet."
    ),
    LadderStep.CONSULTATION: _(
        "Du får tycka till: ta ställning till vilket alternativ du föredrar eller ge dina "
        "synpunkter och förslag. Du ser inte vad andra deltagare har svarat, och de ser inte "
        "dina svar."
    ),
    LadderStep.DIALOGUE: _(
        "Du får utbyta tankar, perspektiv och erfarenheter med andra deltagare och läsa vad "
        "andra skriver. Ni behöver inte komma överens eller hitta en gemensam lösning."
    ),
    LadderStep.INFLUENCE: _(
        "Du får vara med under en längre tid och utveckla ett förslag tillsammans med andra, "
        "från start till färdigt förslag. Förslaget blir underlag till beslut."
    ),
    LadderStep.CODETERMINATION: _(
        "Du får vara med under en längre tid och bestämma tillsammans med förtroendevalda, "
        "tjänstepersoner och andra samhällsaktörer – och ta ansvar för genomförandet."
    ),
}

LADDER_NOTE = _(
    "Ingen matchningspunkt på delaktighetstrappan är bättre än någon annan; de passar olika "
    "bra i olika situationer."
)


def expectations(steps: list[str]) -> list[tuple[str, str]]:
    """(label, what you can expect) for the dialogue's steps, in ladder order."""
    labels = dict(LadderStep.choices)
    return [
        (str(labels[step]), str(EXPECTATIONS[step])) for step in LadderStep.values if step in steps
    ]
