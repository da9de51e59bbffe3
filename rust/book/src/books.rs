//! Both venues' books and the spread between them: one call per frame, bytes in, the book's new state
//! and the best opportunity out.

use crate::book::Level;
use crate::feed::{Continuity, Decoded, Feed, Market, Outcome};
use crate::fixed::{decimals, format_units, parse_units, Grid, NumError, MAX_EXP};
use crate::spread::{
    best_execution, Execution, Fees, Sizing, Walk, FEE_EXP, FEE_SCALE, MIN_EDGE_EXP, VWAP_EXTRA_EXP,
};
use crate::{edgex, paradex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Venue {
    Edgex,
    Paradex,
}

impl Venue {
    pub fn as_str(self) -> &'static str {
        match self {
            Venue::Edgex => "edgex",
            Venue::Paradex => "paradex",
        }
    }

    pub fn parse(text: &str) -> Option<Venue> {
        match text {
            "edgex" => Some(Venue::Edgex),
            "paradex" => Some(Venue::Paradex),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    BuyEdgexSellParadex,
    BuyParadexSellEdgex,
}

impl Direction {
    pub const ALL: [Direction; 2] = [
        Direction::BuyEdgexSellParadex,
        Direction::BuyParadexSellEdgex,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::BuyEdgexSellParadex => "buy_edgex_sell_paradex",
            Direction::BuyParadexSellEdgex => "buy_paradex_sell_edgex",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn buy_venue(self) -> Venue {
        match self {
            Direction::BuyEdgexSellParadex => Venue::Edgex,
            Direction::BuyParadexSellEdgex => Venue::Paradex,
        }
    }

    pub fn sell_venue(self) -> Venue {
        match self {
            Direction::BuyEdgexSellParadex => Venue::Paradex,
            Direction::BuyParadexSellEdgex => Venue::Edgex,
        }
    }
}

/// A venue's market as decimal strings, as its metadata gives it.
#[derive(Debug, Clone, Copy)]
pub struct MarketText<'a> {
    pub name: &'a str,
    pub tick: &'a str,
    pub step: &'a str,
    pub min_size: &'a str,
    pub max_size: &'a str,
    pub taker_fee: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    pub edgex: MarketText<'a>,
    pub paradex: MarketText<'a>,
    /// The least net edge worth trading, in basis points (up to two decimals).
    pub min_edge_bps: &'a str,
    /// The largest size of one trade, in the base asset.
    pub max_size: &'a str,
    /// A book whose last applied frame is older than this is not traded on.
    pub max_age_ms: i64,
}

/// The exponents of the two books' common grids, to turn integers back into decimal strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scales {
    pub price_exp: u32,
    pub size_exp: u32,
}

impl Scales {
    pub fn price(&self, units: u64) -> String {
        format_units(units.into(), self.price_exp)
    }

    pub fn size(&self, units: u64) -> String {
        format_units(units.into(), self.size_exp)
    }

    pub fn vwap(&self, walk: &Walk) -> String {
        format_units(walk.vwap(), self.price_exp + VWAP_EXTRA_EXP)
    }

    pub fn edge_usd(&self, edge: i128) -> String {
        format_units(edge, self.price_exp + self.size_exp + FEE_EXP)
    }
}

/// Executing one direction at one size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub direction: Direction,
    pub execution: Execution,
}

/// What one frame did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub venue: Venue,
    pub outcome: Outcome,
    pub stale: bool,
    pub best_bid: Option<Level>,
    pub best_ask: Option<Level>,
    /// The best opportunity after an applied frame, when both books are fresh.
    pub opportunity: Option<Quote>,
}

#[derive(Debug)]
pub struct Books {
    edgex: Feed,
    paradex: Feed,
    edgex_fee: u64,
    paradex_fee: u64,
    sizing: Sizing,
    max_age_ms: i64,
    scales: Scales,
    /// The last execution found in each direction, indexed by [`Direction`]. A `Vec`, so that it can
    /// be taken out while the books are read at no cost.
    memos: Vec<Memo>,
}

/// One direction's last execution, kept with the levels it was found from. It depends on nothing
/// else, so it holds while they are unchanged: most deltas touch levels deeper than any walk reads.
#[derive(Debug, Default)]
struct Memo {
    /// The best levels that finding it read, of the buy venue's asks and the sell venue's bids.
    asks: Vec<Level>,
    bids: Vec<Level>,
    /// It read a side to the end, so a level added anywhere on that side could change it.
    asks_whole: bool,
    bids_whole: bool,
    execution: Option<Execution>,
    found: bool,
}

impl Memo {
    fn execution(
        &mut self,
        asks: &[Level],
        bids: &[Level],
        fees: Fees,
        sizing: Sizing,
    ) -> Option<Execution> {
        let holds = |read: &[Level], whole: bool, side: &[Level]| {
            if whole {
                side == read
            } else {
                side.starts_with(read)
            }
        };
        if !(self.found
            && holds(&self.asks, self.asks_whole, asks)
            && holds(&self.bids, self.bids_whole, bids))
        {
            let (execution, reach) = best_execution(asks, bids, fees, sizing);
            self.asks.clear();
            self.asks.extend_from_slice(&asks[..reach.asks]);
            self.bids.clear();
            self.bids.extend_from_slice(&bids[..reach.bids]);
            (self.asks_whole, self.bids_whole) =
                (reach.asks == asks.len(), reach.bids == bids.len());
            (self.execution, self.found) = (execution, true);
        }
        self.execution
    }
}

impl Books {
    /// Validates the config; every error names the field and the value.
    pub fn new(config: &Config) -> Result<Books, String> {
        let (e, p) = (config.edgex, config.paradex);
        let price_exp = exp_of("edgex tick", e.tick)?.max(exp_of("paradex tick", p.tick)?);
        let size_exp = exp_of("edgex step", e.step)?.max(exp_of("paradex step", p.step)?);
        let edgex = MarketLimits::parse("edgex", &e, price_exp, size_exp)?;
        let paradex = MarketLimits::parse("paradex", &p, price_exp, size_exp)?;
        let min_edge = match parse_units(config.min_edge_bps, MIN_EDGE_EXP) {
            Ok(n) if n <= MAX_MIN_EDGE => n,
            _ => {
                return Err(format!(
                    "min_edge_bps {:?} is not in [0, 10000] with at most {MIN_EDGE_EXP} decimals",
                    config.min_edge_bps
                ))
            }
        };
        let max_size = positive_units("max_size", config.max_size, size_exp)?;
        if config.max_age_ms < 0 {
            return Err(format!(
                "max_age_ms {} must not be negative",
                config.max_age_ms
            ));
        }
        // Both legs trade the same size, so it must sit on both venues' steps.
        let lot = lcm(edgex.market.size.increment, paradex.market.size.increment)
            .ok_or("the venues' steps have no common multiple in range")?;
        let min = edgex.min_size.max(paradex.min_size).max(lot).div_ceil(lot) * lot;
        let max = max_size.min(edgex.max_size).min(paradex.max_size) / lot * lot;
        if max < min {
            return Err(format!(
                "max_size {} is below the smallest size both venues accept ({})",
                config.max_size,
                format_units(min.into(), size_exp)
            ));
        }
        Ok(Books {
            edgex: Feed::new(edgex.market, Continuity::Versions),
            paradex: Feed::new(paradex.market, Continuity::Exact),
            edgex_fee: edgex.taker_fee,
            paradex_fee: paradex.taker_fee,
            sizing: Sizing {
                lot,
                min,
                max,
                min_edge,
            },
            max_age_ms: config.max_age_ms,
            scales: Scales {
                price_exp,
                size_exp,
            },
            memos: Direction::ALL.map(|_| Memo::default()).into(),
        })
    }

    pub fn scales(&self) -> Scales {
        self.scales
    }

    pub fn feed(&self, venue: Venue) -> &Feed {
        match venue {
            Venue::Edgex => &self.edgex,
            Venue::Paradex => &self.paradex,
        }
    }

    pub fn mark_stale(&mut self, venue: Venue) {
        self.feed_mut(venue).mark_stale();
    }

    fn feed_mut(&mut self, venue: Venue) -> &mut Feed {
        match venue {
            Venue::Edgex => &mut self.edgex,
            Venue::Paradex => &mut self.paradex,
        }
    }

    /// Applies one raw frame from `venue`'s socket. Never panics on any input.
    pub fn on_frame(&mut self, venue: Venue, frame: &[u8], now_ms: i64) -> Report {
        let feed = self.feed_mut(venue);
        let decode = match venue {
            Venue::Edgex => edgex::decode,
            Venue::Paradex => paradex::decode,
        };
        let outcome = match decode(frame, &feed.market, &mut feed.update) {
            Ok(Decoded::Book) => feed.apply(now_ms),
            Ok(Decoded::Other(other)) => Outcome::Other(other),
            Err(problem) => feed.reject(problem),
        };
        let (stale, book) = (feed.is_stale(), feed.book());
        let (best_bid, best_ask) = (book.best_bid(), book.best_ask());
        let opportunity = if outcome == Outcome::Applied {
            self.remembered_best(now_ms)
        } else {
            None
        };
        Report {
            venue,
            outcome,
            stale,
            best_bid,
            best_ask,
            opportunity,
        }
    }

    fn fees(&self, direction: Direction) -> Fees {
        match direction {
            Direction::BuyEdgexSellParadex => Fees {
                buy: self.edgex_fee,
                sell: self.paradex_fee,
            },
            Direction::BuyParadexSellEdgex => Fees {
                buy: self.paradex_fee,
                sell: self.edgex_fee,
            },
        }
    }

    fn sides(&self, direction: Direction, now_ms: i64) -> Option<(&[Level], &[Level])> {
        let (buy, sell) = (
            self.feed(direction.buy_venue()),
            self.feed(direction.sell_venue()),
        );
        let fresh = buy.is_fresh(now_ms, self.max_age_ms) && sell.is_fresh(now_ms, self.max_age_ms);
        fresh.then(|| (buy.book().asks(), sell.book().bids()))
    }

    /// The largest size in each direction with at least the minimum edge; the one with more edge
    /// in USD wins.
    pub fn best(&self, now_ms: i64) -> Option<Quote> {
        self.best_by(now_ms, |_, asks, bids, fees| {
            best_execution(asks, bids, fees, self.sizing).0
        })
    }

    /// [`Books::best`], reusing a direction's last execution while the levels it read are unchanged.
    fn remembered_best(&mut self, now_ms: i64) -> Option<Quote> {
        let mut memos = std::mem::take(&mut self.memos);
        let best = self.best_by(now_ms, |direction, asks, bids, fees| {
            match memos.get_mut(direction as usize) {
                Some(memo) => memo.execution(asks, bids, fees, self.sizing),
                None => best_execution(asks, bids, fees, self.sizing).0,
            }
        });
        self.memos = memos;
        best
    }

    /// The best of both directions, each direction's execution found by `find`.
    fn best_by(
        &self,
        now_ms: i64,
        mut find: impl FnMut(Direction, &[Level], &[Level], Fees) -> Option<Execution>,
    ) -> Option<Quote> {
        let mut best: Option<Quote> = None;
        for direction in Direction::ALL {
            let (asks, bids) = self.sides(direction, now_ms)?;
            let Some(execution) = find(direction, asks, bids, self.fees(direction)) else {
                continue;
            };
            if best.is_none_or(|b| execution.edge > b.execution.edge) {
                best = Some(Quote {
                    direction,
                    execution,
                });
            }
        }
        best
    }

    /// Executing `direction` at `size` (e.g. the reverse of an open pair, to close it); `None` when a
    /// book is stale or too old, or holds less than `size`.
    pub fn quote(&self, direction: Direction, size: u64, now_ms: i64) -> Option<Quote> {
        let (asks, bids) = self.sides(direction, now_ms)?;
        let execution = Execution::at(asks, bids, self.fees(direction), size)?;
        Some(Quote {
            direction,
            execution,
        })
    }

    /// Parses a size onto the common size grid.
    pub fn parse_size(&self, text: &str) -> Result<u64, String> {
        parse_units(text, self.scales.size_exp).map_err(|e| format!("size {text:?} {e}"))
    }
}

/// The most a minimum edge may be: 10,000 bps, in hundredths.
const MAX_MIN_EDGE: u64 = 1_000_000;

/// A venue's market on the common grids, with its limits.
struct MarketLimits {
    market: Market,
    min_size: u64,
    max_size: u64,
    taker_fee: u64,
}

impl MarketLimits {
    fn parse(venue: &str, m: &MarketText, price_exp: u32, size_exp: u32) -> Result<Self, String> {
        let tick = positive_units(&format!("{venue} tick"), m.tick, price_exp)?;
        let step = positive_units(&format!("{venue} step"), m.step, size_exp)?;
        let taker_fee = match parse_units(m.taker_fee, FEE_EXP) {
            Ok(n) if i128::from(n) < FEE_SCALE => n,
            _ => {
                return Err(format!(
                    "{venue} taker_fee {:?} is not in [0, 1) with at most {FEE_EXP} decimals",
                    m.taker_fee
                ))
            }
        };
        Ok(MarketLimits {
            market: Market {
                name: m.name.to_owned(),
                price: Grid {
                    exp: price_exp,
                    increment: tick,
                },
                size: Grid {
                    exp: size_exp,
                    increment: step,
                },
            },
            min_size: units(&format!("{venue} min_size"), m.min_size, size_exp)?,
            max_size: positive_units(&format!("{venue} max_size"), m.max_size, size_exp)?,
            taker_fee,
        })
    }
}

/// The decimals of a tick or step, which set the common grids.
fn exp_of(what: &str, text: &str) -> Result<u32, String> {
    match decimals(text) {
        Ok(exp) if exp <= MAX_EXP => Ok(exp),
        _ => Err(format!(
            "{what} {text:?} is not a decimal with at most {MAX_EXP} places"
        )),
    }
}

fn units(what: &str, text: &str, exp: u32) -> Result<u64, String> {
    parse_units(text, exp).map_err(|err| match err {
        NumError::OverPrecise => format!("{what} {text:?} is finer than the market's increments"),
        err => format!("{what} {text:?} {err}"),
    })
}

fn positive_units(what: &str, text: &str, exp: u32) -> Result<u64, String> {
    match units(what, text, exp)? {
        0 => Err(format!("{what} {text:?} must be positive")),
        n => Ok(n),
    }
}

fn lcm(a: u64, b: u64) -> Option<u64> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x)
        .checked_mul(b)
        .filter(|&n| n <= crate::fixed::MAX_UNITS)
}
