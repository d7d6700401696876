"""Shared test configuration: Qt runs offscreen, Hypothesis profiles."""

import os

from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may multicast onto the machine's real network: mDNS stays on loopback
# (tests/net/netns.py removes this for processes inside test namespaces).
os.environ["HUDDLE_MDNS_LOOPBACK_ONLY"] = "1"

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
# `make mutants` (tests/mutants/run.py): the same examples for every mutant, and fewer.
settings.register_profile(
    "mutants", max_examples=50, deadline=None, derandomize=True, database=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
