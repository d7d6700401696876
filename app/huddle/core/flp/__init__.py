"""Zero-knowledge proofs that a secret-shared contribution is valid (issue 15).

`circuits` says what a valid contribution is for each family of kinds;
`proof` is the fully linear proof system that checks it on shares; `bits` is
the range decomposition both use. See docs/PROOFS.md for the design.
"""

from huddle.core.flp.circuits import (
    Answer,
    Bits,
    Constraints,
    Contribution,
    OneHot,
    Range,
    Spread,
)
from huddle.core.flp.gadgets import Bit, Gadget, Mul
from huddle.core.flp.proof import PROOFS, Flp, Lane, lane

__all__ = [
    "PROOFS",
    "Answer",
    "Bit",
    "Bits",
    "Constraints",
    "Contribution",
    "Flp",
    "Gadget",
    "Lane",
    "Mul",
    "OneHot",
    "Range",
    "Spread",
    "lane",
]
