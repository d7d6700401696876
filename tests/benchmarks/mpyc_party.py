"""One MPyC party for compare_mpyc.py: a secure sum of one number or of a one-hot vector.

Run by the benchmark as ``python mpyc_party.py BINS -M N -I I --no-log``; prints
one JSON line with the time everyone was connected, the time the output was
known here, and the output.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from mpyc.runtime import mpc

BINS = int(sys.argv.pop(1))


async def main() -> None:
    await mpc.start()
    connected = time.time()
    if BINS == 0:
        secint = mpc.SecInt(64)
        shares = mpc.input(secint(1000 + mpc.pid))
        result = [int(await mpc.output(mpc.sum(shares)))]
    else:
        secint = mpc.SecInt(32)
        onehot = np.zeros(BINS, dtype=int)
        onehot[(mpc.pid * 7) % BINS] = 1
        vectors = mpc.input(secint.array(onehot))
        total = vectors[0]
        for vector in vectors[1:]:
            total = total + vector
        result = [int(x) for x in await mpc.output(total)]
    done = time.time()
    await mpc.shutdown()
    print(json.dumps({"t0": connected, "t1": done, "total": result}), flush=True)


mpc.run(main())
