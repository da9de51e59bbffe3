//! The executable spread between two books, in exact integer arithmetic: buying walks the buy venue's
//! asks, selling walks the sell venue's bids, and each leg pays its venue's taker fee.
//!
//! Units: prices and sizes are counts of the books' common grids (`10^-price_exp`, `10^-size_exp`),
//! so a notional is in `10^-(price_exp + size_exp)` USD; fee rates are in `10^-FEE_EXP`; the minimum
//! edge is in hundredths of a basis point.

use crate::book::Level;

/// Fee rates are counted in millionths.
pub const FEE_EXP: u32 = 6;
pub const FEE_SCALE: i128 = 1_000_000;
/// The minimum edge is counted in hundredths of a basis point.
pub const MIN_EDGE_EXP: u32 = 2;
/// One (a ratio of 1) in hundredths of a basis point.
const EDGE_SCALE: i128 = 1_000_000;
/// Extra decimals of a VWAP beyond the price grid.
pub const VWAP_EXTRA_EXP: u32 = 4;

/// Taking `size` from one side of a book, best level first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    pub size: u64,
    /// Sum of price x size over the levels taken.
    pub notional: i128,
    /// The last (worst) level reached: the IOC limit price that fills the whole size.
    pub worst: u64,
}

impl Walk {
    /// `None` when the levels hold less than `size`, or `size` is zero.
    pub fn take(levels: &[Level], size: u64) -> Option<Walk> {
        let (mut left, mut notional) = (size, 0i128);
        for level in levels {
            let taken = left.min(level.size);
            notional += i128::from(level.price) * i128::from(taken);
            left -= taken;
            if left == 0 {
                return (size > 0).then_some(Walk {
                    size,
                    notional,
                    worst: level.price,
                });
            }
        }
        None
    }

    /// The volume-weighted average price, rounded half up, in `10^-(price_exp + VWAP_EXTRA_EXP)`.
    pub fn vwap(&self) -> i128 {
        let size = i128::from(self.size);
        (2 * self.notional * 10i128.pow(VWAP_EXTRA_EXP) + size) / (2 * size)
    }
}

/// Buying on one venue and selling on the other, both legs filled at `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Execution {
    pub buy: Walk,
    pub sell: Walk,
    /// Net of both taker fees, in `10^-(price_exp + size_exp + FEE_EXP)` USD.
    pub edge: i128,
}

impl Execution {
    pub fn at(asks: &[Level], bids: &[Level], fees: Fees, size: u64) -> Option<Execution> {
        let buy = Walk::take(asks, size)?;
        let sell = Walk::take(bids, size)?;
        let edge = sell.notional * (FEE_SCALE - i128::from(fees.sell))
            - buy.notional * (FEE_SCALE + i128::from(fees.buy));
        Some(Execution { buy, sell, edge })
    }

    /// The net edge relative to the buy notional, in basis points. Both operands are converted to
    /// f64 before one division, so any implementation doing the same gets the same bits.
    pub fn edge_bps(&self) -> f64 {
        (self.edge * 10_000) as f64 / (self.buy.notional * FEE_SCALE) as f64
    }
}

/// Taker fee rates of the buy and the sell venue, in `10^-FEE_EXP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fees {
    pub buy: u64,
    pub sell: u64,
}

/// What sizes may be traded: multiples of `lot`, from `min` to `max` (both multiples of `lot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizing {
    pub lot: u64,
    pub min: u64,
    pub max: u64,
    /// Hundredths of a basis point.
    pub min_edge: u64,
}

/// The largest allowed size whose net edge is at least `sizing.min_edge`, if any.
pub fn largest_size(asks: &[Level], bids: &[Level], fees: Fees, sizing: Sizing) -> Option<u64> {
    walk_sizes(asks, bids, fees, sizing).0
}

/// How many of each side's best levels a computation read: levels deeper than that cannot change
/// its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub asks: usize,
    pub bids: usize,
}

/// Executing one direction at its [`largest_size`], and how deep that read each side.
pub fn best_execution(
    asks: &[Level],
    bids: &[Level],
    fees: Fees,
    sizing: Sizing,
) -> (Option<Execution>, Reach) {
    let (size, reach) = walk_sizes(asks, bids, fees, sizing);
    // Both walks stop within the levels that finding the size read.
    (
        size.and_then(|size| Execution::at(asks, bids, fees, size)),
        reach,
    )
}

/// [`largest_size`], and the levels it read.
///
/// Net edge minus the minimum, `H(q) = sell(q)(1 - fee_s) - buy(q)(1 + fee_b + min_edge)`, is a sum
/// of per-unit margins that only shrink as the walk goes deeper (asks rise, bids fall). With
/// `H(0) = 0`, the sizes where `H >= 0` are one interval from zero, so its end is found in one walk
/// over the segments where both levels stay the same.
fn walk_sizes(asks: &[Level], bids: &[Level], fees: Fees, sizing: Sizing) -> (Option<u64>, Reach) {
    let sell_weight = EDGE_SCALE * (FEE_SCALE - i128::from(fees.sell));
    let buy_weight =
        EDGE_SCALE * (FEE_SCALE + i128::from(fees.buy)) + i128::from(sizing.min_edge) * FEE_SCALE;
    let (mut ask_levels, mut bid_levels) = (asks.iter(), bids.iter());
    let reach = |ask_levels: std::slice::Iter<Level>, bid_levels: std::slice::Iter<Level>| Reach {
        asks: asks.len() - ask_levels.len(),
        bids: bids.len() - bid_levels.len(),
    };
    let (Some(mut ask), Some(mut bid)) = (ask_levels.next(), bid_levels.next()) else {
        return (None, reach(ask_levels, bid_levels));
    };
    let (mut ask_left, mut bid_left) = (ask.size, bid.size);
    let (mut size, mut surplus) = (0u64, 0i128);
    while size < sizing.max {
        let segment = ask_left.min(bid_left).min(sizing.max - size);
        let margin = sell_weight * i128::from(bid.price) - buy_weight * i128::from(ask.price);
        // A losing segment that the surplus so far cannot pay for in full ends the walk where the
        // surplus runs out (the one division).
        if margin < 0 && surplus < -margin * i128::from(segment) {
            size += (surplus / -margin) as u64;
            break;
        }
        surplus += margin * i128::from(segment);
        size += segment;
        (ask_left, bid_left) = (ask_left - segment, bid_left - segment);
        if ask_left == 0 {
            let Some(next) = ask_levels.next() else { break };
            (ask, ask_left) = (next, next.size);
        }
        if bid_left == 0 {
            let Some(next) = bid_levels.next() else { break };
            (bid, bid_left) = (next, next.size);
        }
    }
    let size = size / sizing.lot * sizing.lot;
    (
        (size >= sizing.min).then_some(size),
        reach(ask_levels, bid_levels),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(pairs: &[(u64, u64)]) -> Vec<Level> {
        pairs
            .iter()
            .map(|&(price, size)| Level { price, size })
            .collect()
    }

    const NO_FEES: Fees = Fees { buy: 0, sell: 0 };
    const ANY: Sizing = Sizing {
        lot: 1,
        min: 1,
        max: 1_000,
        min_edge: 0,
    };

    #[test]
    fn walks_to_the_worst_level_reached() {
        let asks = levels(&[(100, 2), (101, 3)]);
        assert_eq!(
            Walk::take(&asks, 4),
            Some(Walk {
                size: 4,
                notional: 200 + 202,
                worst: 101
            })
        );
        assert_eq!(Walk::take(&asks, 2).map(|w| w.worst), Some(100));
        assert_eq!(Walk::take(&asks, 6), None);
        assert_eq!(Walk::take(&asks, 0), None);
        // 402 / 4 = 100.5, at four extra decimals
        assert_eq!(Walk::take(&asks, 4).unwrap().vwap(), 1_005_000);
    }

    #[test]
    fn edge_is_net_of_both_taker_fees() {
        // buy 1 at 100 (fee 1%), sell 1 at 110 (fee 2%): 110 * 0.98 - 100 * 1.01 = 6.8
        let fees = Fees {
            buy: 10_000,
            sell: 20_000,
        };
        let ex = Execution::at(&levels(&[(100, 1)]), &levels(&[(110, 1)]), fees, 1).unwrap();
        assert_eq!(ex.edge, 6_800_000);
        assert_eq!(ex.edge_bps(), 680.0);
    }

    #[test]
    fn takes_all_levels_while_the_edge_holds() {
        let asks = levels(&[(100, 2), (101, 2), (105, 10)]);
        let bids = levels(&[(104, 3), (103, 10)]);
        // 2@100 + 2@101 against 3@104 + 1@103 earn 2*4 + 1*3 + 1*2 = 13; each 105 ask against a 103 bid
        // loses 2, so 6 more units keep the edge at 13 - 12 = 1 >= 0, and a 7th would make it -1.
        assert_eq!(largest_size(&asks, &bids, NO_FEES, ANY), Some(10));
        assert_eq!(
            Execution::at(&asks, &bids, NO_FEES, 10).unwrap().edge,
            FEE_SCALE
        );
        assert_eq!(
            Execution::at(&asks, &bids, NO_FEES, 11).unwrap().edge,
            -FEE_SCALE
        );
    }

    #[test]
    fn respects_lot_min_max_and_depth() {
        let asks = levels(&[(100, 7)]);
        let bids = levels(&[(110, 50)]);
        assert_eq!(largest_size(&asks, &bids, NO_FEES, ANY), Some(7));
        assert_eq!(
            largest_size(
                &asks,
                &bids,
                NO_FEES,
                Sizing {
                    lot: 3,
                    min: 3,
                    ..ANY
                }
            ),
            Some(6)
        );
        assert_eq!(
            largest_size(
                &asks,
                &bids,
                NO_FEES,
                Sizing {
                    lot: 3,
                    min: 9,
                    max: 30,
                    min_edge: 0
                }
            ),
            None
        );
        assert_eq!(
            largest_size(&asks, &bids, NO_FEES, Sizing { max: 4, ..ANY }),
            Some(4)
        );
        assert_eq!(largest_size(&asks, &[], NO_FEES, ANY), None);
    }

    #[test]
    fn minimum_edge_is_measured_against_the_buy_notional() {
        let asks = levels(&[(10_000, 1), (10_005, 1)]);
        let bids = levels(&[(10_010, 5)]);
        // 10 bps on the first unit, 5 bps on the second: 15 / 20005 = 7.498 bps over both.
        let at = |bps: u64| {
            largest_size(
                &asks,
                &bids,
                NO_FEES,
                Sizing {
                    min_edge: bps,
                    ..ANY
                },
            )
        };
        assert_eq!(at(1000), Some(1));
        assert_eq!(at(749), Some(2));
        assert_eq!(at(750), Some(1));
        assert_eq!(at(1001), None);
    }

    #[test]
    fn no_size_when_the_books_do_not_cross_after_fees() {
        let asks = levels(&[(100, 5)]);
        let bids = levels(&[(100, 5)]);
        assert_eq!(largest_size(&asks, &bids, NO_FEES, ANY), Some(5));
        assert_eq!(
            largest_size(&asks, &bids, Fees { buy: 1, sell: 0 }, ANY),
            None
        );
    }
}
