//! L2 books built from the venues' raw websocket frames, and the executable cross-venue spread.
//!
//! Prices and sizes are integers on the two markets' common grids; every spread figure is exact
//! integer arithmetic, so the pure-Python reference (`pyarb/reference.py`) can agree to the unit.

pub mod book;
pub mod books;
mod edgex;
pub mod feed;
pub mod fixed;
mod json;
mod paradex;
pub mod spread;

pub use book::{Book, Level, Side};
pub use books::{Books, Config, Direction, MarketText, Quote, Report, Scales, Venue};
pub use feed::{OtherFrame, Outcome, Problem, Reason};
