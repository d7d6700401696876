"""Errors named by who caused them.

`LocalProtocolError` means our own code broke the rules; `RemoteProtocolError`
means a peer did. Messages are written for the person who will read them and
never contain a value, a share, a key or any other secret.
"""

from __future__ import annotations


class HuddleError(Exception):
    """Base class of every error Huddle raises on purpose."""


class InputError(HuddleError):
    """The person typed something Huddle cannot use (out of range, not a number...)."""


class SettingsError(HuddleError):
    """The session settings do not make sense (range too wide, too few people...)."""


class LocalProtocolError(HuddleError):
    """Our side tried to do something the protocol does not allow right now."""


class RemoteProtocolError(HuddleError):
    """A peer sent something that is not valid Huddle protocol.

    Either the other program is broken, is a different version, or someone on
    the network is tampering with the connection.
    """


class IntegrityError(RemoteProtocolError):
    """A message failed its signature or decryption check.

    Someone changed, replayed or redirected it on the way, or the sender is not
    who the roster says. The round stops; nothing secret was revealed.
    """


class HostMismatchError(HuddleError):
    """The host's certificate is not the one that was advertised.

    Either the session you picked has been restarted, or another machine on the
    network is pretending to be the host.
    """
