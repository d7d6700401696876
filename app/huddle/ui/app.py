"""Desktop app entry point (placeholder until the GUI lands)."""

from __future__ import annotations

import sys


def main() -> int:
    print("huddle: the desktop app is not built yet; see `huddle --help`.", file=sys.stderr)
    return 1
