"""Roles are Django groups with permissions; restrict() answers both 'may they' and 'which cases'."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from incidents.models import Case
from incidents.models.querysets import ASSIGN, CHANGE, PICKUP, STOP, VIEW, case_permits
from incidents.models.roles import ROLE_PERMISSIONS, role_group_name
from tests import factories

from .conftest import call

pytestmark = pytest.mark.django_db


def test_each_member_of_staff_is_in_exactly_their_roles_group(teller, monitoring_agent):
    assert list(teller.groups.values_list("name", flat=True)) == ["role:teller"]
    assert teller.has_perm("incidents.take_report")
    assert not teller.has_perm("incidents.assign_case")
    teller.role = "supervisor"
    teller.save()
    teller = type(teller).objects.get(pk=teller.pk)  # fresh permission cache
    assert list(teller.groups.values_list("name", flat=True)) == ["role:supervisor"]
    assert teller.has_perm("incidents.assign_case")
    assert monitoring_agent.has_perm("incidents.take_after_hours_call")
    assert not monitoring_agent.has_perm("incidents.view_queue")


def test_the_groups_hold_exactly_the_permissions_of_the_role_table(db):
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role_group_name(role))
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert held == set(names), role


def test_a_superuser_administrator_gets_no_case_work_by_being_one(administrator, teller):
    administrator.is_superuser = True
    administrator.is_staff = True
    administrator.save()
    factories.stolen_card_case(teller)
    assert administrator.has_perm("incidents.change_branch")  # the admin site still works
    for perm in ("incidents.view_case", "incidents.view_access_log", "incidents.view_queue"):
        assert not administrator.has_perm(perm)
    assert not Case.objects.restrict(administrator).exists()


def test_restrict_decides_each_action_per_role_and_branch(
    teller, other_teller, supervisor, monitoring_agent, compliance_officer, administrator
):
    mine = factories.stolen_card_case(teller)
    preliminary = call(monitoring_agent)
    theirs = factories.stolen_card_case(other_teller)

    def scope(user, action):
        return set(Case.objects.restrict(user, action).values_list("pk", flat=True))

    everything = {mine.pk, preliminary.pk, theirs.pk}
    branch = {mine.pk, preliminary.pk}
    assert scope(teller, VIEW) == branch and scope(teller, STOP) == branch
    assert scope(teller, PICKUP) == branch and scope(teller, ASSIGN) == set()
    assert scope(supervisor, ASSIGN) == branch
    assert scope(other_teller, VIEW) == {theirs.pk}
    assert scope(monitoring_agent, STOP) == everything
    assert scope(monitoring_agent, ASSIGN) == set() and scope(monitoring_agent, PICKUP) == set()
    assert scope(compliance_officer, VIEW) == everything
    for action in (CHANGE, ASSIGN, PICKUP, STOP):
        assert scope(compliance_officer, action) == set()
        assert scope(administrator, action) == set()
    assert case_permits(supervisor, mine, ASSIGN) and not case_permits(supervisor, theirs, ASSIGN)
    assert case_permits(monitoring_agent, theirs, STOP)


def test_an_inactive_member_of_staff_sees_nothing(teller):
    factories.stolen_card_case(teller)
    teller.is_active = False
    teller.save()
    assert not Case.objects.restrict(teller).exists()


def test_changing_a_role_in_the_admin_moves_the_member_to_the_new_roles_group(
    client, administrator, teller
):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    url = f"/admin/incidents/user/{teller.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "password")
    }
    data.update(
        {
            "role": "supervisor",
            "branch": teller.branch_id,
            "groups": [g.pk for g in teller.groups.all()],  # still ticking the old role's group
            "date_joined_0": teller.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": teller.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    teller.refresh_from_db()
    assert teller.role == "supervisor"
    assert list(teller.groups.values_list("name", flat=True)) == ["role:supervisor"]
