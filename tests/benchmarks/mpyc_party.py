"""One MPyC party for compare_mpyc.py: a secure sum of one number or of a one-hot vector.

Run by the benchmark as ``python mpyc_party.py BINS cold|warm -M N -I I --no-log``;
prints one JSON line with the time this party's clock started, the time the
output was known here, and the output.

- cold: the clock starts as ``mpc.start()`` returns (everyone connected) and
  times the first round this process runs.
- warm: once connected, the party first runs the same computation on
  throwaway inputs (untimed), then synchronises with every other party (an
  all-to-all ``mpc.transfer``, which no party leaves before every party has
  finished its warm-up); the clock starts as that synchronisation returns and
  times the second round, on the real inputs. This is MPyC's counterpart of
  Huddle rehearsing its round code in the lobby.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from mpyc.runtime import mpc  # type: ignore[import-untyped]

BINS = int(sys.argv.pop(1))
WARM = {"cold": False, "warm": True}[sys.argv.pop(1)]


async def secure_sum(value: int) -> list[int]:
    """One round: the parties' values (BINS == 0) or one-hot vectors at bar `value`, summed."""
    if BINS == 0:
        secint = mpc.SecInt(64)
        shares = mpc.input(secint(value))
        return [int(await mpc.output(mpc.sum(shares)))]
    secint = mpc.SecInt(32)
    onehot = np.zeros(BINS, dtype=int)
    onehot[value] = 1
    vectors = mpc.input(secint.array(onehot))
    total = vectors[0]
    for vector in vectors[1:]:
        total = total + vector
    return [int(x) for x in await mpc.output(total)]


async def main() -> None:
    await mpc.start()
    if WARM:
        # Throwaway inputs (not the real ones), same types and shapes.
        await secure_sum(2000 + mpc.pid if BINS == 0 else (mpc.pid * 7 + 1) % BINS)
        await mpc.transfer(mpc.pid)  # returns once every party is past its warm-up
    started = time.time()
    result = await secure_sum(1000 + mpc.pid if BINS == 0 else (mpc.pid * 7) % BINS)
    done = time.time()
    await mpc.shutdown()
    print(json.dumps({"t0": started, "t1": done, "total": result}), flush=True)


mpc.run(main())
