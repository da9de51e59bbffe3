"""Where a simulated venue's mid price comes from.

The fair price is a pure function of ``(seed, wall-clock time)``: seeded value noise summed over octaves whose
amplitudes grow with the square root of their period, so it wanders like a random walk at every time scale. Being a
function of time rather than a stepped generator, two simulator processes started a moment apart with one seed see
the same fair price, without talking to each other.

Each venue then adds its own small noise and, now and then, a dislocation of some basis points lasting a few seconds,
both drawn from a stream keyed by the venue's name: that is what opens a cross-venue arbitrage.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass


def _uniform(*key: int) -> float:
    """A uniform number in [0, 1) that depends only on ``key``."""
    digest = hashlib.blake2b(struct.pack(f"<{len(key)}q", *key), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2.0**64


def _value_noise(stream: int, octave: int, x: float) -> float:
    """Smoothly interpolated random values at integer knots, in [-1, 1]."""
    knot = math.floor(x)
    frac = x - knot
    a = _uniform(stream, octave, knot) * 2.0 - 1.0
    b = _uniform(stream, octave, knot + 1) * 2.0 - 1.0
    smooth = frac * frac * (3.0 - 2.0 * frac)
    return a + (b - a) * smooth


def venue_stream(seed: int, venue: str) -> int:
    """The key of a venue's own random stream: the seed mixed with the venue's name."""
    digest = hashlib.blake2b(f"{seed}:{venue}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True, slots=True)
class FairPrice:
    """The fair price shared by every simulator started with ``seed``.

    ``vol`` is in USD per square root of a second; the octaves' periods are in seconds."""

    seed: int
    base: float = 122_000.0
    vol: float = 1.5
    periods: tuple[float, ...] = (1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0)

    def at(self, t: float) -> float:
        walk = 0.0
        for octave, period in enumerate(self.periods):
            walk += self.vol * math.sqrt(period) * _value_noise(self.seed, octave, t / period)
        return self.base + walk


@dataclass(frozen=True, slots=True)
class VenuePrice:
    """One venue's mid: the shared fair price, the venue's own noise, and its dislocations.

    Time is cut into windows of ``dislocation_every`` seconds; in each, with probability ``dislocation_chance``, the
    venue's mid is pushed by ``dislocation_bps`` (a range, either sign) for ``dislocation_secs`` (a range)."""

    fair: FairPrice
    stream: int
    noise_usd: float = 1.0
    dislocation_every: float = 12.0
    dislocation_chance: float = 0.7
    dislocation_bps: tuple[float, float] = (8.0, 20.0)
    dislocation_secs: tuple[float, float] = (2.0, 6.0)

    def at(self, t: float) -> float:
        fair = self.fair.at(t)
        fast, slow = _value_noise(self.stream, 0, t / 0.5), _value_noise(self.stream, 1, t / 3.0)
        noise = self.noise_usd * (0.7 * fast + 0.3 * slow)
        return fair + noise + fair * self.dislocation_at(t) / 10_000.0

    def dislocation_at(self, t: float) -> float:
        """The dislocation in force at ``t``, in basis points (0 most of the time)."""
        window = math.floor(t / self.dislocation_every)
        if _uniform(self.stream, 100, window) >= self.dislocation_chance:
            return 0.0
        lo_secs, hi_secs = self.dislocation_secs
        duration = lo_secs + (hi_secs - lo_secs) * _uniform(self.stream, 101, window)
        slack = self.dislocation_every - duration
        start = window * self.dislocation_every + slack * _uniform(self.stream, 102, window)
        if not start <= t < start + duration:
            return 0.0
        lo_bps, hi_bps = self.dislocation_bps
        size = lo_bps + (hi_bps - lo_bps) * _uniform(self.stream, 103, window)
        return size if _uniform(self.stream, 104, window) < 0.5 else -size
