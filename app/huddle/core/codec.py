"""One strict codec for every wire message.

A frame is ``length (4 bytes, big-endian) | version (1) | type (1) | JSON``.
Messages are frozen dataclasses registered with `@message(type_id)`; records
nested inside them are frozen dataclasses too. Decoding is strict: exact key
sets, exact types (a bool is not an int), bounded lengths, base64 for bytes.
Anything else becomes a `RemoteProtocolError` — this module lets no other
exception escape from untrusted input (a property the fuzz tests check).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import struct
import typing
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from huddle.core.errors import HuddleError, RemoteProtocolError

PROTOCOL_VERSION = 4
HEADER = struct.Struct(">IBB")
MAX_FRAME = 16 * 1024 * 1024
"""Largest frame anyone accepts; the host lowers it for strangers (see `FrameDecoder`)."""

DEFAULT_MAX_STR = 200
DEFAULT_MAX_ITEMS = 1024
DEFAULT_MAX_BYTES = 1 << 20


class Message:
    """Base of wire messages; `TYPE` is set by `@message`."""

    TYPE: ClassVar[int]


M = TypeVar("M", bound=type[Message])
_REGISTRY: dict[int, type[Message]] = {}
_Decoder = Callable[[Any], Any]
_Encoder = Callable[[Any], Any]


def limit(
    *,
    max_len: int | None = None,
    exact_len: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
    optional: bool = False,
) -> dict[str, int | None]:
    """Field metadata bounding a string, bytes, tuple or integer.

    ``optional``: the field is left out of the encoding while it holds its
    default, and read as the default when absent. A field added to a record
    this way keeps the bytes (and so every hash over them) of the records that
    do not use it.
    """
    return {"max_len": max_len, "exact_len": exact_len, "lo": lo, "hi": hi, "optional": optional}


def message(type_id: int) -> Callable[[M], M]:
    def register(cls: M) -> M:
        if type_id in _REGISTRY:
            raise RuntimeError(f"message type {type_id} registered twice")
        cls.TYPE = type_id
        _REGISTRY[type_id] = cls
        return cls

    return register


def prepare() -> None:
    """Build every message's encoder and decoder now rather than on first use.

    Building one reads the class's type hints (a few hundred microseconds);
    done lazily, that lands on the first message of each type — in a round.
    """
    for cls in _REGISTRY.values():
        _encoder_for(cls)
        _decoder_for(cls)


def encode(msg: Message) -> bytes:
    """A whole frame, length prefix included."""
    body = json.dumps(_encoder_for(type(msg))(msg), separators=(",", ":")).encode()
    return HEADER.pack(len(body) + 2, PROTOCOL_VERSION, msg.TYPE) + body


def decode_body(body: bytes) -> Message:
    """Decode a frame without its length prefix."""
    if len(body) < 2:
        raise RemoteProtocolError("A message was cut short.")
    version, type_id = body[0], body[1]
    if version != PROTOCOL_VERSION:
        raise RemoteProtocolError(
            f"The other side speaks Huddle protocol {version}; this app speaks "
            f"{PROTOCOL_VERSION}. Both people need the same Huddle version."
        )
    cls = _REGISTRY.get(type_id)
    if cls is None:
        raise RemoteProtocolError(f"Unknown message type {type_id}.")
    try:
        obj = json.loads(body[2:])
    except (ValueError, RecursionError):
        raise RemoteProtocolError("A message was not valid JSON.") from None
    result: Message = _decoder_for(cls)(obj)
    return result


class FrameDecoder:
    """Turns a byte stream into frames, refusing any frame over ``max_frame``.

    Feed it bytes as they arrive, in any chunks (one byte at a time works).
    """

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while len(self._buffer) >= 4:
            (length,) = struct.unpack_from(">I", self._buffer)
            if length > self.max_frame:
                raise RemoteProtocolError(
                    f"A message of {length} bytes is over the {self.max_frame}-byte limit."
                )
            if len(self._buffer) < 4 + length:
                break
            body = bytes(self._buffer[4 : 4 + length])
            del self._buffer[: 4 + length]
            messages.append(decode_body(body))
        return messages

    @property
    def buffered(self) -> int:
        return len(self._buffer)


# --- schema-driven encoders and decoders, built once per class -------------


def _fail(what: str) -> typing.NoReturn:
    raise RemoteProtocolError(f"A message field is invalid: {what}.")


_ENCODERS: dict[type, _Encoder] = {}
_DECODERS: dict[type, _Decoder] = {}


def _encoder_for(cls: type) -> _Encoder:
    if cls not in _ENCODERS:
        hints = typing.get_type_hints(cls)
        fields = [
            (f.name, _value_encoder(hints[f.name]), _omitted(f)) for f in dataclasses.fields(cls)
        ]
        _ENCODERS[cls] = lambda obj: {
            name: enc(getattr(obj, name))
            for name, enc, omit in fields
            if omit is _KEEP or getattr(obj, name) != omit
        }
    return _ENCODERS[cls]


_KEEP = object()


def _omitted(f: dataclasses.Field[Any]) -> Any:
    """The value at which an optional field is left out of the encoding, else `_KEEP`."""
    return f.default if f.metadata.get("optional") else _KEEP


def _decoder_for(cls: type) -> _Decoder:
    if cls not in _DECODERS:
        hints = typing.get_type_hints(cls)
        specs = {
            f.name: _value_decoder(hints[f.name], f.name, dict(f.metadata))
            for f in dataclasses.fields(cls)
        }
        optional = {f.name for f in dataclasses.fields(cls) if f.metadata.get("optional")}
        _DECODERS[cls] = _record_decoder(cls, specs, optional)
    return _DECODERS[cls]


def _record_decoder(cls: type, specs: dict[str, _Decoder], optional: set[str]) -> _Decoder:
    names = set(specs)
    required = names - optional

    def decode(obj: Any) -> Any:
        if not isinstance(obj, dict) or not required <= set(obj) <= names:
            _fail(f"{cls.__name__} has the wrong fields")
        values = {name: dec(obj[name]) for name, dec in specs.items() if name in obj}
        try:
            return cls(**values)
        except (ValueError, TypeError, HuddleError) as exc:
            raise RemoteProtocolError(f"{cls.__name__} is not acceptable: {exc}") from None

    return decode


def _value_encoder(tp: Any) -> _Encoder:
    if tp is bytes:
        return lambda v: base64.b64encode(v).decode("ascii")
    if tp in (str, int, bool):
        return lambda v: v
    if dataclasses.is_dataclass(tp):
        return lambda v: _encoder_for(type(v))(v)
    if typing.get_origin(tp) is tuple:
        item = _value_encoder(typing.get_args(tp)[0])
        return lambda v: [item(x) for x in v]
    raise TypeError(f"unsupported field type {tp!r}")


def _value_decoder(tp: Any, name: str, meta: dict[str, Any]) -> _Decoder:
    if tp is str:
        return _str_decoder(name, meta.get("max_len") or DEFAULT_MAX_STR)
    if tp is bytes:
        return _bytes_decoder(name, meta.get("max_len") or DEFAULT_MAX_BYTES, meta.get("exact_len"))
    if tp is bool:
        return lambda v: v if isinstance(v, bool) else _fail(f"{name} is not true/false")
    if tp is int:
        return _int_decoder(name, meta.get("lo"), meta.get("hi"))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _decoder_for(tp)
    if typing.get_origin(tp) is tuple:
        item = _value_decoder(typing.get_args(tp)[0], name, {})
        return _tuple_decoder(name, item, meta.get("max_len") or DEFAULT_MAX_ITEMS)
    raise TypeError(f"unsupported field type {tp!r}")


def _str_decoder(name: str, max_len: int) -> _Decoder:
    def decode(v: Any) -> str:
        if not isinstance(v, str) or len(v) > max_len:
            _fail(f"{name} is not text of at most {max_len} characters")
        return v

    return decode


def _bytes_decoder(name: str, max_len: int, exact_len: int | None) -> _Decoder:
    def decode(v: Any) -> bytes:
        if not isinstance(v, str) or len(v) > (max_len + 2) // 3 * 4:
            _fail(f"{name} is not base64 of at most {max_len} bytes")
        try:
            raw = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            _fail(f"{name} is not base64")
        if exact_len is not None and len(raw) != exact_len:
            _fail(f"{name} must be {exact_len} bytes")
        return raw

    return decode


def _int_decoder(name: str, lo: int | None, hi: int | None) -> _Decoder:
    low = -(1 << 63) if lo is None else lo
    high = (1 << 63) - 1 if hi is None else hi

    def decode(v: Any) -> int:
        if type(v) is not int or not low <= v <= high:
            _fail(f"{name} is not a whole number from {low} to {high}")
        return v

    return decode


def _tuple_decoder(name: str, item: _Decoder, max_items: int) -> _Decoder:
    def decode(v: Any) -> tuple[Any, ...]:
        if not isinstance(v, list) or len(v) > max_items:
            _fail(f"{name} is not a list of at most {max_items} items")
        return tuple(item(x) for x in v)

    return decode
