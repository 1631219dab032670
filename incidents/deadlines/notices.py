"""The notices the deadlines send, in one table of wordings."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.cases.signals import TimelineLine, timeline_written
from incidents.models import Case, Deadline, TimelineEvent, User
from incidents.models.choices import (
    DeadlineKind,
    Role,
)
from notifications.choices import NotificationKind
from notifications.services import NotificationDraft, notification_create

# What each step of a deadline tells its recipients: (notice kind, title, body), worded in each
# recipient's language when the notice is written.
DEADLINE_NOTICES = {
    "remind": (
        NotificationKind.REMINDER,
        gettext_lazy("期限が近づいています：%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」の期限は %(due)s です。"
            "期限までに対応をお願いします。"
        ),
    ),
    "overdue": (
        NotificationKind.OVERDUE,
        gettext_lazy("期限を過ぎました：%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」が期限 %(due)s を過ぎました。"
            "至急ご対応ください。"
        ),
    ),
    "escalate1": (
        NotificationKind.ESCALATION,
        gettext_lazy("【期限超過】%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」が期限 %(due)s を過ぎても"
            "完了していません。担当：%(owner)s。状況を確認し、対応を指示してください。"
        ),
    ),
    "escalate2": (
        NotificationKind.ESCALATION,
        gettext_lazy("【再エスカレーション】%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」は期限 %(due)s を過ぎ、"
            "役席・監視センターへの報告後も完了していません。担当：%(owner)s。"
        ),
    ),
}


class DeadlineWording:
    """The deadlines' notices for many steps at once (a scan's batch): each language's wordings
    and kind names are looked up once, not once per notice, and each case's link once."""

    def __init__(self) -> None:
        self._languages: dict[str, tuple[dict, dict[str, str], str]] = {}
        self._urls: dict[int, str] = {}

    def _in(self, language: str) -> tuple[dict, dict[str, str], str]:
        if language not in self._languages:
            with translation.override(language):
                self._languages[language] = (
                    {
                        step: (kind, str(title), str(body))
                        for step, (kind, title, body) in DEADLINE_NOTICES.items()
                    },
                    {kind.value: str(kind.label) for kind in DeadlineKind},
                    _("未定"),
                )
        return self._languages[language]

    def case_url(self, case_id: int) -> str:
        if case_id not in self._urls:
            self._urls[case_id] = reverse("incidents:case_detail", kwargs={"pk": case_id})
        return self._urls[case_id]

    def notices(
        self,
        *,
        deadline_id: int,
        case_id: int,
        number: str,
        kind: str,
        branch: str,
        due: str,
        owner: str,
        recipients: list[User],
        step: str,
    ) -> list[NotificationDraft]:
        """One notice per recipient and step (``DEADLINE_NOTICES``), in the recipient's language;
        ``due`` as ``_fmt`` writes it, ``owner`` the owner's name or empty."""
        drafts = []
        for user in recipients:
            wordings, kinds, nobody = self._in(user.language)
            notice_kind, title, body = wordings[step]
            args = {
                "number": number,
                "kind": kinds.get(kind, kind),
                "branch": branch,
                "due": due,
                "owner": owner or nobody,
            }
            drafts.append(
                NotificationDraft(
                    recipient=user,
                    kind=notice_kind,
                    title=title % args,
                    body=body % args,
                    url=self.case_url(case_id),
                    link_label=number,
                    dedupe_key=f"deadline:{deadline_id}:{step}:{user.pk}",
                )
            )
        return drafts


# ---------------------------------------------------------------------------------------------
# Notices when a case is taken, and the supervisors' morning digest


def _notify_new_case(case: Case, opened: list[Deadline]) -> None:
    supervisors = [
        user
        for user in _branch_users(case.branch_id, (Role.SUPERVISOR,))
        if user.pk != case.submitted_by_id
    ]
    for user in supervisors:
        with translation.override(user.language):
            lines = [
                _("・%(kind)s：%(due)s まで")
                % {"kind": d.get_kind_display(), "due": _fmt(d.due_at)}
                for d in opened
            ]
            body = _("受付番号 %(number)s を %(branch)s で受け付けました。") % {
                "number": case.number,
                "branch": case.branch.name,
            }
            if lines:
                body += "\n" + _("期限：") + "\n" + "\n".join(lines)
            notification_create(
                recipient=user,
                kind=NotificationKind.NEW_CASE,
                title=_("新しい受付：%(number)s") % {"number": case.number},
                body=body,
                url=case.get_absolute_url(),
                link_label=case.number or "",
                dedupe_key=f"case:{case.pk}:submitted:{user.pk}",
            )


def _notify_handoff(case: Case, pickup: Deadline) -> None:
    for user in _branch_users(case.branch_id, (Role.TELLER, Role.SUPERVISOR)):
        with translation.override(user.language):
            args = _args(pickup)
            notification_create(
                recipient=user,
                kind=NotificationKind.HANDOFF,
                title=_("時間外受付の引継ぎ：%(number)s") % args,
                body=_(
                    "監視センターが時間外に受け付けた受付番号 %(number)s を、"
                    "%(due)s までに%(branch)sで引き継いでください。"
                )
                % args,
                url=case.get_absolute_url(),
                link_label=case.number or "",
                dedupe_key=f"case:{case.pk}:handoff:{user.pk}",
            )


# ---------------------------------------------------------------------------------------------
# Helpers


def _branch_users(branch_id: int, roles) -> list[User]:
    return list(
        User.objects.filter(branch_id=branch_id, role__in=roles, is_active=True).order_by("pk")
    )


def _users_with_role(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("pk"))


def _args(deadline: Deadline) -> dict[str, str]:
    """Message arguments, in the language active when called (the recipient's)."""
    return {
        "number": deadline.case.number or f"#{deadline.case_id}",
        "kind": str(DeadlineKind(deadline.kind).label),
        "branch": deadline.branch.name,
        "due": _fmt(deadline.due_at),
    }


def _fmt(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y/%m/%d %H:%M")


def _names(users: list[User]) -> str:
    return "、".join(user.display_name for user in users) or "—"


def _who(users: list[User]) -> dict:
    return {"recipients": [user.pk for user in users]}


def _record(deadline: Deadline, actor, kind: str, message: str, data: dict) -> None:
    line = {"deadline": deadline.pk, "deadline_kind": deadline.kind, **data}
    TimelineEvent.objects.create(
        case_id=deadline.case_id, actor=actor, kind=kind, message=message, data=line
    )
    timeline_written.send(
        sender=TimelineEvent,
        lines=[TimelineLine(case_id=deadline.case_id, kind=kind, data=line)],
    )
