"""The simulators' prices: a fair price shared by seed, and each venue's own noise and dislocations."""

from __future__ import annotations

from pyarb.sim.price import FairPrice, VenuePrice, venue_stream

T0 = 1_760_000_000.0  # an arbitrary wall-clock second


def _venue(seed: int, venue: str) -> VenuePrice:
    return VenuePrice(fair=FairPrice(venue_stream(seed, "BTC")), stream=venue_stream(seed, f"{venue}:BTC"))


def test_the_fair_price_is_a_function_of_seed_and_time_only() -> None:
    # two simulators built independently (two processes) agree at every instant
    a, b = FairPrice(seed=7), FairPrice(seed=7)
    times = [T0 + i * 0.37 for i in range(200)]
    assert [a.at(t) for t in times] == [b.at(t) for t in times]
    assert [FairPrice(seed=8).at(t) for t in times] != [a.at(t) for t in times]


def test_the_fair_price_wanders_around_its_base_without_jumps() -> None:
    fair = FairPrice(seed=1)
    prices = [fair.at(T0 + i * 0.05) for i in range(20 * 600)]  # ten minutes at 20 Hz
    assert all(110_000 < p < 134_000 for p in prices)
    assert max(prices) - min(prices) > 5  # it moves
    assert max(abs(b - a) for a, b in zip(prices, prices[1:])) < 20  # continuously


def test_two_venues_with_one_seed_differ_only_by_their_own_noise_and_dislocations() -> None:
    edgex, paradex = _venue(3, "edgex"), _venue(3, "paradex")
    dislocated = 0
    for i in range(20 * 600):
        t = T0 + i * 0.05
        gap = abs(edgex.at(t) - paradex.at(t))
        if edgex.dislocation_at(t) == 0 and paradex.dislocation_at(t) == 0:
            assert gap < 2 * edgex.noise_usd + 1e-9
        else:
            dislocated += 1
    assert dislocated > 0  # in ten minutes some arbitrage opened


def test_a_dislocation_lasts_seconds_and_is_sized_in_basis_points() -> None:
    venue = _venue(5, "paradex")
    lo_bps, hi_bps = venue.dislocation_bps
    runs: list[tuple[float, int]] = []  # (bps, length in 50 ms steps)
    steps_scanned = 20 * 1800
    for i in range(steps_scanned):
        bps = venue.dislocation_at(T0 + i * 0.05)
        if bps and runs and runs[-1][0] == bps:
            runs[-1] = (bps, runs[-1][1] + 1)
        elif bps:
            runs.append((bps, 1))
    # a run cut by either end of the scan is shorter than it really is
    if venue.dislocation_at(T0):
        runs.pop(0)
    if venue.dislocation_at(T0 + (steps_scanned - 1) * 0.05):
        runs.pop()
    assert runs
    for bps, steps in runs:
        assert lo_bps <= abs(bps) <= hi_bps
        assert venue.dislocation_secs[0] - 0.1 <= steps * 0.05 <= venue.dislocation_secs[1] + 0.1
