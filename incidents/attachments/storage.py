"""Files customers hand in: what they are (read from their first bytes, never from the name or
the browser's word), and where they are kept (outside the static and media roots, under random
names, readable by the application's user only)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The formats a branch receives documents in: scans (PDF) and photographs (JPEG, PNG).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
SNIFF_BYTES = 16
CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    """A file written to the attachment root."""

    storage_name: str
    content_type: str
    extension: str
    size: int
    sha256: str


class AttachmentRefused(ValueError):
    """The file is not one we keep (its content is not PDF, JPEG or PNG, or it is too big)."""


def refusal_words(refused: AttachmentRefused) -> str:
    """Why the file was refused, in the reader's words (for the case's and the freeze case's
    upload forms alike)."""
    reason = str(refused)
    if reason == "too_big":
        return _("ファイルが大きすぎます（%(limit)sまで）。") % {
            "limit": filesizeformat(settings.MAMORI_ATTACHMENT_MAX_BYTES)
        }
    if reason == "empty":
        return _("ファイルが空です。")
    return _(
        "PDF・JPEG・PNG のファイルだけを添付できます（ファイルの中身で確認しています。"
        "拡張子だけを変えたファイルは受け付けません）。"
    )


def detect(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None for anything else."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def attachment_root() -> Path:
    root = Path(settings.MAMORI_ATTACHMENT_ROOT).resolve()
    for served in (settings.STATIC_ROOT, getattr(settings, "MEDIA_ROOT", "")):
        if served and (root == Path(served).resolve() or Path(served).resolve() in root.parents):
            raise RuntimeError("MAMORI_ATTACHMENT_ROOT must lie outside STATIC_ROOT and MEDIA_ROOT")
    return root


def path_of(storage_name: str) -> Path:
    """Where a stored file is (names are ours: hex only, so never a path of someone's choosing)."""
    if not storage_name or not all(c in "0123456789abcdef" for c in storage_name):
        raise ValueError("not a storage name")
    return attachment_root() / storage_name[:2] / storage_name


def store(upload) -> StoredFile:
    """Check an uploaded file and write it under a random name; its digest is computed on the way.

    Raises ``AttachmentRefused`` for a file that is empty, too big or not PDF/JPEG/PNG by content.
    """
    limit = settings.MAMORI_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRefused("too_big")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    detected = detect(head)
    if detected is None:
        raise AttachmentRefused("type")
    content_type, extension = detected
    storage_name = secrets.token_hex(32)
    target = path_of(storage_name)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise AttachmentRefused("too_big")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentRefused("empty")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(storage_name, content_type, extension, size, digest.hexdigest())


def discard(storage_name: str) -> None:
    """Remove a file whose record could not be saved (no orphan documents left behind)."""
    path_of(storage_name).unlink(missing_ok=True)


def safe_download_name(original: str, extension: str) -> str:
    """The name offered for saving: the customer's file name, with the extension of what it is."""
    stem = Path(original.replace("\\", "/")).name
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '<>:"/\\|?*')
    stem = stem.rsplit(".", 1)[0].strip(" .") or "document"
    return stem[:150] + extension
