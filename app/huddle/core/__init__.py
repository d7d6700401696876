"""The pure protocol core.

Rules for everything in this package: no sockets, no threads, no Qt, no clocks
and no global random state. Randomness and time come in as parameters, so the
whole protocol is deterministic under test and can be driven from memory.
"""
