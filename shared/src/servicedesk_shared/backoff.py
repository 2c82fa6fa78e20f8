"""The one exponential backoff every retry loop of the desk waits by.

    delay(step) = base · 2^step seconds, never above `cap`

`step` counts the failures before this wait (0: the first wait is `base`); a negative step
gives less than `base` (auth's login throttle starts below its first full delay). Large
steps are clamped before the power, so a retry loop that has failed for a day still gets
`cap`, not an overflow. No jitter: each caller is one loop per process, and the loops that
share a server (relays, consumers, sealers of several replicas) started at different times.
"""

from __future__ import annotations

MAX_STEP = 32


def delay(step: int, *, base: float, cap: float = float("inf")) -> float:
    """`base · 2^step` seconds, at most `cap`."""
    return min(base * 2.0 ** min(step, MAX_STEP), cap)
