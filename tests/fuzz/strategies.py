"""What the fuzzing posts: Japanese text, control characters, huge values, wrong types, missing
and extra fields, malformed JSON and bodies, files that are not what they say."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from hypothesis import strategies as st

JAPANESE = st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # hiragana, katakana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # kanji
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF9F),  # full-width, half-width kana
)
CONTROL = st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1F), st.just("\x7f"))
ANY_CHAR = st.characters(exclude_categories=["Cs"])  # every code point UTF-8 can carry

SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e309",
        "NaN",
        "Infinity",
        "9" * 40,
        "-" + "9" * 30,
        "１２３４５６７",
        "２０２６-１３-４５",
        "2026-02-30",
        "2026-02-28T25:61",
        "9999-12-31T23:59",
        "0001-01-01",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "null",
        "true",
        "[]",
        "{}",
        "%00",
        "\x00",
        "\u202e\u0645",
        "ｱｲｳｴｵ",
        "山田　太郎",
        "😀👨‍👩‍👧",
        "http://[::1",
        "//evil.example/",
        "../../etc/passwd",
    ]
)
# Dates at and past the edges of the one date range (1900-01-01 to 2999-12-31), before Christ,
# and digits that are digits only to str.isdigit (full-width, superscript, Arabic-Indic).
DATE_EDGES = st.sampled_from(
    [
        "0001-01-01",
        "0001-01-01T00:00",
        "1899-12-31",
        "1899-12-31T23:59",
        "1900-01-01",
        "2999-12-31",
        "3000-01-01",
        "3000-01-01T00:00",
        "9999-12-31",
        "9999-12-31T23:59",
        "0000-01-01",
        "-0001-01-01",
        "2026-01-01 BC",
        "0044-03-15 BC",
        "３０００-０１-０１",
        "２０２６-０４-０１T１０:００",
        "²⁰²⁶-04-01",
        "²",
        "¹²³",
        "١٢٣",
        "٢٠٢٦-٠٤-٠١",
        "2026-04-01\x00",
        "2026-04-01\u0000T10:00",
    ]
)
TEXT = st.text(alphabet=st.one_of(JAPANESE, CONTROL, ANY_CHAR), max_size=30)
HUGE = st.builds(
    lambda unit, n: unit * n, st.sampled_from(["あ", "9", "x", "\x01"]), st.integers(300, 20_000)
)
NUMBER = st.integers(min_value=-(2**80), max_value=2**80).map(str)
VALUE = st.one_of(SPECIAL, DATE_EDGES, TEXT, NUMBER, HUGE)
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=0, max_size=4))

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), TEXT
)
JSON_ANY = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)

MALFORMED_BODIES = st.sampled_from(
    [
        ("application/json", b'{"fields": '),
        ("application/json", b"\xff\xfe\x00\x01"),
        ("application/json", b"[" * 2000),
        ("application/json", b'{"fields": {"a": ["\\ud800"]}}'),
        ("application/json", b"NaN"),
        ("application/x-www-form-urlencoded", b"%zz=%%&&==&a=%ff%fe"),
        ("application/x-www-form-urlencoded", b"a=" + "あ".encode() * 10 + b"\x00"),
        ("multipart/form-data; boundary=mamori", b"--mamori\r\nContent-Disposition: form"),
        ("multipart/form-data", b"no boundary at all"),
        ("text/plain", b"just text"),
        ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>"),
    ]
)

FILE_CONTENTS = st.one_of(
    st.sampled_from(
        [
            b"%PDF-1.4\n%fuzz\n",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
            b"\xff\xd8\xff\xe0" + b"\x00" * 16,
            b"MZ\x90\x00" + b"\x00" * 60,  # an executable under any name
            b"\x7fELF\x02\x01\x01" + b"\x00" * 20,
            b"",
            b"<html><script>alert(1)</script></html>",
        ]
    ),
    st.binary(max_size=64),
)
FILE_NAMES = st.one_of(
    st.sampled_from(["police.pdf", "免許証.jpg", "setup.exe.pdf", "a" * 300 + ".png", ".pdf"]),
    TEXT.map(lambda t: (t.replace("\x00", "") or "x") + ".pdf"),
)


@dataclass
class Payload:
    """One request body: form fields, a raw body with its content type, or JSON."""

    kind: str
    fields: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""

    def describe(self) -> str:
        if self.kind == "form":
            return f"form {sorted(self.fields)[:8]} files={sorted(self.files)}"
        return f"{self.kind} {self.content_type} {self.body[:60]!r}"


@st.composite
def form_payloads(draw, base: dict, names: tuple[str, ...]) -> Payload:
    """The declared valid data of the URL, mutated: fields replaced, dropped, repeated, added."""
    fields = {}
    for name, value in base.items():
        action = draw(st.sampled_from(["keep", "keep", "replace", "drop", "list"]))
        if action == "keep":
            fields[name] = value
        elif action == "replace":
            fields[name] = draw(VALUES)
        elif action == "list":
            fields[name] = [value, draw(VALUE)]
    extra = draw(st.dictionaries(st.one_of(st.sampled_from(names), TEXT), VALUES, max_size=4))
    fields.update({k: v for k, v in extra.items() if k})
    files = {}
    if draw(st.integers(0, 9)) == 0:
        files[draw(st.sampled_from(["file", *names[:3]]))] = (
            draw(FILE_NAMES),
            draw(FILE_CONTENTS),
        )
    return Payload("form", fields=fields, files=files)


@st.composite
def json_payloads(draw, base: dict) -> Payload:
    """JSON of the wrong shape and of the right shape with junk inside."""
    shape = draw(st.sampled_from(["any", "fields", "fields_junk"]))
    if shape == "any":
        document = draw(JSON_ANY)
    elif shape == "fields":
        document = {"fields": {k: [v] if isinstance(v, str) else v for k, v in base.items()}}
        document["fields"].update(draw(st.dictionaries(TEXT, st.lists(VALUE, max_size=3))))
    else:
        document = {"fields": draw(st.dictionaries(TEXT, JSON_ANY, max_size=5))}
    return Payload(
        "json",
        body=json.dumps(document, ensure_ascii=draw(st.booleans())).encode(),
        content_type="application/json",
    )


def payloads(base: dict, names: tuple[str, ...], *, oversize: int, many: int) -> st.SearchStrategy:
    """Every kind of body, weighted towards mutated forms."""
    malformed = MALFORMED_BODIES.map(
        lambda pair: Payload("raw", content_type=pair[0], body=pair[1])
    )
    too_big = st.just(
        Payload(
            "raw", content_type="application/x-www-form-urlencoded", body=b"a=" + b"9" * oversize
        )
    )
    too_many = st.just(
        Payload(
            "raw",
            content_type="application/x-www-form-urlencoded",
            body="&".join(f"f{n}=1" for n in range(many)).encode(),
        )
    )
    return st.one_of(
        form_payloads(base, names),
        form_payloads(base, names),
        form_payloads({}, names),
        json_payloads(base),
        malformed,
        too_big,
        too_many,
    )


QUERY_NAMES = (
    "q",
    "status",
    "kind",
    "branch",
    "assignee",
    "due",
    "sort",
    "page",
    "unread",
    "staff",
    "case_number",
    "date_from",
    "date_to",
    "next",
    "timeout",
    "add",
    "perform",
    "cases",
    "version",
    "edit_key",
    "print",
)
QUERIES = st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), TEXT), VALUES, max_size=5)
