"""The guided intake's steps: which apply to a case, and what each one shows and saves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from incidents.cases.selectors import (
    case_applicable_checklist,
    case_fraud_step_applies,
    case_has_money_items,
)
from incidents.models import Case

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Step:
    """One step of the intake."""

    slug: str
    title: StrOrPromise


ALL_STEPS = (
    Step("reporter", _("届出人・受付方法")),
    Step("customer", _("お客さま")),
    Step("items", _("届出の対象")),
    Step("fraud", _("詐欺被害の確認")),
    Step("stops", _("即時措置")),
    Step("transactions", _("被害取引")),
    Step("police", _("警察への届出")),
    Step("checklist", _("状況の確認")),
    Step("review", _("確認・受付")),
)
STEP_SLUGS = tuple(step.slug for step in ALL_STEPS)

# After submission the intake is frozen: the branch completes or corrects a case (a picked-up
# after-hours call has only what the phone call gave) on the case page, with the same forms. The
# notification time and the submission are history, and stops are carried out on the stops page.
NOT_AFTER_SUBMISSION = ("reporter", "review")
CORRECTABLE = ("customer", "items", "fraud", "transactions", "police", "checklist")


def steps_for(case: Case | None) -> list[Step]:
    """The steps that apply: no transactions without an item money can be taken with, etc."""
    if case is None or case.pk is None:
        return list(ALL_STEPS)
    items = list(case.items.all())
    steps = []
    for step in ALL_STEPS:
        if not case.is_draft and step.slug in NOT_AFTER_SUBMISSION:
            continue
        if step.slug == "fraud" and not case_fraud_step_applies(case):
            continue
        if step.slug == "stops" and items and not case.actions.exists():
            continue
        if step.slug == "transactions" and items and not case_has_money_items(case):
            continue
        if step.slug == "checklist" and items and not any(case_applicable_checklist(case).values()):
            continue
        steps.append(step)
    return steps


def next_step(case: Case, slug: str) -> str | None:
    """The slug after ``slug`` among the steps that apply; None after the last one."""
    slugs = [step.slug for step in steps_for(case)]
    if slug not in slugs:
        return slugs[0]
    index = slugs.index(slug)
    if index + 1 == len(slugs):
        return None if not case.is_draft else slug
    return slugs[index + 1]


def previous_step(case: Case, slug: str) -> str | None:
    """The slug before ``slug``, or None on the first step."""
    slugs = [step.slug for step in steps_for(case)]
    if slug not in slugs or slugs.index(slug) == 0:
        return None
    return slugs[slugs.index(slug) - 1]


def correction_steps(case: Case) -> list[Step]:
    """The sections of a submitted case that its branch may correct on the case page."""
    return [step for step in steps_for(case) if step.slug in CORRECTABLE]
