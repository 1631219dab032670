"""The compensation panel that the case page shows (incidents never imports compensation)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from compensation.reports.periods import in_unit as convert
from compensation.reports.statistics import category_label as label
from compensation.selectors import case_panel
from compensation.selectors.wording import staff_words as in_staff_words
from incidents.models.choices import Role

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
def staff_words(value) -> str:
    """A label or sentence of the rules engine in the reader's language (staff screens only)."""
    return in_staff_words(value)


@register.filter
def yen(value) -> str:
    """Whole yen with thousands separators, or a dash when there is no amount yet."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s円") % {"amount": f"{int(value):,}"}


@register.filter
def in_unit(value, unit: str) -> int:
    """Whole yen in the report's unit (円, 万円, 百万円), rounded half up."""
    return convert(int(value or 0), unit)


@register.filter
def percent(value) -> str:
    """A percentage with one decimal, or a dash when nothing was there to divide."""
    return "—" if value is None else f"{value}%"


@register.filter
def share_of(part: int, cell) -> object:
    """The part's share of the cell's cases (a percentage with one decimal), or None."""
    return cell.share(part)


@register.filter
def category_label(category: str) -> str:
    """The statistics' name of a category."""
    return label(category)
