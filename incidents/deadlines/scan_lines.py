"""What the deadline scan writes for the steps it took: the notices and the timeline lines of a
batch, in multi-row inserts, in the bank's language; and the plain rows and staff it reads them
from (incidents/deadlines/scan.py takes the steps)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.cases.services.timeline import bank_language
from incidents.cases.signals import TimelineLine, timeline_written
from incidents.deadlines.notices import (
    DeadlineWording,
    _branch_users,
    _fmt,
    _names,
    _users_with_role,
    _who,
)
from incidents.models import TimelineEvent, User
from incidents.models.choices import DeadlineKind, EventKind
from notifications.services import NotificationDraft, notification_create_many


class ScanRow:
    """A locked, due deadline as a step reads it (plain values: a batch builds no model objects)."""

    __slots__ = (
        "branch_id",
        "branch_name",
        "case_id",
        "due_at",
        "escalation_level",
        "kind",
        "next_action_at",
        "number",
        "owner_id",
        "pk",
        "reminded_at",
        "state",
    )

    def __init__(self, values: tuple) -> None:
        (
            self.pk,
            self.case_id,
            number,
            self.branch_id,
            self.branch_name,
            self.kind,
            self.due_at,
            self.state,
            self.owner_id,
            self.reminded_at,
            self.escalation_level,
            self.next_action_at,
        ) = values
        self.number: str = number or f"#{self.case_id}"


class ScanStaff:
    """Who is on which branch and role, and the deadlines' owners, read once per scan."""

    def __init__(self) -> None:
        self._cache: dict[tuple, list[User]] = {}
        self._users: dict[int, User] = {}

    def load_owners(self, ids: Iterable[int | None]) -> None:
        missing = {pk for pk in ids if pk is not None and pk not in self._users}
        if missing:
            self._users.update((user.pk, user) for user in User.objects.filter(pk__in=missing))

    def user(self, pk: int | None) -> User | None:
        return self._users.get(pk) if pk is not None else None

    def of_branch(self, branch_id: int, roles: tuple[str, ...]) -> list[User]:
        key = (branch_id, roles)
        if key not in self._cache:
            self._cache[key] = _branch_users(branch_id, roles)
        return self._cache[key]

    def with_role(self, role: str) -> list[User]:
        key = (None, role)
        if key not in self._cache:
            self._cache[key] = _users_with_role(role)
        return self._cache[key]


def scan_lines_write(
    done: list[tuple[ScanRow, str, list[User]]],
    staff: ScanStaff,
    wording: DeadlineWording,
    *,
    branch_hours: bool,
) -> None:
    """The notices and timeline lines of the steps taken, in two multi-row inserts."""
    drafts: list[NotificationDraft] = []
    cases, kinds, messages, data = [], [], [], []
    lines: list[TimelineLine] = []
    with bank_language():
        # Each wording looked up once for the batch, not once a line.
        texts = _timeline_texts()
        names = {kind.value: str(kind.label) for kind in DeadlineKind}
        for row, action, recipients in done:
            owner = staff.user(row.owner_id)
            args = {
                "number": row.number,
                "kind": names.get(row.kind, row.kind),
                "branch": row.branch_name,
                "due": _fmt(row.due_at),
            }
            drafts.extend(
                wording.notices(
                    deadline_id=row.pk,
                    case_id=row.case_id,
                    number=row.number,
                    kind=row.kind,
                    branch=row.branch_name,
                    due=args["due"],
                    owner=owner.display_name if owner is not None else "",
                    recipients=recipients,
                    step=_NOTICE_OF[action],
                )
            )
            kind, message, extra = _event(texts, args, action, recipients, branch_hours)
            line = {"deadline": row.pk, "deadline_kind": row.kind, **extra}
            cases.append(row.case_id)
            kinds.append(kind)
            messages.append(message)
            data.append(json.dumps(line))
            lines.append(TimelineLine(case_id=row.case_id, kind=kind, data=line))
    notification_create_many(drafts=drafts)
    if cases:
        # One multi-row insert (UNNEST, as bulk_create writes on PostgreSQL) without building a
        # model object per line; the timeline's own trigger refuses only updates and deletes.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TimelineEvent._meta.db_table} (case_id, at, kind, message, data) "  # noqa: S608 - the table's name; values are parameters
                "SELECT c, %s, k, m, d::jsonb FROM unnest(%s::bigint[], %s::text[], %s::text[], "
                "%s::text[]) AS v(c, k, m, d)",
                [timezone.now(), cases, kinds, messages, data],
            )
        # Listeners (the webhooks' outbox) write theirs in this transaction, once for the batch.
        timeline_written.send(sender=TimelineEvent, lines=lines)


_NOTICE_OF = {
    "reminded": "remind",
    "overdue": "overdue",
    "escalated": "escalate1",
    "re_escalated": "escalate2",
}


def _timeline_texts() -> dict[str, str]:
    """The timeline's wording of each step, in the language active when called (the bank's)."""
    return {
        "reminded": _("「%(kind)s」の期限（%(due)s）が近いことを %(who)s にお知らせしました"),
        "overdue": _("「%(kind)s」が期限（%(due)s）を過ぎました"),
        "escalated": _("「%(kind)s」の期限超過を %(who)s に報告しました（エスカレーション）"),
        "re_escalated": _(
            "「%(kind)s」がエスカレーション後も未完了のため、本部コンプライアンスに報告しました"
        ),
    }


def _event(
    texts: dict[str, str],
    args: dict[str, str],
    action: str,
    recipients: list[User],
    branch_hours: bool,
) -> tuple[str, str, dict]:
    """The timeline line of one step: its kind, its message and its data."""
    message = texts[action] % {**args, "who": _names(recipients)}
    if action == "reminded":
        return EventKind.DEADLINE_REMINDED, message, _who(recipients)
    if action == "overdue":
        return EventKind.DEADLINE_OVERDUE, message, _who(recipients)
    if action == "escalated":
        data = {**_who(recipients), "level": 1, "branch_hours": branch_hours}
        return EventKind.DEADLINE_ESCALATED, message, data
    return EventKind.DEADLINE_ESCALATED, message, {**_who(recipients), "level": 2}
