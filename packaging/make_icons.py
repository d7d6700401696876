#!/usr/bin/env python3
"""Render icons/huddle.svg into the PNG, ICO and ICNS files that desktops want.

    python packaging/make_icons.py          # rewrite the generated icons
    python packaging/make_icons.py --check  # exit 1 if a checked-in icon is stale

The SVG is the only source. Everything this script writes is checked in:

    icons/hicolor/<n>x<n>/apps/huddle.png   n = 16 … 512 (freedesktop icon theme)
    icons/huddle.ico                        Windows, 16 … 256, PNG entries
    icons/huddle.icns                       macOS, ic07 … ic14, PNG entries

Output is deterministic: the PNGs are encoded here (no timestamps, no chunks
that depend on the machine) and the ICO/ICNS containers hold those PNG bytes
verbatim, so running the script twice gives identical files.

Across machines, a different Qt rasteriser or zlib build may still move a pixel
or a byte without the artwork having changed. So every PNG records the SHA-256
of the SVG it was drawn from: an edited SVG is always caught exactly, and pixels
are then compared with a small tolerance instead of byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Before Qt is imported: no display is needed, nor wanted on a build machine.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "icons"
SOURCE = ICONS / "huddle.svg"

HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an ICO entry can say
# OSType -> pixel size. The @2x types (ic11 … ic14) repeat a 1x size on purpose:
# macOS picks by type, not by measuring the image.
ICNS_TYPES = {
    b"ic11": 32,
    b"ic12": 64,
    b"ic07": 128,
    b"ic08": 256,
    b"ic13": 256,
    b"ic09": 512,
    b"ic14": 512,
    b"ic10": 1024,
}
# Apple's grid puts the tile at 824 of 1024 px; our SVG's tile spans 448 of 512,
# so macOS renders are drawn a little smaller to sit right beside other apps.
MACOS_SCALE = (824 / 1024) / (448 / 512)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIGEST_KEY = b"Huddle-SVG-SHA256"

_KEEP_ALIVE: list[QGuiApplication] = []  # Qt needs its application object to outlive renders


# --- PNG ----------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _filter_rows(pixels: npt.NDArray[np.uint8]) -> bytes:
    """Apply the best PNG filter per row (min. sum of |bytes|, as libpng does)."""
    x = pixels.astype(np.int16)
    left = np.zeros_like(x)
    left[:, 4:] = x[:, :-4]
    up = np.zeros_like(x)
    up[1:] = x[:-1]
    up_left = np.zeros_like(x)
    up_left[1:, 4:] = x[:-1, :-4]
    p = left + up - up_left
    pa, pb, pc = np.abs(p - left), np.abs(p - up), np.abs(p - up_left)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, up_left))
    options = np.stack([x, x - left, x - up, x - (left + up) // 2, x - paeth]).astype(np.uint8)
    cost = np.abs(options.astype(np.int8).astype(np.int32)).sum(axis=2)
    best = cost.argmin(axis=0).astype(np.uint8)
    rows = options[best, np.arange(x.shape[0])]
    return np.concatenate([best[:, None], rows], axis=1).tobytes()


def encode_png(rgba: npt.NDArray[np.uint8], digest: str) -> bytes:
    """Encode an (h, w, 4) straight-alpha RGBA array; nothing but IHDR/tEXt/IDAT/IEND."""
    height, width, _ = rgba.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join(
        [
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"tEXt", DIGEST_KEY + b"\0" + digest.encode("ascii")),
            _chunk(b"IDAT", zlib.compress(_filter_rows(rgba.reshape(height, -1)), 9)),
            _chunk(b"IEND", b""),
        ]
    )


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The chunks of a PNG by type (the last one wins; IDAT is not needed here)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, offset = {}, len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        chunks[data[offset + 4 : offset + 8]] = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return chunks


def decode_png(data: bytes) -> npt.NDArray[np.uint8]:
    """Decode any PNG to (h, w, 4) RGBA, via Qt."""
    # No format argument: PySide6 6.12's stubs and runtime disagree on its type.
    image = QImage.fromData(data)
    if not data.startswith(PNG_SIGNATURE) or image.isNull():
        raise ValueError("unreadable PNG")
    return _rgba(image)


# --- rendering ----------------------------------------------------------------


def _rgba(image: QImage) -> npt.NDArray[np.uint8]:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    flat = np.frombuffer(bytes(image.constBits()), np.uint8)[: height * stride]
    return flat.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).copy()


def load_svg(path: Path) -> QSvgRenderer:
    if QGuiApplication.instance() is None:
        _KEEP_ALIVE.append(QGuiApplication([sys.argv[0]]))
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise SystemExit(f"{path}: Qt could not read this SVG")
    return renderer


def render(renderer: QSvgRenderer, size: int, scale: float = 1.0) -> npt.NDArray[np.uint8]:
    """Draw the SVG into a transparent size×size square, optionally shrunk about the centre."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
    )
    margin = size * (1.0 - scale) / 2
    renderer.render(painter, QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.end()
    return _rgba(image)


# --- containers ---------------------------------------------------------------


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon whose entries are PNG files (supported since Vista)."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    directory, images = [struct.pack("<HHH", 0, 1, len(sizes))], []
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # one byte: 0 means 256
        directory.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return b"".join(directory + images)


def build_icns(pngs: dict[bytes, bytes]) -> bytes:
    """A macOS icon family whose elements are PNG files (ic07 and later take PNG)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in pngs.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def ico_entries(data: bytes) -> list[tuple[str, bytes]]:
    reserved, kind, count = struct.unpack_from("<HHH", data)
    if (reserved, kind) != (0, 1):
        raise ValueError("not an ICO")
    entries = []
    for i in range(count):
        side, *_, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        entries.append((f"ico {side or 256}", data[offset : offset + length]))
    return entries


def icns_entries(data: bytes) -> list[tuple[str, bytes]]:
    if data[:4] != b"icns" or struct.unpack_from(">I", data, 4)[0] != len(data):
        raise ValueError("not an ICNS")
    entries, offset = [], 8
    while offset < len(data):
        kind, length = struct.unpack_from(">4sI", data, offset)
        entries.append((kind.decode("ascii"), data[offset + 8 : offset + length]))
        offset += length
    return entries


# --- the whole set ------------------------------------------------------------


def svg_digest(path: Path) -> str:
    # Line endings normalised, so a CRLF checkout on Windows is not "stale".
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def build_all(source: Path = SOURCE) -> dict[Path, bytes]:
    """Every generated file, by path, as bytes."""
    renderer, digest = load_svg(source), svg_digest(source)
    plain = {n: encode_png(render(renderer, n), digest) for n in (*HICOLOR_SIZES, *ICO_SIZES)}
    mac = {n: encode_png(render(renderer, n, MACOS_SCALE), digest) for n in ICNS_TYPES.values()}
    files = {ICONS / f"hicolor/{n}x{n}/apps/huddle.png": plain[n] for n in HICOLOR_SIZES}
    files[ICONS / "huddle.ico"] = build_ico({n: plain[n] for n in ICO_SIZES})
    files[ICONS / "huddle.icns"] = build_icns({k: mac[n] for k, n in ICNS_TYPES.items()})
    return files


def _images(path: Path, data: bytes) -> list[tuple[str, bytes]]:
    if path.suffix == ".ico":
        return ico_entries(data)
    if path.suffix == ".icns":
        return icns_entries(data)
    return [("png", data)]


def _same_picture(old: bytes, new: bytes) -> bool:
    """Equal bytes, or the same SVG drawn with pixels that differ only by rounding."""
    if old == new:
        return True
    if png_chunks(old).get(b"tEXt") != png_chunks(new).get(b"tEXt"):
        return False  # drawn from another version of the SVG
    a, b = decode_png(old).astype(np.int16), decode_png(new).astype(np.int16)
    if a.shape != b.shape:
        return False
    diff = np.abs(a - b)
    return bool(diff.mean() <= 1.0 and (diff > 24).mean() <= 0.01)


@dataclass(frozen=True, slots=True)
class Stale:
    path: Path
    reason: str


def find_stale(expected: dict[Path, bytes]) -> list[Stale]:
    stale = []
    for path, new in expected.items():
        if not path.exists():
            stale.append(Stale(path, "missing"))
            continue
        try:
            old_images, new_images = _images(path, path.read_bytes()), _images(path, new)
            same = [tag for tag, _ in old_images] == [tag for tag, _ in new_images] and all(
                _same_picture(o, n) for (_, o), (_, n) in zip(old_images, new_images, strict=True)
            )
        except (ValueError, struct.error) as exc:
            stale.append(Stale(path, f"unreadable ({exc})"))
            continue
        if not same:
            stale.append(Stale(path, "differs from a fresh render of the SVG"))
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any icon is stale"
    )
    args = parser.parse_args(argv)
    expected = build_all()
    if args.check:
        stale = find_stale(expected)
        for item in stale:
            print(f"stale: {item.path.relative_to(ROOT)}: {item.reason}", file=sys.stderr)
        if stale:
            print("Run `python packaging/make_icons.py` and commit the result.", file=sys.stderr)
        return 1 if stale else 0
    for path, data in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
