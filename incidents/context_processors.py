"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def mamori(request: HttpRequest) -> dict:
    """The institution's name, language and contact numbers, and whether this is the demo."""
    return {
        # What the customer receives (the receipt, the decision letter) is written in it
        # whatever language the member of staff reads: {% language BANK_LANGUAGE %}.
        "BANK_LANGUAGE": settings.LANGUAGE_CODE,
        "INSTITUTION_NAME": settings.MAMORI_INSTITUTION_NAME,
        "LOSS_DESK_PHONE": settings.MAMORI_LOSS_DESK_PHONE,
        "LOSS_DESK_HOURS": settings.MAMORI_LOSS_DESK_HOURS,
        "FRAUD_HOTLINE_PHONE": settings.MAMORI_FRAUD_HOTLINE_PHONE,
        "FRAUD_HOTLINE_HOURS": settings.MAMORI_FRAUD_HOTLINE_HOURS,
        "MAMORI_DEMO": settings.MAMORI_DEMO,
    }
