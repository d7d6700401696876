"""The codec's schema machinery at its limits (found by `make mutants`).

Every wire message is decoded by readers built from its dataclass: exact key
sets, exact types, bounds inclusive at both ends, and one kind of error that
says which field failed. A record made for this test exercises every kind of
field and bound, including those no message uses today.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field
from typing import Any

import pytest

from huddle.core import codec
from huddle.core import messages as m
from huddle.core.codec import FrameDecoder, Message, decode_body, encode, limit
from huddle.core.crypto import SIGNATURE_BYTES
from huddle.core.errors import RemoteProtocolError
from huddle.core.questions import MAX_PARTICIPANTS


@dataclass(frozen=True, slots=True, kw_only=True)
class Inner:
    n: int = field(metadata=limit(lo=0, hi=1))


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    flag: bool
    count: int = field(metadata=limit(lo=-2, hi=5))
    wide: int
    name: str = field(metadata=limit(max_len=4))
    text: str
    blob: bytes = field(metadata=limit(max_len=4))
    key: bytes = field(metadata=limit(exact_len=3))
    items: tuple[int, ...] = field(metadata=limit(max_len=2))
    inner: Inner

    def __post_init__(self) -> None:
        if self.count == 4:
            raise ValueError("four is unlucky")


GOOD = Sample(
    flag=True, count=5, wide=-(1 << 63), name="abcd", text="t" * 200, blob=b"\x00" * 6,
    key=b"abc", items=(1, 2), inner=Inner(n=1),
)  # fmt: skip


def wire(**changes: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = codec._encoder_for(Sample)(GOOD)
    encoded.update(changes)
    return encoded


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_record_at_every_limit_round_trips() -> None:
    assert codec._decoder_for(Sample)(wire()) == GOOD
    assert wire()["blob"] == b64(b"\x00" * 6) and wire()["inner"] == {"n": 1}
    assert codec._decoder_for(Sample)(wire(wide=(1 << 63) - 1, count=-2, items=[])).count == -2


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"flag": 1}, "flag is not true/false"),
        ({"count": 6}, "count is not a whole number from -2 to 5"),
        ({"count": -3}, "count is not a whole number from -2 to 5"),
        ({"count": True}, "count is not a whole number from -2 to 5"),
        ({"count": 1.0}, "count is not a whole number from -2 to 5"),
        ({"wide": 1 << 63}, f"wide is not a whole number from {-(1 << 63)} to {(1 << 63) - 1}"),
        ({"wide": -(1 << 63) - 1}, "wide is not a whole number from"),
        ({"name": "abcde"}, "name is not text of at most 4 characters"),
        ({"name": 5}, "name is not text of at most 4 characters"),
        ({"text": "t" * 201}, "text is not text of at most 200 characters"),
        ({"blob": b64(bytes(7))}, "blob is not base64 of at most 4 bytes"),
        ({"blob": 7}, "blob is not base64 of at most 4 bytes"),
        ({"blob": "%%%%"}, "blob is not base64"),
        ({"key": b64(b"abcd")}, "key must be 3 bytes"),
        ({"items": [1, 2, 3]}, "items is not a list of at most 2 items"),
        ({"items": (1,)}, "items is not a list of at most 2 items"),
        ({"items": [True]}, "items is not a whole number from"),
        ({"inner": {"n": 2}}, "n is not a whole number from 0 to 1"),
        ({"inner": {}}, "Inner has the wrong fields"),
        ({"inner": [1]}, "Inner has the wrong fields"),
        ({"extra": 1}, "Sample has the wrong fields"),
    ],
)
def test_each_bad_field_is_named_in_the_error(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        codec._decoder_for(Sample)(wire(**changes))
    assert str(info.value).startswith(f"A message field is invalid: {error}")
    assert str(info.value).endswith(".")


def test_a_record_its_class_refuses_is_a_protocol_error_saying_why() -> None:
    with pytest.raises(RemoteProtocolError) as info:
        codec._decoder_for(Sample)(wire(count=4))
    assert str(info.value) == "Sample is not acceptable: four is unlucky"


def test_a_field_type_the_codec_does_not_know_is_our_error() -> None:
    @dataclass(frozen=True)
    class Odd:
        x: float

    with pytest.raises(TypeError, match="unsupported field type"):
        codec._decoder_for(Odd)
    with pytest.raises(TypeError, match="unsupported field type"):
        codec._encoder_for(Odd)


def test_prepare_builds_every_messages_reader_and_writer() -> None:
    codec._ENCODERS.clear()
    codec._DECODERS.clear()
    codec.prepare()
    registered = set(codec._REGISTRY.values())
    assert registered <= set(codec._ENCODERS) and registered <= set(codec._DECODERS)
    assert codec._REGISTRY[2] is m.Hello and m.Hello.TYPE == 2


# --- frames -----------------------------------------------------------------------------


def test_a_frame_is_length_version_type_and_compact_json() -> None:
    frame = encode(m.Closed(reason="bye"))
    body = b'{"reason":"bye"}'
    assert frame == struct.pack(">IBB", len(body) + 2, 4, 14) + body


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\x04", "A message was cut short."),
        (
            b"\x03\x0e{}",
            "The other side speaks Huddle protocol 3; this app speaks 4. Both people need "
            "the same Huddle version.",
        ),
        (b"\x04\x63{}", "Unknown message type 99."),
        (b"\x04\x0e{", "A message was not valid JSON."),
    ],
)
def test_frames_that_are_not_messages_say_why(body: bytes, error: str) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(body)
    assert str(info.value) == error


def test_a_frame_of_exactly_the_limit_is_taken_and_one_more_byte_is_not() -> None:
    frame = encode(m.Closed(reason="x" * 10))
    size = len(frame) - 4
    assert FrameDecoder(max_frame=size).feed(frame) == [m.Closed(reason="x" * 10)]
    with pytest.raises(RemoteProtocolError) as info:
        FrameDecoder(max_frame=size - 1).feed(frame)
    assert str(info.value) == f"A message of {size} bytes is over the {size - 1}-byte limit."
    decoder = FrameDecoder()
    assert decoder.feed(frame[:3]) == [] and decoder.buffered == 3
    assert decoder.feed(frame[3:] + frame) == [m.Closed(reason="x" * 10)] * 2
    assert decoder.buffered == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Blobs:
    b4: bytes = field(metadata=limit(max_len=4))
    b5: bytes = field(metadata=limit(max_len=5))
    b6: bytes = field(metadata=limit(max_len=6))


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("b4", "AAAAAAAAA", "b4 is not base64 of at most 4 bytes"),  # 9 characters > 8
        ("b5", "AAAAAAAAA", "b5 is not base64 of at most 5 bytes"),
        ("b6", b64(bytes(9)), "b6 is not base64 of at most 6 bytes"),  # 12 characters > 8
        ("b6", "AAAAA", "b6 is not base64"),
    ],
)
def test_base64_is_bounded_by_its_length_in_characters(name: str, text: str, error: str) -> None:
    fields = {"b4": "", "b5": "", "b6": "", name: text}
    with pytest.raises(RemoteProtocolError) as info:
        codec._decoder_for(Blobs)(fields)
    assert str(info.value) == f"A message field is invalid: {error}."


def test_a_body_of_just_version_and_type_is_no_json() -> None:
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(b"\x04\x0e")
    assert str(info.value) == "A message was not valid JSON."


def test_a_length_prefix_of_two_gigabytes_is_over_the_limit() -> None:
    with pytest.raises(RemoteProtocolError) as info:
        FrameDecoder().feed(struct.pack(">I", 1 << 31))
    assert str(info.value) == f"A message of {1 << 31} bytes is over the {16 << 20}-byte limit."


# --- the fields of protocol 4's messages ------------------------------------------------

RID = bytes(16)
N = MAX_PARTICIPANTS
HASH = 32
EMPTY_PARTIALS = m.Partials(
    round_id=RID, parties=(), vectors=b"", witnesses=b"", proofs=b"", commitments=b""
)
EXACT = [
    (m.Confirm(round_id=RID, tags=b"", nonce=bytes(HASH)), "nonce", HASH),
    (m.Verify(round_id=RID, messages=b"", signature=bytes(SIGNATURE_BYTES)), "signature", 64),
]
AT_MOST = [
    (m.Confirms(round_id=RID, tags=b"", nonces=b""), "nonces", HASH * N),
    (m.Verifies(round_id=RID, messages=b"", signatures=b""), "signatures", SIGNATURE_BYTES * N),
    (m.Unmask(round_id=RID, pieces=b""), "pieces", HASH * N),
    (m.Unmasks(round_id=RID, pieces=b""), "pieces", HASH * N * N),
    (
        m.PartialSum(round_id=RID, vector=b"", witness=b"", proof=b"", commitments=b""),
        "commitments",
        HASH * N,
    ),
    (EMPTY_PARTIALS, "commitments", HASH * N * N),
]


def _decode(msg: Message, name: str, size: int) -> object:
    fields = codec._encoder_for(type(msg))(msg)
    return codec._decoder_for(type(msg))({**fields, name: b64(bytes(size))})


@pytest.mark.parametrize(
    ("msg", "name", "size"), EXACT, ids=[f"{type(x).__name__}.{n}" for x, n, _ in EXACT]
)
def test_protocol_4_hashes_and_signatures_have_one_size(msg: Message, name: str, size: int) -> None:
    assert _decode(msg, name, size)
    for wrong in (size - 1, size + 1):
        with pytest.raises(RemoteProtocolError) as info:
            _decode(msg, name, wrong)
        assert str(info.value) == f"A message field is invalid: {name} must be {size} bytes."


@pytest.mark.parametrize(
    ("msg", "name", "bound"), AT_MOST, ids=[f"{type(x).__name__}.{n}" for x, n, _ in AT_MOST]
)
def test_protocol_4_fields_hold_one_entry_per_member(msg: Message, name: str, bound: int) -> None:
    """A hash or signature per member (per pair of members for the relayed piece
    commitments and pieces), for as many members as a question allows; past that
    (by more than base64's padding, `test_base64_is_bounded_by_its_length_in_characters`)
    the field is refused by name."""
    assert _decode(msg, name, bound)
    with pytest.raises(RemoteProtocolError) as info:
        _decode(msg, name, bound + 3)
    error = f"A message field is invalid: {name} is not base64 of at most {bound} bytes."
    assert str(info.value) == error
