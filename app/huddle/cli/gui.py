"""Opening the desktop app from the command line."""

from __future__ import annotations

import sys


def launch(*, demo_peers: int = 0, self_check: bool = False) -> int:
    try:
        from huddle.ui.app import main as gui_main
    except ImportError as exc:
        print(f"huddle: the desktop app could not start ({exc.name or exc}).", file=sys.stderr)
        print("huddle: run `huddle --help` for the command-line version.", file=sys.stderr)
        return 1
    return gui_main(demo_peers=demo_peers, self_check=self_check)
