"""Mamori's compensation rules engine: plain Python, no Django, facts in and a decision out.

    facts, policy = parse_facts(json.loads(text))   # FactsError(.problems) on bad input
    assessment = assess(facts, policy)              # frozen Assessment, reasons in Japanese
    assessment_to_dict(assessment)                  # the contract's output shape
    facts_to_dict(facts, policy)                    # the contract's input shape, for snapshots

    distribution = distribute(parse_distribution(data))  # the Remedy Act's distribution
    distribution_to_dict(distribution)                  # docs/distribution-contract.md

TransactionResult.status tells "decided" from "pending" (a requirement still missing) and
"review" (a supervisor sets the rate); both of the latter have rate and compensation None.
"""

from compensation.rules.codec import assessment_to_dict, facts_to_dict, parse_facts
from compensation.rules.distribution import (
    Claim,
    Distribution,
    DistributionError,
    DistributionInput,
    Payment,
    distribute,
    distribution_to_dict,
    parse_distribution,
)
from compensation.rules.engine import (
    assess,
    fault_decides,
    has_limits,
    no_limit_reason,
    suggest_fault,
    two_years_after,
    window_first_day,
)
from compensation.rules.model import (
    POLICY_FIELDS,
    Assessment,
    Facts,
    FactsError,
    Item,
    ItemResult,
    Policy,
    Requirements,
    Transaction,
    TransactionResult,
)
from compensation.rules.vocab import (
    CARD_CODES,
    CHECKLIST_CODES,
    CHECKLIST_LABELS,
    CUSTOMER_TYPE_LABELS,
    CUSTOMER_TYPES,
    FAULT_LABELS,
    FAULTS,
    ITEM_KIND_LABELS,
    ITEM_KINDS,
    OUTCOMES,
    PASSBOOK_CODES,
    RULES_VERSION,
    STATUSES,
    TAKEN_BY_LABELS,
    TAKEN_BY_VALUES,
)

__all__ = [
    "CARD_CODES",
    "CHECKLIST_CODES",
    "CHECKLIST_LABELS",
    "CUSTOMER_TYPES",
    "CUSTOMER_TYPE_LABELS",
    "FAULTS",
    "FAULT_LABELS",
    "ITEM_KINDS",
    "ITEM_KIND_LABELS",
    "OUTCOMES",
    "PASSBOOK_CODES",
    "POLICY_FIELDS",
    "RULES_VERSION",
    "STATUSES",
    "TAKEN_BY_LABELS",
    "TAKEN_BY_VALUES",
    "Assessment",
    "Claim",
    "Distribution",
    "DistributionError",
    "DistributionInput",
    "Facts",
    "FactsError",
    "Item",
    "ItemResult",
    "Payment",
    "Policy",
    "Requirements",
    "Transaction",
    "TransactionResult",
    "assess",
    "assessment_to_dict",
    "distribute",
    "distribution_to_dict",
    "facts_to_dict",
    "fault_decides",
    "has_limits",
    "no_limit_reason",
    "parse_distribution",
    "parse_facts",
    "suggest_fault",
    "two_years_after",
    "window_first_day",
]
