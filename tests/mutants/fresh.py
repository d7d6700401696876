"""A pytest plugin for `make mutants` only (tests/mutants/run.py loads it).

mutmut forks every mutant from a process that has already run the tests once
with the original code. Whatever the code cached in that process — the
codec's encoder and decoder of each message, the noise and randomized-response
tables, the proofs' shapes and group sizes (run.UNCACHED) — would be inherited
by the fork and hide the mutant, which would then never run. So every test
starts with those caches empty.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    from huddle.core import codec, noise, proofs, randomized_response, round_size

    codec._ENCODERS.clear()
    codec._DECODERS.clear()
    noise._quantile.cache_clear()
    randomized_response._pmfs.cache_clear()
    randomized_response._tails.cache_clear()
    proofs.shape.cache_clear()  # lru_caches around mutmut's trampolines (run.UNCACHED)
    round_size.max_group.cache_clear()
    yield
