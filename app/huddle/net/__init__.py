"""The network engine: drives the pure core over asyncio TCP+TLS and zeroconf.

Both front ends reach it through one door, `facade` (the desktop app runs it on
a thread of its own, `huddle.ui.engine`); nothing above this package opens a
socket, and nothing outside it imports the other modules here.
"""
