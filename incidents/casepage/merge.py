"""Merging a duplicate report into this case, and undoing a merge (a supervisor of the branch)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from incidents.cases import services
from incidents.cases.edits import STALE_ACTION_MESSAGE, EditStamp
from incidents.cases.validators import AsciiIntegerField, id_field
from incidents.models import Case, CaseMerge
from incidents.models.querysets import ASSIGN

AGAIN = gettext_lazy("統合する届出を選び直してください。")
# A page sends these back by itself: whatever is wrong with them, the answer is to choose again.
CHOOSE_AGAIN = {code: AGAIN for code in ("required", "invalid", "min_value", "max_value")}


class MergeForm(forms.Form):
    """The duplicate to merge into the case, with the version its row was shown at."""

    duplicate = id_field(error_messages=CHOOSE_AGAIN)
    duplicate_version = AsciiIntegerField(min_value=1, error_messages=CHOOSE_AGAIN)


class UndoForm(forms.Form):
    """The merged case's version as the page showed it."""

    duplicate_version = AsciiIntegerField(min_value=1, error_messages=CHOOSE_AGAIN)


def _first_error(form: forms.Form) -> str:
    return next((str(e) for errors in form.errors.values() for e in errors), str(AGAIN))


@login_required
@require_POST
def case_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    """Merge a duplicate report of the same customer into this case."""
    survivor = get_object_or_404(Case.objects.restrict(request.user, ASSIGN), pk=pk)
    back = redirect(survivor.get_absolute_url() + "#merge")
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return back
    duplicate = (
        Case.objects.restrict(request.user, ASSIGN)
        .filter(pk=form.cleaned_data["duplicate"])
        .first()
    )
    if duplicate is None:
        messages.error(request, AGAIN)
        return back
    try:
        services.case_merge(
            survivor=survivor,
            duplicate=duplicate,
            user=request.user,
            stamp=EditStamp.from_request(request),
            duplicate_version=form.cleaned_data["duplicate_version"],
        )
    except services.EditReplayed:
        return back
    except services.StaleCaseError:
        messages.error(request, STALE_ACTION_MESSAGE)
        return back
    except services.MergeError as error:
        messages.error(request, str(error))
        return back
    messages.success(
        request,
        _("受付番号 %(number)s の届出を統合しました。") % {"number": duplicate.number},
    )
    return back


@login_required
@require_POST
def case_merge_undo(request: AuthedRequest, pk: int, merge_pk: int) -> HttpResponse:
    """Undo a merge into this case: the merged case gets back exactly its own rows."""
    survivor = get_object_or_404(Case.objects.restrict(request.user, ASSIGN), pk=pk)
    merge = get_object_or_404(
        CaseMerge.objects.select_related("survivor", "merged"), pk=merge_pk, survivor=survivor
    )
    back = redirect(survivor.get_absolute_url() + "#merge")
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return back
    try:
        services.case_merge_undo(
            merge=merge,
            user=request.user,
            stamp=EditStamp.from_request(request),
            duplicate_version=form.cleaned_data["duplicate_version"],
        )
    except services.EditReplayed:
        return back
    except services.StaleCaseError:
        messages.error(request, STALE_ACTION_MESSAGE)
        return back
    except services.MergeError as error:
        messages.error(request, str(error))
        return back
    messages.success(
        request,
        _("受付番号 %(number)s の統合を取り消しました。") % {"number": merge.merged.number},
    )
    return back
