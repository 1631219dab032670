"""The adapters' former dotted path: settings that name ``incidents.corebanking.RecordingAdapter``
(MAMORI_CORE_BANKING_ADAPTER) keep working. The adapters live in incidents.cases.corebanking."""

from incidents.cases.corebanking import RecordingAdapter

__all__ = ["RecordingAdapter"]
