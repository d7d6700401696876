"""The app icon, its generated sizes and the Linux desktop metadata.

These check the files a desktop reads directly, with parsers written here rather
than the ones in packaging/make_icons.py, so a bug there cannot hide itself.
No __init__.py in this folder, on purpose: as a package named `packaging` it would
shadow the `packaging` library that pytest itself imports.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import configparser
import importlib.util
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "icons"
SVG = ICONS / "huddle.svg"
SYMBOLIC_SVG = ICONS / "huddle-symbolic.svg"
SCRIPT = ROOT / "packaging" / "make_icons.py"
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.huddle.Huddle"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HICOLOR_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_SIZES = {
    b"ic11": 32,
    b"ic12": 64,
    b"ic07": 128,
    b"ic08": 256,
    b"ic13": 256,
    b"ic09": 512,
    b"ic14": 512,
    b"ic10": 1024,
}
SVG_NS = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR, after checking it is an 8-bit RGBA PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6), "expected 8-bit RGBA"
    assert data.endswith(b"IEND\xae\x42\x60\x82"), "PNG does not end with IEND"
    return width, height


def opaque_fraction(image: QImage) -> float:
    alpha = image.convertToFormat(QImage.Format.Format_Alpha8)
    stride, width = alpha.bytesPerLine(), alpha.width()
    rows = np.frombuffer(bytes(alpha.constBits()), np.uint8).reshape(-1, stride)[:, :width]
    return float((rows > 0).mean())


def render(path: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid(), f"Qt cannot read {path.name}"
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


@pytest.fixture(scope="module")
def make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_icons"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


# --- the SVG sources ----------------------------------------------------------


@pytest.mark.parametrize("path", [SVG, SYMBOLIC_SVG], ids=lambda p: p.name)
def test_svg_is_self_contained_and_has_no_text(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox"), "a viewBox lets every size scale cleanly"
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert not tags & {"text", "tspan", "image", "font", "foreignObject", "style", "script"}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), f"external reference {value!r}"
            assert "url(" not in value or value.startswith("url(#"), f"external url {value!r}"


@pytest.mark.parametrize("size", [16, 512])
def test_svg_renders_something_at(qapp, size: int) -> None:
    image = render(SVG, size)
    # The tile covers most of the square; an empty or broken render covers nothing.
    assert 0.6 < opaque_fraction(image) < 1.0


def test_symbolic_svg_renders_in_one_colour(qapp) -> None:
    assert 0.2 < opaque_fraction(render(SYMBOLIC_SVG, 16)) < 0.9
    fills = {e.get("fill") for e in ET.parse(SYMBOLIC_SVG).getroot().iter()} - {None}
    assert fills == {"#2e3436"}, "symbolic icons are recoloured by the desktop: one fill only"


# --- the generated files ------------------------------------------------------


@pytest.mark.parametrize("size", HICOLOR_SIZES)
def test_hicolor_png_has_its_size(qapp, size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "huddle.png"
    data = path.read_bytes()
    assert png_size(data) == (size, size)
    image = QImage.fromData(data)
    assert (image.width(), image.height()) == (size, size)
    assert opaque_fraction(image) > 0.6


def test_ico_holds_a_png_for_every_windows_size() -> None:
    data = (ICONS / "huddle.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    sizes, end_of_directory = [], 6 + 16 * count
    for i in range(count):
        width, height, colours, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        side = width or 256
        assert (height or 256, colours, planes, bits) == (side, 0, 1, 32)
        assert end_of_directory <= offset and offset + length <= len(data)
        assert png_size(data[offset : offset + length]) == (side, side)
        sizes.append(side)
    assert sizes == ICO_SIZES


def test_icns_holds_a_png_for_every_macos_slot() -> None:
    data = (ICONS / "huddle.icns").read_bytes()
    magic, total = struct.unpack_from(">4sI", data)
    assert (magic, total) == (b"icns", len(data))
    found, offset = {}, 8
    while offset < len(data):
        kind, length = struct.unpack_from(">4sI", data, offset)
        assert 8 < length <= len(data) - offset
        found[kind] = png_size(data[offset + 8 : offset + length])
        offset += length
    assert offset == len(data)
    assert found == {kind: (size, size) for kind, size in ICNS_SIZES.items()}


def test_checked_in_icons_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_check_notices_missing_and_changed_files(make_icons, tmp_path: Path) -> None:
    fresh = make_icons.build_all()
    small, large = (ICONS / f"hicolor/{n}x{n}/apps/huddle.png" for n in (16, 512))
    moved = {tmp_path / path.relative_to(ICONS): data for path, data in fresh.items()}
    for path, data in moved.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert make_icons.find_stale(moved) == []

    (tmp_path / small.relative_to(ICONS)).unlink()
    (tmp_path / large.relative_to(ICONS)).write_bytes(fresh[small])
    (tmp_path / "huddle.ico").write_bytes(b"not an icon")
    stale = {item.path.relative_to(tmp_path): item.reason for item in make_icons.find_stale(moved)}
    assert stale.keys() == {
        small.relative_to(ICONS),
        large.relative_to(ICONS),
        Path("huddle.ico"),
    }
    assert stale[small.relative_to(ICONS)] == "missing"


def test_check_tolerates_another_zlib_or_rasteriser(make_icons) -> None:
    # Another zlib may compress the same pixels differently, another Qt may round an
    # edge differently; neither makes the icons stale.
    original = (ICONS / "hicolor/64x64/apps/huddle.png").read_bytes()
    chunks = make_icons.png_chunks(original)
    pixels = make_icons.decode_png(original)
    digest = chunks[b"tEXt"].split(b"\0")[1].decode()
    assert make_icons.encode_png(pixels, digest) == original
    idat = chunks[b"IDAT"]
    recompressed = original.replace(
        make_icons._chunk(b"IDAT", idat),
        make_icons._chunk(b"IDAT", zlib.compress(zlib.decompress(idat), 1)),
    )
    assert recompressed != original
    assert make_icons._same_picture(original, recompressed)
    other = make_icons.encode_png(np.clip(pixels.astype(int) + 1, 0, 255).astype(np.uint8), digest)
    assert other != original
    assert make_icons._same_picture(original, other)


def test_png_encoder_round_trips_any_pixels(make_icons, qapp) -> None:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(13, 9, 4), dtype=np.uint8)
    pixels[..., 3] = np.maximum(pixels[..., 3], 1)  # Qt may drop colour under alpha 0
    assert np.array_equal(make_icons.decode_png(make_icons.encode_png(pixels, "0" * 64)), pixels)


# --- Linux desktop integration ------------------------------------------------


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_has_the_keys_a_menu_needs() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Huddle"
    assert entry["GenericName"] == "Private group statistics"
    assert entry["Comment"]
    assert entry["Exec"] == "huddle"
    assert entry["Icon"] == "huddle"
    assert entry["Terminal"] == "false"
    assert "Office" in entry["Categories"].split(";")
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")
    assert (ICONS / "hicolor/48x48/apps" / f"{entry['Icon']}.png").exists()


def test_metainfo_describes_this_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert (root.tag, root.get("type")) == ("component", "desktop-application")
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("name") == "Huddle"
    assert root.findtext("summary")
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("content_rating") is not None
    release = root.find("releases/release")
    assert release is not None
    assert (release.get("version"), release.get("date")) == ("0.1.0", "2026-11-22")
    description = " ".join(root.find("description").itertext())
    assert "three people" in description, "the privacy promise states its limits"


def run_validator(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian/Ubuntu: desktop-file-utils, appstream)")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=False)


def test_desktop_file_validates() -> None:
    result = run_validator("desktop-file-validate", str(DESKTOP))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout and "warning" not in result.stdout, result.stdout


def test_metainfo_validates() -> None:
    result = run_validator("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_names_the_desktop_file_it_is_installed_with() -> None:
    """Wayland compositors and docks find the icon and name through this match."""
    from huddle.ui.app import DESKTOP_FILE

    assert DESKTOP_FILE == APP_ID and DESKTOP.name == f"{DESKTOP_FILE}.desktop"
