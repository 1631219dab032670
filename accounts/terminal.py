"""A short name for the terminal a member of staff signed in from (browser and system)."""

from __future__ import annotations

import re

_BROWSERS = (
    (re.compile(r"Edg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrom(?:e|ium)/|CriOS/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"iPhone|iPad|iOS"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux"), "Linux"),
)


def describe_terminal(user_agent: str) -> str:
    """``Chrome / Windows`` from a User-Agent header; the header itself when it says neither."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent or "")), "")
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent or "")), "")
    if browser or system:
        return " / ".join(part for part in (browser, system) if part)
    return (user_agent or "")[:60]
