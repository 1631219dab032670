"""The signature of a webhook: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret
(docs/webhooks.md gives the receiver's side)."""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "v1"
# A receiver refuses a timestamp further than this from its clock (replays of old posts).
TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Mamori-Signature`` header's value: ``v1=<hex>``."""
    return f"{SCHEME}={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(*, secret: str, header: str, timestamp: str, body: bytes, now: float) -> bool:
    """Whether a post is signed with ``secret`` and recent (the receiver's check, as documented)."""
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs(now - moment) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret=secret, timestamp=moment, body=body)
    offered = [part.strip()[len(SCHEME) + 1 :] for part in header.split(",")]
    return any(
        hmac.compare_digest(expected, value)
        for value, part in zip(offered, header.split(","), strict=True)
        if part.strip().startswith(f"{SCHEME}=")
    )
