"""The compensation panel that the case page shows (incidents never imports compensation)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from incidents.choices import Role

from ..selectors import case_panel

register = template.Library()

# The monitoring center stops cards after hours; compensation is decided by the branch.
NO_PANEL_ROLES = (Role.MONITORING, Role.ADMIN)


@register.inclusion_tag("compensation/panel.html", takes_context=True)
def assessment_panel(context: template.Context, case) -> dict:
    """Render the assessment of a case, recomputed from its current facts, with its decisions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if case is None or case.is_draft or user is None or user.role in NO_PANEL_ROLES:
        return {"panel": None, "case": case}
    return {
        "panel": case_panel(case=case, user=user),
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def yen(value) -> str:
    """Whole yen with thousands separators, or a dash when there is no amount yet."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s円") % {"amount": f"{int(value):,}"}
