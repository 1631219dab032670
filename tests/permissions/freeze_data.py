"""What the permission matrix posts to and opens on the world's freeze case (issue 15 B)."""

from __future__ import annotations


def freeze_pk(world) -> int:
    return world.freeze.pk


def freeze_key(world) -> str:
    return world.freeze_key


def freeze_version(world, **data) -> dict:
    from compensation.models import FreezeCase

    return {"version": str(FreezeCase.objects.get(pk=world.freeze.pk).version), **data}


def application_pk(world) -> int:
    return world.application.pk


def evidence_pk(world) -> int:
    return world.evidence.pk


def evidence_file(world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return freeze_version(
        world, file=SimpleUploadedFile("slip2.pdf", b"%PDF-1.4\n%matrix\n", "application/pdf")
    )


def freeze_decision_pk(world) -> int:
    return world.freeze_decision.pk
