"""Invites as text: what the host prints, what people paste, and what is refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core.invite import (
    FINGERPRINT_CHARS,
    Invite,
    InviteError,
    decode_fingerprint,
    encode_fingerprint,
    parse_invite,
)

FP = hashlib.sha256(b"a host certificate").digest()
CODE = encode_fingerprint(FP)


def test_the_fingerprint_is_52_lowercase_base32_characters() -> None:
    assert len(CODE) == FINGERPRINT_CHARS == 52
    assert set(CODE) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert decode_fingerprint(CODE) == FP


@given(
    fingerprint=st.binary(min_size=32, max_size=32),
    host=st.sampled_from(["192.168.1.20", "laptop.local", "2001:db8::7", "fe80::1%eth0"]),
    port=st.integers(1, 65535),
)
def test_an_invite_reads_back_as_written(fingerprint: bytes, host: str, port: int) -> None:
    invite = Invite(host, port, fingerprint)
    assert parse_invite(str(invite)) == invite
    assert parse_invite(invite.command()) == invite  # the host's whole line, pasted
    assert parse_invite(invite.endpoint) == Invite(host, port)  # a bare address pins nothing


def test_the_host_line_brackets_ipv6() -> None:
    assert Invite("2001:db8::7", 7300, FP).command() == f"huddle join [2001:db8::7]:7300#{CODE}"
    assert str(Invite("192.168.1.20", 7300)) == "192.168.1.20:7300"


def test_case_spaces_dashes_and_misread_letters_do_not_matter() -> None:
    grouped = "-".join(CODE[i : i + 4] for i in range(0, len(CODE), 4)).upper()
    assert parse_invite(f"  Huddle Join 10.0.0.5:7300#{grouped} ").fingerprint == FP
    misread = CODE.replace("o", "0").replace("l", "1").replace("b", "8")
    assert decode_fingerprint(misread) == FP


@pytest.mark.parametrize(
    ("typed", "part", "message"),
    [
        ("nowhere", "address", "is not ADDRESS:PORT"),
        ("host:port", "address", "is not ADDRESS:PORT"),
        (":7300", "address", "is not ADDRESS:PORT"),
        ("1.2.3.4:99999", "address", "is not ADDRESS:PORT"),
        ("1.2.3.4:7³", "address", "is not ADDRESS:PORT"),  # a digit to isdigit(), not to int()
        ("the big room:7300", "address", "is not ADDRESS:PORT"),
        ("[zz::1]:80", "address", "not a valid IPv6 address"),
        ("1.2.3.4:7300#", "fingerprint", "nothing follows the #"),
        (f"1.2.3.4:7300#{CODE[:30]}", "fingerprint", "has 30 characters instead of 52"),
        (f"1.2.3.4:7300#{CODE}a", "fingerprint", "has 53 characters"),
        (f"1.2.3.4:7300#{CODE[:-1]}!", "fingerprint", r"characters an invite never has \(!\)"),
        (f"1.2.3.4:7300#{CODE[:20]}9{CODE[21:]}", "fingerprint", r"never has \(9\)"),
    ],
)
def test_bad_invites_are_explained(typed: str, part: str, message: str) -> None:
    with pytest.raises(InviteError, match=message) as caught:
        parse_invite(typed)
    assert caught.value.part == part
    if part == "fingerprint":
        assert "Copy the whole invite from the host again" in str(caught.value)


def test_a_last_character_that_carries_extra_bits_is_refused() -> None:
    # 256 bits fill 51 characters and the top bit of the 52nd: it can only be a or q.
    assert CODE[-1] in "aq"
    with pytest.raises(InviteError, match="last character is wrong"):
        decode_fingerprint(CODE[:-1] + ("b" if CODE[-1] == "a" else "r"))


@given(st.text(max_size=120))
def test_any_text_gives_an_invite_or_an_invite_error(text: str) -> None:
    try:
        invite = parse_invite(text)
    except InviteError as exc:
        assert str(exc) and exc.part in ("address", "fingerprint")
    else:
        assert 0 < invite.port < 65536 and invite.host
