"""Fixtures for network tests: a throwaway LAN of network namespaces."""

from collections.abc import Iterator

import pytest

from tests.net import netns


@pytest.fixture
def lan3() -> Iterator[netns.Lan]:
    """Three hosts on one bridge (198.18.0.1-3); skips without root or `ip`."""
    reason = netns.unavailable()
    if reason is not None:
        pytest.skip(reason)
    with netns.Lan(hosts=3) as lan:
        yield lan
