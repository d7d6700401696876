"""Shared test configuration: Qt runs offscreen, Hypothesis profiles."""

import os

from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may multicast onto the machine's real network: mDNS stays on loopback
# (tests/net/netns.py removes this for processes inside test namespaces).
os.environ["HUDDLE_MDNS_LOOPBACK_ONLY"] = "1"

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
