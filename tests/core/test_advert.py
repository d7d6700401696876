"""The mDNS TXT record: round trips, hostile records, instance names."""

from __future__ import annotations

import contextlib
import dataclasses
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from zeroconf import BadTypeInNameException, ServiceInfo

from huddle.core.advert import (
    DEFAULT_INSTANCE,
    MAX_HOST_NAME_BYTES,
    MAX_INSTANCE_BYTES,
    MAX_JOINED,
    MAX_TITLE_BYTES,
    SERVICE_TYPE,
    Advert,
    clean_text,
    decode_txt,
    encode_txt,
    instance_name,
)
from huddle.core.codec import PROTOCOL_VERSION
from huddle.core.errors import LocalProtocolError, RemoteProtocolError

ADVERT = Advert(
    protocol_version=PROTOCOL_VERSION,
    session_id=bytes(range(16)),
    title="What was your 2026 raise?",
    host_name="Alice",
    state="open",
    joined=3,
    fingerprint=bytes(range(100, 132)),
)

adverts = st.builds(
    Advert,
    protocol_version=st.just(PROTOCOL_VERSION),
    session_id=st.binary(min_size=16, max_size=16),
    title=st.text(max_size=400),
    host_name=st.text(max_size=200),
    state=st.sampled_from(["open", "started"]),
    joined=st.integers(0, MAX_JOINED),
    fingerprint=st.binary(min_size=32, max_size=32),
)


def txt(drop: str = "", **changes: bytes | None) -> dict[bytes, bytes | None]:
    """ADVERT's TXT as zeroconf hands it over (bytes keys), with a key dropped or changed."""
    props: dict[bytes, bytes | None] = {k.encode(): v for k, v in encode_txt(ADVERT).items()}
    props.update({key.encode(): value for key, value in changes.items()})
    props.pop(drop.encode(), None)
    return props


def wire(advert: Advert) -> dict[bytes, bytes | None]:
    """Through zeroconf's own TXT packing and unpacking, as a browser would see it."""
    info = ServiceInfo(SERVICE_TYPE, f"x.{SERVICE_TYPE}", port=1, properties=encode_txt(advert))
    received = ServiceInfo(SERVICE_TYPE, f"x.{SERVICE_TYPE}", properties=info.text)
    return received.properties


# --- round trips -------------------------------------------------------------


def test_round_trip() -> None:
    assert decode_txt(wire(ADVERT)) == ADVERT


@given(adverts)
@example(dataclasses.replace(ADVERT, title="é" * 300, host_name="名" * 100))
@example(dataclasses.replace(ADVERT, title="a\u202eb\x1b[2Jc\n\td", host_name=""))
def test_round_trip_cleans_and_shortens_text(advert: Advert) -> None:
    decoded = decode_txt(wire(advert))

    assert decoded == dataclasses.replace(
        advert,
        title=clean_text(advert.title, MAX_TITLE_BYTES),
        host_name=clean_text(advert.host_name, MAX_HOST_NAME_BYTES),
    )
    for key, value in encode_txt(advert).items():
        assert len(key.encode()) + 1 + len(value) <= 255  # one DNS-SD TXT string


@given(st.text(max_size=600), st.integers(8, 255))
def test_clean_text_is_short_safe_and_stable(text: str, limit: int) -> None:
    cleaned = clean_text(text, limit)

    assert len(cleaned.encode("utf-8")) <= limit
    assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in cleaned)
    assert clean_text(cleaned, limit) == cleaned
    plain = " ".join(unicodedata.normalize("NFC", text).split())
    if len(plain.encode()) <= limit and plain.isprintable():
        assert cleaned == plain  # ordinary short text passes unchanged


def test_long_title_is_cut_at_a_character_boundary() -> None:
    title = "ü" * 200  # two bytes each: a byte cut could split one
    cut = decode_txt(wire(dataclasses.replace(ADVERT, title=title))).title

    assert cut.endswith("…")
    assert set(cut[:-1]) == {"ü"}
    assert len(cut.encode()) <= MAX_TITLE_BYTES


def test_our_own_bad_adverts_are_local_errors() -> None:
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(ADVERT, session_id=b"short")
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(ADVERT, fingerprint=bytes(31))
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(ADVERT, joined=-1)
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(ADVERT, state="closed")  # type: ignore[arg-type]


# --- hostile records ------------------------------------------------------------


HOSTILE = {
    "empty": {},
    "garbage": {b"\xff\xfe": b"\x00" * 40, b"": None},
    "a newer version": txt(v=str(PROTOCOL_VERSION + 1).encode()),
    "version 0": txt(v=b"0"),
    "version with sign": txt(v=b"+1"),
    "version with leading zero": txt(v=b"01"),
    "version in other digits": txt(v="١".encode()),
    "version huge": txt(v=b"9" * 5000),
    "version missing": txt(drop="v"),
    "version without value": txt(v=None),
    "id missing": txt(drop="id"),
    "id too short": txt(id=b"00" * 15),
    "id not hex": txt(id=b"zz" * 16),
    "id uppercase": txt(id=b"AB" * 16),
    "id with spaces": txt(id=b"00 " * 10 + b"00"),
    "fingerprint missing": txt(drop="fp"),
    "fingerprint too long": txt(fp=b"00" * 33),
    "fingerprint huge": txt(fp=b"0" * 100_000),
    "title missing": txt(drop="title"),
    "title huge": txt(title=b"x" * 10_000),
    "title not UTF-8": txt(title=b"caf\xe9"),
    "title with escape codes": txt(title=b"\x1b[2Jgotcha"),
    "title with newline": txt(title=b"one\ntwo"),
    "title with bidi override": txt(title="abc\u202edef".encode()),
    "host missing": txt(drop="host"),
    "host huge": txt(host=b"h" * 1000),
    "state unknown": txt(state=b"closed"),
    "state missing": txt(drop="state"),
    "joined negative": txt(joined=b"-1"),
    "joined too large": txt(joined=str(MAX_JOINED + 1).encode()),
    "joined huge": txt(joined=b"9" * 400),
    "joined not a number": txt(joined=b"three"),
    "joined float": txt(joined=b"1.5"),
    "joined with underscore": txt(joined=b"1_0"),
}


@pytest.mark.parametrize("properties", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_records_are_remote_errors(properties: dict[bytes, bytes | None]) -> None:
    with pytest.raises(RemoteProtocolError):
        decode_txt(properties)


@pytest.mark.parametrize("properties", [None, [], "v=1", 42])
def test_non_mappings_are_remote_errors(properties: object) -> None:
    with pytest.raises(RemoteProtocolError):
        decode_txt(properties)  # type: ignore[arg-type]


def test_unknown_keys_are_ignored() -> None:
    assert decode_txt({**txt(), b"future": b"x" * 200, b"flag": None}) == ADVERT


def test_wrong_version_says_what_to_do() -> None:
    with pytest.raises(RemoteProtocolError, match="same version"):
        decode_txt(txt(v=b"7"))


_KEYS = st.sampled_from([b"v", b"id", b"title", b"host", b"state", b"joined", b"fp", b"x"])


@given(
    st.dictionaries(
        _KEYS | st.binary(max_size=8),
        st.none() | st.binary(max_size=300) | st.sampled_from(list(txt().values())),
    )
)
def test_only_remote_errors_escape_the_decoder(properties: dict[bytes, bytes | None]) -> None:
    with contextlib.suppress(RemoteProtocolError):
        decode_txt({**txt(), **properties})


# --- instance names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("What was your 2026 raise?", "What was your 2026 raise?"),
        ("Gehaltsumfrage für Teams", "Gehaltsumfrage für Teams"),
        ("給与アンケート", "給与アンケート"),
        ("v1.2 release.  poll", "v1 2 release poll"),  # dots would split the DNS label
        ("back\\slash\x00nul\ttab", "back slash nul tab"),
        ("", DEFAULT_INSTANCE),
        ("...", DEFAULT_INSTANCE),
        ("🎉🎉", DEFAULT_INSTANCE),
    ],
)
def test_instance_names(title: str, name: str) -> None:
    assert instance_name(title) == name


@given(st.text(max_size=300))
@example("é" * 60)
@example("a" * 56 + "é")
def test_instance_name_is_a_valid_label_with_room_for_renames(title: str) -> None:
    name = instance_name(title)

    assert name and name == name.strip()
    assert len(name.encode()) <= MAX_INSTANCE_BYTES
    assert "." not in name and "\\" not in name
    assert all(ch.isprintable() for ch in name)
    for renamed in (name, f"{name}-999999"):  # what zeroconf appends on conflicts
        try:
            ServiceInfo(SERVICE_TYPE, f"{renamed}.{SERVICE_TYPE}", port=1)
        except BadTypeInNameException as exc:  # pragma: no cover - the assertion
            raise AssertionError(f"zeroconf refuses {renamed!r}") from exc
