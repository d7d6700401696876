"""Noise that survives missing shares (issue 15): k members may add none.

Each share is NB(1/(n−k), p) − NB(1/(n−k), p), so any n − k honest shares
sum to the full discrete Laplace; k is a question field, covered by the
security code, and a group that could leave fewer than two honest shares is
refused by the member's own app.
"""

from __future__ import annotations

import math
import os
import struct
from dataclasses import replace

import numpy as np
import pytest

from huddle.core import crypto, noise
from huddle.core.codec import _encoder_for, encode
from huddle.core.errors import SettingsError
from huddle.core.events import RoundAborted, SessionEnded
from huddle.core.messages import Cancel, CancelWhy, Hello, PartialSum, Start, Welcome
from huddle.core.participant import ParticipantSession
from huddle.core.questions import AVERAGE, HISTOGRAM, Question
from huddle.core.security_code import roster_digest

from .harness import FINGERPRINT
from .test_malicious_host import ForgedHost, signed_member

EDGES = ("0", "50", "100")


def histogram(minimum: int, robust: int = 0) -> Question:
    return Question(
        title="Commute",
        kind=HISTOGRAM,
        lo="0",
        hi="100",
        bins=EDGES,
        epsilon="1",
        min_participants=minimum,
        robust=robust,
    )


def _distance(parties: int, honest: int, robust: int, share_robust: int) -> float:
    """Total variation between `honest` summed shares (drawn for k = share_robust) and the
    discrete Laplace of ε = 1, Δ = 2, on 40,000 draws with a fixed seed."""
    rng = np.random.Generator(np.random.PCG64DXSM(20260415))
    draws = 40_000
    total = sum(
        (
            noise.noise_share(parties, 1.0, 2, draws, rng, robust=share_robust)
            for _ in range(honest)
        ),
        start=np.zeros(draws, dtype=np.int64),
    )
    support = 40
    ks = np.arange(-support, support + 1)
    exact = noise.discrete_laplace_pmf(ks, 1.0, 2)
    seen = np.array([np.count_nonzero(total == k) for k in ks]) / draws
    outside = np.count_nonzero(np.abs(total) > support) / draws
    return 0.5 * (float(np.abs(seen - exact).sum()) + outside + (1.0 - float(exact.sum())))


@pytest.mark.parametrize(("parties", "robust"), [(10, 1), (10, 3), (9, 7), (30, 10)])
def test_any_n_minus_k_shares_sum_to_the_discrete_laplace(parties: int, robust: int) -> None:
    assert _distance(parties, parties - robust, robust, robust) < 0.02


def test_with_shares_split_for_one_missing_n_minus_k_shares_fall_short() -> None:
    """The test above can fail: k = 1's shares, 7 of 10 of them, are visibly too narrow."""
    assert _distance(10, 7, 3, 1) > 0.05


@pytest.mark.parametrize(("parties", "robust"), [(10, 3), (5, 1)])
def test_all_n_shares_follow_the_exact_total_the_bounds_use(parties: int, robust: int) -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(7))
    draws = 40_000
    total = sum(
        noise.noise_share(parties, 1.0, 2, draws, rng, robust=robust) for _ in range(parties)
    )
    ks, pmf = noise.total_noise_pmf(parties, 1.0, 2, 60, robust=robust)
    seen = np.array([np.count_nonzero(total == k) for k in ks]) / draws
    assert 0.5 * float(np.abs(seen - pmf).sum()) < 0.02
    assert np.std(total) == pytest.approx(noise.noise_std(parties, 1.0, 2, robust=robust), rel=0.03)


def test_more_robustness_costs_wider_noise_and_larger_error_bounds() -> None:
    bounds = [noise.error_bound(12, 1.0, 2, robust=k) for k in (1, 4, 8)]
    assert bounds == sorted(bounds) and bounds[0] < bounds[-1]
    assert noise.width_factor(12, 4) == pytest.approx(math.sqrt(1.5))
    assert noise.lead_needed(12, 1.0, 2, 3, robust=8) > noise.lead_needed(12, 1.0, 2, 3)


@pytest.mark.parametrize(("parties", "robust"), [(2, 1), (5, 4), (9, 8)])
def test_a_share_for_a_group_of_k_plus_one_is_refused(parties: int, robust: int) -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(1))
    with pytest.raises(SettingsError, match="fewer than two would carry the noise"):
        noise.noise_share(parties, 1.0, 2, 3, rng, robust=robust)


def test_the_issues_example_two_honest_of_ten_at_k_1_is_epsilon_3_9() -> None:
    assert noise.exposed_epsilon(10, 1.0, 2, 2) == pytest.approx(3.93, abs=0.01)
    assert noise.exposed_epsilon(50, 1.0, 2, 2) == pytest.approx(7.38, abs=0.01)
    assert noise.exposed_epsilon(10, 1.0, 2, 7, robust=3) == 1.0
    assert noise.exposed_epsilon(10, 1.0, 2, 9, robust=3) == 1.0
    assert noise.exposed_epsilon(10, 1.0, 2, 0, robust=3) == math.inf
    one_short = noise.exposed_epsilon(10, 1.0, 2, 6, robust=3)
    assert 1.0 < one_short < noise.exposed_epsilon(10, 1.0, 2, 5, robust=3)


# --- the question field ---------------------------------------------------------


@pytest.mark.parametrize(("minimum", "default"), [(3, 1), (5, 1), (6, 2), (9, 3), (30, 10)])
def test_the_default_k_is_a_third_of_the_minimum(minimum: int, default: int) -> None:
    assert histogram(minimum).robust == default


@pytest.mark.parametrize(("minimum", "robust"), [(3, 2), (9, 8), (9, 20)])
def test_k_must_leave_two_honest_shares_of_the_minimum(minimum: int, robust: int) -> None:
    with pytest.raises(SettingsError, match="at least two must always carry it"):
        histogram(minimum, robust)


def test_an_exact_result_has_no_k_and_its_bytes_are_unchanged() -> None:
    exact = Question(title="2026 raise", lo="0", hi="100000")
    assert exact.kind == AVERAGE and exact.robust == 0
    assert "robust" not in _encoder_for(Question)(exact)
    with pytest.raises(SettingsError, match="Only a result with noise"):
        replace(exact, robust=1)


def test_k_is_part_of_the_security_code() -> None:
    roster = (signed_member(1, "a", bytes(16), crypto.Identity()),)
    codes = {roster_digest(bytes(16), histogram(9, k), FINGERPRINT, roster) for k in (1, 2, 7)}
    assert len(codes) == 3


def test_a_welcome_with_k_the_minimum_cannot_carry_is_refused() -> None:
    """A host that sends k = minimum − 1 (so one honest share could be all the noise)."""
    frame = encode(Welcome(session_id=bytes(16), host_name="Mallory", question=histogram(9, 7)))
    body = frame[4:].replace(b'"robust":7', b'"robust":8')
    victim = ParticipantSession(name="Vic", host_fingerprint=FINGERPRINT, random_bytes=os.urandom)
    outs = victim.receive_data(struct.pack(">I", len(body)) + body)
    assert any(isinstance(o, SessionEnded) for o in outs)
    assert "at least two must always carry it" in str(outs)
    assert not any(isinstance(m, Hello) for m in _sent(outs))


def test_a_round_of_k_plus_one_people_gets_no_noisy_partial_sum() -> None:
    """The real state machine declines a roster that could leave one honest noise share."""
    host = ForgedHost(histogram(9, 7))
    host.victim.submit("40")
    roster = (host.me, *(host.fake(2 + i, f"Fake{i}") for i in range(7)))  # 8 = k + 1
    digest = host.lobby_with_code(roster)
    sent = host.feed(Start(round_id=(1).to_bytes(16, "big"), roster_digest=digest))
    assert not any(isinstance(m, PartialSum) for m in host.up)
    assert [type(m) for m in sent] == [Cancel]
    assert isinstance(sent[0], Cancel) and sent[0].why == CancelWhy.TOO_FEW
    assert any(isinstance(o, RoundAborted) for o in host.outs)


def _sent(outs: list[object]) -> list[object]:
    from huddle.core.codec import FrameDecoder
    from huddle.core.events import Send

    return [m for o in outs if isinstance(o, Send) for m in FrameDecoder().feed(o.data)]


def test_the_result_says_when_its_epsilon_holds_and_what_one_more_costs() -> None:
    from huddle.core.outcome import Outcome

    holds = Outcome(histogram(9), 10, (4, 6)).summary.holds
    assert "Private at ε = 1 as long as no more than 3 of the 10 people added no noise" in holds
    weaker = noise.exposed_epsilon(10, 1.0, 2, 6, robust=3)
    assert f"if 4 added none, ε rises to at most {weaker:.3g}." in holds
    assert f"{weaker:.3g}" == "1.26"
    assert Outcome(Question(title="t"), 3, (5,)).summary.holds == ""
