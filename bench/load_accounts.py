"""The load test's teller accounts, known to both sides: the seeding (Django) and the simulated
tellers (Locust), so neither imports the other.

Each teller has an enrolled authenticator whose key is derived from the user name, so a simulated
teller computes its one-time password as a phone would (RFC 6238, 30-second steps, 6 digits) and
signs in through the real forms. Synthetic accounts for a throwaway database only.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

LOAD_PASSWORD = "mamori-load-2026"
BRANCH_CODES = ("301", "302", "303", "304", "305")  # tellers are spread over five branches


def teller_username(shape: int, index: int) -> str:
    """Each shape (number of instances) signs in with accounts of its own: an authenticator code
    is accepted once, and a second run within the same 30 seconds would reuse it."""
    return f"load_teller_{shape}_{index}"


def totp_key(username: str) -> bytes:
    """The 20-byte authenticator key of a load-test account."""
    return hashlib.sha1(f"mamori-load:{username}".encode()).digest()


def totp_code(key: bytes, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for ``key`` at ``at`` (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"
