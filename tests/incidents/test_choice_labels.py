"""get_<field>_display() on the desk's models (incidents.models.base.DeskModel): the label in the
reader's language, looked up in a dict made once per field."""

import pghistory.models
import pytest
from django.utils import translation

from incidents.models import Case, ReportedItem
from incidents.models.base import DeskModel
from incidents.models.choices import CaseStatus, ItemKind

pytestmark = pytest.mark.django_db


def test_a_status_is_shown_in_the_readers_language_each_time():
    case = Case(status=CaseStatus.REPORTED)
    with translation.override("ja"):
        japanese = case.get_status_display()
    with translation.override("en"):
        english = case.get_status_display()
    with translation.override("ja"):
        again = case.get_status_display()
    assert japanese == str(CaseStatus.REPORTED.label) == again
    assert english != japanese and english.isascii(), english


def test_an_unknown_stored_value_is_shown_as_stored():
    assert ReportedItem(kind="no_such_kind").get_kind_display() == "no_such_kind"
    assert ReportedItem(kind=ItemKind.PASSBOOK).get_kind_display() == str(ItemKind.PASSBOOK.label)


def test_an_empty_value_is_shown_empty():
    assert Case(status="").get_status_display() == ""


def test_every_model_of_the_desk_shows_its_labels_the_fast_way():
    from django.apps import apps

    slow = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"incidents", "compensation", "webhooks", "api"}
        and not issubclass(model, pghistory.models.Event)  # the history's copies of the rows
        and any(field.choices for field in model._meta.concrete_fields)
        and not issubclass(model, DeskModel)
    ]
    assert slow == []
