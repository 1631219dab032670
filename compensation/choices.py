"""Vocabularies of compensation decisions, in the rules engine's codes with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Fault(models.TextChoices):
    """The customer's fault (docs/domain.md §4.1), as the supervisor confirms it."""

    NONE = "none", _("過失なし")
    NEGLIGENCE = "negligence", _("過失")
    GROSS_NEGLIGENCE = "gross_negligence", _("重大な過失")
    INTENT = "intent", _("故意")


class TakenBy(models.TextChoices):
    """Who took the money, when known (docs/domain.md §4.3.4)."""

    SPOUSE = "spouse", _("配偶者")
    RELATIVE_2ND_DEGREE = "relative_2nd_degree", _("二親等内の親族")
    COHABITING_RELATIVE = "cohabiting_relative", _("同居の親族")
    COHABITANT = "cohabitant", _("その他の同居人")
    DOMESTIC_SERVANT = "domestic_servant", _("家事使用人")
    OTHER = "other", _("上記以外の者")


class DecisionStatus(models.TextChoices):
    """Where a compensation decision stands in the four-eyes review."""

    SUBMITTED = "submitted", _("審査中")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認済")
    # The preparer changed the findings while the decision awaited review.
    WITHDRAWN = "withdrawn", _("取下げ")


class Outcome(models.TextChoices):
    """The outcome of an assessment (the contract's words)."""

    FULL = "full", _("全額補償")
    PARTIAL = "partial", _("一部補償")
    NONE = "none", _("補償なし")
    PENDING = "pending", _("保留")
    REVIEW = "review", _("個別判断")


class LineStatus(models.TextChoices):
    """Where one transaction's assessment stands."""

    DECIDED = "decided", _("判定済")
    PENDING = "pending", _("保留")
    REVIEW = "review", _("個別判断")


class FreezeStatus(models.TextChoices):
    """Where a freeze case (口座凍結) stands under the Remedy Act (docs/domain.md §9.1)."""

    REQUESTED = "requested", _("凍結依頼中")
    REFUSED = "refused", _("凍結できず")
    FROZEN = "frozen", _("凍結済")
    NOTICE = "notice", _("公告中")
    APPLICATIONS = "applications", _("分配金の申請受付")
    DECIDED = "decided", _("分配決定済")


class ApplicationStatus(models.TextChoices):
    """A victim's application for distribution: awaiting a decision, accepted or rejected."""

    PENDING = "pending", _("未決定")
    ACCEPTED = "accepted", _("認容")
    REJECTED = "rejected", _("却下")


class FreezePeriod(models.TextChoices):
    """The Remedy Act's two periods of a freeze case."""

    NOTICE = "notice", _("公告期間")
    APPLICATION = "application", _("分配金の申請期間")


class ReminderStep(models.TextChoices):
    """When a freeze case's period is told to its owner and the branch's supervisors."""

    BEFORE = "before", _("満了前のお知らせ")
    ENDED = "ended", _("満了のお知らせ")


class FreezeEventKind(models.TextChoices):
    """What a line of a freeze case's timeline records."""

    OPENED = "opened", _("口座凍結")
    FROZEN = "frozen", _("凍結の確認")
    FREEZE_REFUSED = "freeze_refused", _("勘定系が凍結を受け付けず")
    FREEZE_UNCONFIRMED = "freeze_unconfirmed", _("凍結が未確認")
    FREEZE_REQUESTED = "freeze_requested", _("勘定系へ凍結を再依頼")
    NOTICE_RECORDED = "notice_recorded", _("公告の記録")
    APPLICATIONS_OPENED = "applications_opened", _("申請期間の記録")
    APPLICATION_RECORDED = "application_recorded", _("申請の受付")
    APPLICATION_DECIDED = "application_decided", _("申請の決定")
    EVIDENCE_ADDED = "evidence_added", _("証拠書類の添付")
    DISTRIBUTION_SUBMITTED = "distribution_submitted", _("分配の審査依頼")
    DISTRIBUTION_APPROVED = "distribution_approved", _("分配の承認")
    DISTRIBUTION_RETURNED = "distribution_returned", _("分配の差戻し")
    REMINDED = "reminded", _("期間のお知らせ")
