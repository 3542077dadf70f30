"""Timing samples shared by the benchmark scripts."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


@dataclass
class Samples:
    """Timings of one measurement, in seconds, one per repeat."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)
