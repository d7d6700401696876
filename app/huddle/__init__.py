"""Huddle: private statistics among colleagues on one LAN."""

__version__ = "0.1.0"
