"""Start-up time and memory as a person meets them (a benchmark, not a test).

    python tests/benchmarks/startup.py [--repeat 10]

Prints three figures (medians over ``--repeat`` runs):
- ``huddle --help``: launch to exit of the installed command (no Qt, no numpy).
- the desktop app: launch to exit of ``huddle --self-check``, which opens the
  main window, loads its resources and closes — an upper bound on the time to
  a visible window (offscreen Qt unless a display is set).
- a headless party's peak resident memory: ``huddle join`` through one whole
  round (a host and three joiners on 127.0.0.1), from the kernel's ru_maxrss.

``--phases`` also splits the desktop app's launch into where the time goes, each a
median over fresh interpreters: importing Qt, numpy, the engine (``huddle.net``:
asyncio, cryptography, zeroconf, the protocol), the screens, building the window,
and showing and closing it. Measured this way (issue 17), pyqtgraph was a quarter
of a second of every launch; it now loads with the first chart.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HUDDLE = str(Path(sys.executable).with_name("huddle"))


def wall_time(args: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


PHASES = """
import time
marks = [("start", time.perf_counter())]
def mark(name):
    marks.append((name, time.perf_counter()))
import PySide6.QtWidgets
mark("Qt")
import numpy
mark("numpy")
import huddle.net.facade
mark("engine (huddle.net)")
import huddle.ui.app as app_module
from PySide6.QtCore import QSettings, QTimer
mark("screens (huddle.ui)")
app = app_module.make_application()
window = app_module.MainWindow(QSettings(), discovery=False)
mark("building the window")
window.show()
QTimer.singleShot(0, window.close)
app.exec()
mark("showing and closing it")
for (_, before), (name, after) in zip(marks, marks[1:]):
    print(f"{name}\t{after - before}")
"""


def phases(env: dict[str, str], repeat: int) -> list[tuple[str, list[float]]]:
    """Seconds per phase of the desktop app's launch, one fresh interpreter a run."""
    runs: dict[str, list[float]] = {}
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", PHASES], check=True, capture_output=True, text=True, env=env
        )
        for line in done.stdout.splitlines():
            if "\t" in line:
                name, seconds = line.split("\t")
                runs.setdefault(name, []).append(float(seconds))
    return [(f"  {name}", values) for name, values in runs.items()]


def party_peak_mb() -> float:
    """Peak RSS of one `huddle join` process through a three-person round."""
    common = ["--range", "0", "100000", "--no-advertise", "--json"]
    host = subprocess.Popen(
        [HUDDLE, "host", "--title", "bench", "--no-value", "--expect", "3",
         "--bind", "127.0.0.1", *common],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert host.stderr is not None and host.stdout is not None
    port = ""
    for line in host.stderr:
        if match := re.search(r"on port (\d+)", line):
            port = match.group(1)
            break
    for stream in (host.stdout, host.stderr):
        threading.Thread(target=stream.read, daemon=True).start()
    joiners = [
        subprocess.Popen(
            [HUDDLE, "join", f"127.0.0.1:{port}", "--name", f"p{i}", "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for i in range(3)
    ]  # fmt: skip
    for i, joiner in enumerate(joiners):
        assert joiner.stdin is not None
        joiner.stdin.write(f"{1000 + i}\n".encode())
        joiner.stdin.close()
    peaks = []
    for joiner in joiners:
        _, status, usage = os.wait4(joiner.pid, 0)
        joiner.returncode = os.waitstatus_to_exitcode(status)
        if joiner.returncode != 0:
            raise RuntimeError("a joiner failed")
        peaks.append(usage.ru_maxrss / 1024)
    host.wait(timeout=30)
    return max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--phases", action="store_true", help="where the launch time goes")
    args = parser.parse_args()
    gui_env = dict(os.environ)
    gui_env.setdefault("QT_QPA_PLATFORM", "offscreen" if "DISPLAY" not in os.environ else "xcb")
    rows = [
        ("huddle --help", [wall_time([HUDDLE, "--help"]) for _ in range(args.repeat)], "s"),
        (
            f"desktop app, launch → window → exit ({gui_env['QT_QPA_PLATFORM']})",
            [wall_time([HUDDLE, "--self-check"], gui_env) for _ in range(args.repeat)],
            "s",
        ),
    ]
    if args.phases:
        rows += [(name, values, "s") for name, values in phases(gui_env, args.repeat)]
    rows.append(("headless party, peak memory", [party_peak_mb() for _ in range(3)], "MB"))
    for label, values, unit in rows:
        print(
            f"{label:<52}{statistics.median(values):8.3f} {unit}"
            f"   ({min(values):.3f}-{max(values):.3f})"
        )


if __name__ == "__main__":
    main()
