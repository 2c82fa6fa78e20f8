"""Run wrk and read its numbers (requests/s, p50, p99) from its `--latency` report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
HERE = Path(__file__).parent


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    timeouts: int = 0  # requests wrk gave up on (its --timeout, 2 s by default)

    def row(self) -> str:
        return f"{self.rps:10.0f} {self.p50_ms:8.2f} {self.p99_ms:8.2f}"


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()
    return float(value) * UNITS[unit]


def parse(output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    late = re.search(r"Socket errors:.*timeout (\d+)", output)
    return Result(rps, p50, p99, int(bad.group(1)) if bad else 0, int(late.group(1)) if late else 0)


def run(
    url: str,
    *,
    connections: int,
    seconds: int = 10,
    threads: int | None = None,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> Result:
    threads = threads or min(connections, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(HERE / script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse(out)
