"""Every URL of the project, for every role, own branch and other branch, anonymous included:
no page shows a case the role may not see, and no action is possible without the right.

The URLs and who may use them are declared in ``matrix.py``; a URL missing there fails here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import Max, Sum
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from compensation.models import (
    DistributionDecision,
    FreezeCase,
    RemedyApplication,
    RemedyEvidence,
)
from incidents.attachments import services as documents
from incidents.cases import services
from incidents.models import (
    Attachment,
    AttachmentDownload,
    Case,
    CaseAccess,
    CaseHistory,
    Deadline,
    IntakeAutosave,
    ProtectiveActionHistory,
    ReportedItemHistory,
    TimelineEvent,
    UnauthorizedTransactionHistory,
    User,
)
from incidents.models.querysets import VIEW
from notifications.models import Notification
from tests import factories

from .matrix import (
    ADMIN,
    ANONYMOUS,
    COMPLIANCE,
    MATRIX,
    MONITORING,
    ROLES,
    SUPERVISOR,
    SUPERVISOR_OTHER,
    TELLER,
    TELLER_OTHER,
    Url,
    stamped,
)

pytestmark = pytest.mark.django_db

DENIED = {403, 404, 405}


def walk(patterns=None, namespace=""):
    """(namespace, full name) of every URL pattern of the project; an unnamed one by its route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, joined)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or str(pattern.pattern)
            yield namespace, (f"{namespace}:{name}" if namespace else name)


def test_every_url_of_the_project_is_declared_in_the_matrix():
    undeclared = sorted(
        {
            name
            for namespace, name in walk()
            if name not in MATRIX and not (namespace and f"{namespace}:*" in MATRIX)
        }
    )
    assert undeclared == [], f"declare these URLs in tests/permissions/matrix.py: {undeclared}"


def test_the_matrix_declares_no_url_that_does_not_exist():
    names = {name for _namespace, name in walk()}
    namespaces = {namespace for namespace, _name in walk()}
    stale = [
        key
        for key in MATRIX
        if key not in names and not (key.endswith(":*") and key[:-2] in namespaces)
    ]
    assert stale == []


@dataclass
class World:
    """Two branches, one member of staff per role, and cases in the states the URLs need."""

    users: dict[str, User]
    cases: dict[str, Case]
    case: Case | None = None
    decision: object = None
    notice: object = None
    attachment: object = None
    freeze: object = None
    freeze_key: str = ""
    application: object = None
    freeze_decision: object = None
    evidence: object = None
    merge: object = None
    withdrawal: object = None

    def markers_hidden_from(self, role: str) -> set[str]:
        """What identifies each case this role may not see (names and numbers)."""
        visible = (
            set()
            if role == ANONYMOUS
            else set(Case.objects.restrict(self.users[role], VIEW).values_list("pk", flat=True))
        )
        markers = set()
        for case in self.cases.values():
            if case.pk not in visible:
                markers.update({case.customer_name, case.customer_name_kana})
                if case.number:
                    markers.add(case.number)
        return markers


def build_world(branch, other_branch, needs: str | None = None) -> World:
    users = {
        TELLER: factories.staff("m_teller", "teller", branch),
        SUPERVISOR: factories.staff("m_supervisor", "supervisor", branch),
        TELLER_OTHER: factories.staff("m_teller_o", "teller", other_branch),
        SUPERVISOR_OTHER: factories.staff("m_supervisor_o", "supervisor", other_branch),
        MONITORING: factories.staff("m_monitoring", "monitoring", None),
        COMPLIANCE: factories.staff("m_compliance", "compliance", None),
        ADMIN: factories.staff("m_admin", "admin", None),
    }
    users[ADMIN].is_staff = users[ADMIN].is_superuser = True
    users[ADMIN].save()
    teller = users[TELLER]

    def named(case, name, kana):
        Case.objects.filter(pk=case.pk).update(customer_name=name, customer_name_kana=kana)
        case.refresh_from_db()
        return case

    cases = {
        "reported": named(factories.stolen_card_case(teller), "漏洩 一郎", "ロウエイ イチロウ"),
        "draft": named(
            factories.stolen_card_case(teller, submit=False), "漏洩 二郎", "ロウエイ ジロウ"
        ),
        "preliminary": named(
            services.case_open_preliminary(
                user=users[MONITORING],
                token=factories.uuid.uuid4(),
                fields={"customer_name_kana": "ロウエイ サブロウ", "customer_name": "漏洩 三郎"},
                items=[
                    {
                        "kind": "passbook",
                        "state": "stolen",
                        "account_branch": branch.code,
                        "account_number": "3333333",
                    }
                ],
                stop=False,
            )[0],
            "漏洩 三郎",
            "ロウエイ サブロウ",
        ),
        "other_branch": named(
            factories.stolen_card_case(users[TELLER_OTHER]), "漏洩 四郎", "ロウエイ シロウ"
        ),
    }
    world = World(users=users, cases=cases)
    if needs in ("ready", "in_review", "decided"):
        add_decision(world, needs)
    if needs == "fresh_draft":
        # A draft before any stop: the only kind a teller may still discard.
        world.cases[needs] = named(factories.draft(teller), "漏洩 七郎", "ロウエイ シチロウ")
    if needs == "withdrawal_pending":
        case = named(
            factories.stolen_card_case(teller, submit=False), "漏洩 八郎", "ロウエイ ハチロウ"
        )
        world.withdrawal = services.withdrawal_request_create(
            case=case,
            user=teller,
            reason="お客さまがカードを見つけたため",
            stop_ids=case.actions.filter(status="done").values_list("pk", flat=True),
        )
        world.cases[needs] = Case.objects.get(pk=case.pk)
    if needs == "police_pending":
        case = factories.stolen_card_case(teller, police="not_yet")
        Case.objects.filter(pk=case.pk).update(
            customer_name="漏洩 六郎", customer_name_kana="ロウエイ ロクロウ"
        )
        world.cases[needs] = Case.objects.get(pk=case.pk)
    if needs == "attached":
        from django.core.files.uploadedfile import SimpleUploadedFile

        world.attachment = documents.attachment_add(
            case=cases["reported"],
            user=teller,
            kind="police_report",
            upload=SimpleUploadedFile("police.pdf", b"%PDF-1.4\n%world\n"),
        )
        world.cases["attached"] = cases["reported"]
    if needs in FREEZE_STATES:
        add_freeze(world, needs)
    if needs == "merged":
        world.merge = services.case_merge(
            survivor=cases["reported"],
            duplicate=factories.stolen_card_case(teller),
            user=users[SUPERVISOR],
        )
        world.cases["merged"] = Case.objects.get(pk=cases["reported"].pk)
    if needs == "noticed":
        for role, user in users.items():
            notice = Notification.objects.create(
                recipient=user, kind="handoff", title=f"お知らせ（{role}）"
            )
            if role == SUPERVISOR:
                world.notice = notice
    return world


def add_decision(world: World, state: str) -> None:
    """A case ready for a compensation decision (a second supervisor of the branch confirmed the
    faults, so the matrix's supervisor is a second pair of eyes); with ``in_review`` the teller
    submitted it; with ``decided`` the supervisor approved it."""
    from compensation import services as compensation
    from tests.compensation.support import confirm_suggested_faults, fresh

    compensation.policy_version_default_ensure()
    teller, supervisor = world.users[TELLER], world.users[SUPERVISOR]
    finder = User.objects.filter(username="finding_supervisor").first() or factories.staff(
        "finding_supervisor", "supervisor", teller.branch
    )
    case = factories.stolen_card_case(teller)
    Case.objects.filter(pk=case.pk).update(
        customer_name="漏洩 五郎", customer_name_kana="ロウエイ ゴロウ"
    )
    confirm_suggested_faults(case, finder)
    decision = None
    if state in ("in_review", "decided"):
        decision = compensation.decision_submit(case=fresh(case), user=teller, note="")
        if state == "decided":
            decision = compensation.decision_approve(decision=decision, user=supervisor)
    world.cases[state] = Case.objects.get(pk=case.pk)
    world.decision = decision


FREEZE_STATES = {
    "freeze_candidate": None,
    "freeze_requested": "requested",
    "frozen": "frozen",
    "freeze_noticed": "noticed",
    "freeze_applications": "applications",
    "freeze_closed": "closed",
    "freeze_distributing": "distributing",
}


def add_freeze(world: World, needs: str) -> None:
    """Two of the branch's cases sent money to one account (a freeze candidate); unless only the
    candidate is needed, a freeze case of it at the branch in the state named. A distribution to
    review was prepared by another supervisor of the branch (four eyes)."""
    from tests.freezes.conftest import transfer
    from tests.freezes.support import MULE_KEY, freeze_world

    transfer(world.users[TELLER], "910001", amount=300_000)
    transfer(world.users[TELLER], "910002", amount=200_000)
    world.freeze_key = MULE_KEY
    state = FREEZE_STATES[needs]
    if state is None:
        return
    preparer = (
        factories.staff("m_supervisor_2", "supervisor", world.users[SUPERVISOR].branch)
        if state == "distributing"
        else world.users[SUPERVISOR]
    )
    made = freeze_world(preparer, MULE_KEY, state)
    world.freeze = made["freeze"]
    world.application = made.get("application")
    world.freeze_decision = made.get("decision")
    world.evidence = made.get("evidence")


def fingerprint() -> tuple:
    """Everything an action could have written: history, timeline, access log, cases, deadlines."""
    history = tuple(
        model.objects.aggregate(m=Max("pgh_id"))["m"]
        for model in (
            CaseHistory,
            ReportedItemHistory,
            ProtectiveActionHistory,
            UnauthorizedTransactionHistory,
        )
    )
    return (
        *history,
        Notification.objects.filter(read_at__isnull=True).count(),
        TimelineEvent.objects.count(),
        CaseAccess.objects.count(),
        Case.objects.count(),
        Deadline.objects.count(),
        Attachment.objects.count(),
        AttachmentDownload.objects.count(),
        IntakeAutosave.objects.count(),
        IntakeAutosave.objects.aggregate(m=Max("saved_at"))["m"],
        FreezeCase.objects.count(),
        FreezeCase.objects.aggregate(v=Sum("version"))["v"],
        RemedyApplication.objects.count(),
        RemedyEvidence.objects.count(),
        DistributionDecision.objects.count(),
        DistributionDecision.objects.aggregate(m=Max("reviewed_at"))["m"],
    )


def attempt(world: World, role: str, method: str, url: str, data: dict):
    """Make one request in a savepoint that is rolled back; (response, whether it wrote)."""
    with transaction.atomic():
        client = Client()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        before = fingerprint()
        response = getattr(client, method)(url, data)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def the_case(world: World, spec: Url) -> Case | None:
    """The declared case as it now stands (its version changes as the world is used)."""
    return Case.objects.get(pk=world.cases[spec.case].pk) if spec.case in world.cases else None


def url_for(name: str, spec: Url, world: World) -> str:
    """The URL of the declared case (as ``pk`` when the route takes one, as with case pages)."""
    kwargs = {key: value(world) if callable(value) else value for key, value in spec.kwargs.items()}
    if spec.case and spec.case in world.cases:
        try:
            return reverse(name, kwargs={**kwargs, "pk": world.cases[spec.case].pk})
        except NoReverseMatch:
            pass  # a list action: the case travels in the POST data
    return reverse(name, kwargs=kwargs or None)


CHECKED = sorted(name for name in MATRIX if not name.endswith(":*"))


@pytest.mark.parametrize("name", CHECKED)
def test_each_role_gets_only_what_the_matrix_allows(name, branch, other_branch):
    spec = MATRIX[name]
    world = build_world(branch, other_branch, needs=spec.case)
    world.case = the_case(world, spec)
    url = url_for(name, spec, world)
    problems = []
    for role in ROLES:
        for method in ("get", "post"):
            world.case = the_case(world, spec)
            data = spec.data(world) if (method == "post" and spec.data) else {}
            if method == "post":
                data = stamped(spec, world, data)
            response, changed = attempt(world, role, method, url, data)
            status = response.status_code
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            where = f"{method.upper()} {url} as {role}"
            leaked = [m for m in world.markers_hidden_from(role) if m and m in body]
            if leaked:
                problems.append(f"{where}: shows {leaked}")
            if status >= 500:
                problems.append(f"{where}: {status}")
            allowed = role in (spec.get if method == "get" else spec.post)
            if method == "get" and spec.public:
                continue
            if method == "post" and spec.public:
                if changed:
                    problems.append(f"{where}: changed case data")
                continue
            if allowed:
                redirect = response.get("Location", "")
                if status not in (200, 302) or redirect.startswith(reverse("login")):
                    problems.append(f"{where}: allowed but got {status} {redirect}")
                if method == "post" and not changed:
                    problems.append(f"{where}: allowed but changed nothing")
            else:
                if changed:
                    problems.append(f"{where}: not allowed but changed something")
                if role == ANONYMOUS and spec.json:
                    if status != 401:
                        problems.append(f"{where}: anonymous got {status}, not 401")
                elif role == ANONYMOUS:
                    if not (status == 302 and response["Location"].startswith(reverse("login"))):
                        problems.append(f"{where}: anonymous got {status}, not the sign-in")
                elif status not in DENIED:
                    problems.append(f"{where}: not allowed but got {status}")
    assert problems == []


def test_the_admin_site_is_for_the_administrator_and_holds_no_case(branch, other_branch):
    world = build_world(branch, other_branch)
    url = reverse("admin:index")
    for role in ROLES:
        response, changed = attempt(world, role, "get", url, {})
        assert not changed
        if role == ADMIN:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    registered = {model._meta.label for model in admin.site._registry}
    assert not {label for label in registered if label.startswith("incidents.Case")}
    assert "incidents.ReportedItem" not in registered
