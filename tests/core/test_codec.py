import contextlib
import dataclasses
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core import codec, flp, proofs, round_size
from huddle.core import messages as m
from huddle.core.codec import PROTOCOL_VERSION, FrameDecoder, Message, decode_body, encode
from huddle.core.crypto import TAG_BYTES
from huddle.core.errors import RemoteProtocolError
from huddle.core.kinds import MAX_BINS
from huddle.core.options import MAX_OPTIONS
from huddle.core.questions import MAX_PARTICIPANTS, Question

KEY = bytes(32)
SIG = bytes(64)
RID = bytes(16)
SAMPLES = [
    m.Welcome(session_id=RID, host_name="Host", question=Question(title="Raise", decimals=2)),
    m.Hello(name="Bob", sign_key=KEY, kem_key=KEY, signature=SIG),
    m.Lobby(
        you=1,
        epoch=1,
        roster=(m.Member(party=1, name="Bob", sign_key=KEY, kem_key=KEY, signature=SIG),),
    ),
    m.Rejected(reason="full"),
    m.Start(round_id=RID, roster_digest=bytes(32)),
    m.PartialSum(
        round_id=RID, vector=bytes(8), witness=b"w" * 16, proof=b"p" * 24, commitments=KEY * 3
    ),
    m.Partials(
        round_id=RID,
        parties=(1, 2),
        vectors=bytes(8) + b"v" * 8,
        witnesses=b"w" * 32,
        proofs=b"p" * 48,
        commitments=KEY * 6,
    ),
    m.Progress(round_id=RID, summed=(1, 2)),
    m.Complaint(round_id=RID, about=2, what=3),
    m.Cancel(round_id=RID, why=0),
    m.Commit(epoch=1, commitment=KEY),
    m.Commitments(epoch=1, commitments=KEY * 3),
    m.Reveal(epoch=1, nonce=KEY),
    m.Reveals(epoch=1, nonces=KEY * 3),
    m.Confirm(round_id=RID, tags=bytes(32), nonce=KEY),
    m.Confirms(round_id=RID, tags=bytes(48), nonces=KEY * 3),
    m.Verify(round_id=RID, messages=b"m" * 16, signature=SIG),
    m.Verifies(round_id=RID, messages=b"m" * 48, signatures=SIG * 3),
    m.Unmask(round_id=RID, pieces=KEY * 2),
    m.Unmasks(round_id=RID, pieces=KEY * 6),
    m.Aborted(round_id=RID, reason="gone", missing=(3,)),
    m.Closed(reason="bye"),
    m.Leave(),
    m.Ping(),
    m.Pong(),
]


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda x: type(x).__name__)
def test_every_message_round_trips_even_one_byte_at_a_time(msg: Message) -> None:
    frame = encode(msg)
    assert FrameDecoder().feed(frame) == [msg]
    decoder = FrameDecoder()
    got = [x for i in range(len(frame)) for x in decoder.feed(frame[i : i + 1])]
    assert got == [msg] and decoder.buffered == 0


def _frame(type_id: int, payload: bytes, version: int = PROTOCOL_VERSION) -> bytes:
    return struct.pack(">IBB", len(payload) + 2, version, type_id) + payload


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_frame(2, b"{}", version=9), "protocol 9"),
        (_frame(99, b"{}"), "Unknown message type"),
        (_frame(15, b"not json"), "not valid JSON"),
        (_frame(15, b"[" * 100000), "not valid JSON"),
        (_frame(4, b'{"reason": 5}'), "reason"),
        (_frame(4, b'{"reason": "x", "extra": 1}'), "wrong fields"),
        (
            _frame(11, b'{"round_id": "AAAAAAAAAAAAAAAAAAAAAA==", "about": true, "what": 1}'),
            "about",
        ),
        (_frame(11, b'{"round_id": "AAAA", "about": 1, "what": 1}'), "16 bytes"),
        (_frame(11, b'{"round_id": "%%%", "about": 1, "what": 1}'), "base64"),
        (struct.pack(">I", 1) + b"\x01", "cut short"),
    ],
)
def test_malformed_frames_are_protocol_errors(frame: bytes, message: str) -> None:
    with pytest.raises(RemoteProtocolError, match=message):
        FrameDecoder().feed(frame)


def test_oversized_length_prefix_is_refused_before_buffering() -> None:
    decoder = FrameDecoder(max_frame=1024)
    with pytest.raises(RemoteProtocolError, match="over the 1024-byte limit"):
        decoder.feed(struct.pack(">I", 10**9))


def test_truncated_frame_waits_for_the_rest() -> None:
    frame = encode(m.Closed(reason="bye"))
    decoder = FrameDecoder()
    assert decoder.feed(frame[:-1]) == []
    assert decoder.feed(frame[-1:]) == [m.Closed(reason="bye")]


def test_a_question_from_the_wire_is_validated_again() -> None:
    body = encode(SAMPLES[0])[4:].replace(b'"min_participants":3', b'"min_participants":2')
    with pytest.raises(RemoteProtocolError, match="At least 3 people"):
        decode_body(body)


@given(st.binary(max_size=300))
def test_fuzz_decoder_raises_only_protocol_errors(data: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError):
        FrameDecoder(max_frame=4096).feed(data)


@given(st.sampled_from(SAMPLES), st.data())
def test_fuzz_mutated_valid_frames_raise_only_protocol_errors(
    msg: Message, data: st.DataObject
) -> None:
    frame = bytearray(encode(msg))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(4, len(frame) - 1))
        frame[pos] = data.draw(st.integers(0, 255))
    with contextlib.suppress(RemoteProtocolError):
        FrameDecoder().feed(bytes(frame))


def test_every_message_type_has_a_sample() -> None:
    """A message added to the protocol is round-tripped and fuzzed above too."""
    assert {type(msg) for msg in SAMPLES} == set(codec._REGISTRY.values())


# --- the largest rounds the app allows ------------------------------------------------------


def _round_messages(circuit: flp.Contribution, n: int) -> list[Message]:
    """Every message of a round of ``n`` members proving ``circuit``, at its real sizes
    (docs/PROTOCOL.md): one member's and the host's relay of all of them."""
    proof = flp.Flp(circuit)
    y, meas = circuit.output_length, proof.meas_length
    vector, witness, proof_part = bytes(8 * y), bytes(8 * (meas - y)), bytes(8 * proof.proof_length)
    checks = bytes(8 * proof.verifier_length * (n - 1))
    return [
        m.PartialSum(
            round_id=RID, vector=vector, witness=witness, proof=proof_part, commitments=KEY * n
        ),
        m.Partials(
            round_id=RID,
            parties=tuple(range(1, n + 1)),
            vectors=vector * n,
            witnesses=witness * n,
            proofs=proof_part * n,
            commitments=KEY * n * n,
        ),
        m.Confirm(round_id=RID, tags=bytes(TAG_BYTES * (n - 1)), nonce=KEY),
        m.Confirms(round_id=RID, tags=bytes(TAG_BYTES * n), nonces=KEY * n),
        m.Verify(round_id=RID, messages=checks, signature=SIG),
        m.Verifies(round_id=RID, messages=checks * n, signatures=SIG * n),
        m.Unmask(round_id=RID, pieces=KEY * (n - 1)),
        m.Unmasks(round_id=RID, pieces=KEY * (n - 1) * n),
    ]


def _edges(bars: int) -> tuple[str, ...]:
    return tuple(str(k) for k in range(bars + 1))


QUESTIONS = {
    "average": Question(title="t", lo="0", hi="1000000000"),
    f"{MAX_OPTIONS}-option vote": Question(
        kind="vote", title="t", lo="1", hi=str(MAX_OPTIONS),
        options=tuple(f"o{k}" for k in range(MAX_OPTIONS)),
    ),
    f"noisy {MAX_BINS}-bar histogram at ε = 1": Question(
        kind="histogram", title="t", hi=str(MAX_BINS), bins=_edges(MAX_BINS), epsilon="1"
    ),
}  # fmt: skip


def test_the_largest_rounds_are_as_large_as_the_frames_allow() -> None:
    """The host admits no more people than `proofs.max_group` (tests/core/host_paths);
    small questions reach the app's maximum, the heaviest stays large."""
    sizes = {kind: proofs.max_group(q) for kind, q in QUESTIONS.items()}
    assert sizes["average"] == sizes[f"{MAX_OPTIONS}-option vote"] == MAX_PARTICIPANTS
    assert 50 <= sizes[f"noisy {MAX_BINS}-bar histogram at ε = 1"] < MAX_PARTICIPANTS


def _frame_need(circuit: flp.Contribution, n: int) -> int:
    """The bytes the largest message of a round of ``n`` needs in a frame, as
    `round_size` counts them: its blobs as base64 (4 bytes per 3), plus FRAME_ROOM
    (for everything else: keys, the round id, party numbers)."""
    return 4 * -(-max(map(_blob_bytes, _round_messages(circuit, n))) // 3) + round_size.FRAME_ROOM


def _blob_bytes(msg: Message) -> int:
    assert dataclasses.is_dataclass(msg)
    values = (getattr(msg, f.name) for f in dataclasses.fields(msg) if f.name != "round_id")
    return sum(len(value) for value in values if isinstance(value, bytes))


CIRCUITS = {
    **{kind: q.contribution() for kind, q in QUESTIONS.items()},
    "poll": Question(kind="poll", title="t", lo="0", hi="1").contribution(),
    # Partials outgrows Verifies only for a long measurement with few checks. At
    # 63,900 bits, 24 people's Partials needs exactly MAX_FRAME (held); one bit more
    # and it needs 256 bytes too many (23 people).
    "63,900 bits": flp.Contribution(flp.Bits(63_900)),
    "63,901 bits": flp.Contribution(flp.Bits(63_901)),
}


@pytest.mark.parametrize("kind", CIRCUITS)
def test_a_round_holds_exactly_as_many_people_as_its_frames_allow(kind: str) -> None:
    """Uncapped, `round_size.max_group` is the largest n whose every message fits a
    frame (Verifies sets the bound for every real question, Partials for the long
    measurement): at n + 1 one of them would not. Counted from the messages as built."""
    circuit = CIRCUITS[kind]
    n = round_size.max_group(circuit, 100_000, 3)
    assert _frame_need(circuit, n) <= codec.MAX_FRAME < _frame_need(circuit, n + 1)
    if kind.endswith("bits"):
        assert n == (24 if kind == "63,900 bits" else 23)


def test_a_round_size_is_the_least_asked_for_when_none_fits() -> None:
    poll = CIRCUITS["poll"]
    n = round_size.max_group(poll, 100_000, 3)
    assert round_size.max_group(poll, n + 100, n + 50) == n + 50
    assert round_size.max_group(poll, n + 100, n) == n


@pytest.mark.parametrize("n", [3, 8, "largest"])
@pytest.mark.parametrize("kind", QUESTIONS)
def test_every_message_of_the_largest_rounds_fits_its_limits(kind: str, n: int | str) -> None:
    """A question the app lets a host ask, with as many people as it admits: each
    message of its rounds passes the codec's field and frame limits, else the host
    (or a member) would refuse an honest message as a protocol error."""
    question = QUESTIONS[kind]
    n = proofs.max_group(question) if n == "largest" else int(n)
    for msg in _round_messages(question.contribution(), n):
        try:
            assert FrameDecoder().feed(encode(msg)) == [msg]
        except RemoteProtocolError as exc:
            raise AssertionError(f"{type(msg).__name__}: {exc}") from None
