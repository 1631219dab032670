"""What the reviewing supervisor approves beside the figures: the circumstances checklist as
answered, the circumstances in the teller's words and the preparer's case-wide findings."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from compensation.models import CaseAssessment
from compensation.selectors.evaluation import Evaluation
from incidents.cases.checklist import COMMON_QUESTIONS
from incidents.cases.selectors import case_applicable_checklist

# The findings the review shows, in the order of the findings form.
FINDING_FIELDS = (
    "prompt_notice",
    "explanation",
    "other_theft_evidence",
    "bank_at_fault",
    "taken_by",
    "false_explanation",
    "war_or_riot",
    "unavoidable_days",
    "note",
)


@dataclass(frozen=True)
class Circumstances:
    """The checklist's questions as answered, the circumstances note, the case-wide findings."""

    answers: list[tuple[str, bool]]
    note: str
    findings: list[tuple[str, str]]
    findings_recorded: bool


def review_circumstances(*, evaluation: Evaluation) -> Circumstances:
    """Every checklist question the case's items call for with its answer (yes or no), and the
    findings the figures rest on (the defaults where none were recorded)."""
    case = evaluation.case
    ticked = {*case.checklist, *case.online_banking_factors}
    groups = case_applicable_checklist(case)
    questions = [*groups["card"], *groups["passbook"]]
    if questions:
        questions += COMMON_QUESTIONS
    questions += groups["online_banking"]
    recorded = evaluation.case_facts.assessment
    assessment = recorded or CaseAssessment(case=case)
    findings = []
    for name in FINDING_FIELDS:
        model_field = CaseAssessment._meta.get_field(name)
        value = getattr(assessment, name)
        if isinstance(value, bool):
            shown = _("はい") if value else _("いいえ")
        elif name == "taken_by":
            shown = str(assessment.get_taken_by_display()) or "—"
        elif name == "unavoidable_days":
            shown = _("%(days)s日") % {"days": value}
        else:
            shown = str(value) or "—"
        findings.append((str(model_field.verbose_name), shown))  # type: ignore[union-attr]
    return Circumstances(
        answers=[(str(label), code in ticked) for code, label in questions],
        note=case.circumstances_note,
        findings=findings,
        findings_recorded=recorded is not None,
    )
