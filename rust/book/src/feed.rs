//! One venue's feed: its book, where the book is in the venue's sequence, and whether it can be
//! trusted. The venue decoders turn a frame into an [`Update`]; [`Feed::apply`] applies it all or
//! nothing, so a gap, a crossed result or a malformed frame leaves the book exactly as it was.

use std::fmt;
use std::ops::Range;

use crate::book::{Book, Level, Side};
use crate::fixed::{format_units, Grid};

/// A venue's market, with its grids expressed in the two books' common units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    pub name: String,
    pub price: Grid,
    pub size: Grid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Malformed,
    Gap,
    Crossed,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::Gap => "gap",
            Reason::Crossed => "crossed",
        }
    }
}

/// Why a frame was rejected; the book is then stale until the next snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub reason: Reason,
    pub detail: String,
}

impl Problem {
    pub fn malformed(detail: impl Into<String>) -> Self {
        Problem {
            reason: Reason::Malformed,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.as_str(), self.detail)
    }
}

/// A frame that is not part of the book (ping, acknowledgement, ticker...), named so that Python can
/// route it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherFrame {
    /// The EdgeX `type` or the Paradex `method` ("result"/"error" for JSON-RPC replies).
    pub what: String,
    pub channel: Option<String>,
    /// The frame's `time` field, which a `pong` must echo.
    pub time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub side: Side,
    /// The absolute size at the price; zero removes the level.
    pub level: Level,
}

/// One snapshot or delta within a frame. Paradex frames hold one (`start == end == seq_no`);
/// EdgeX frames may hold several, each covering the versions `start..=end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub snapshot: bool,
    pub start: u64,
    pub end: u64,
    pub ops: Range<usize>,
}

/// A decoded book frame. Its buffers are reused from frame to frame.
#[derive(Debug, Default)]
pub struct Update {
    pub entries: Vec<Entry>,
    pub ops: Vec<Op>,
    /// The subscribed depth that the book is cut back to after the frame (EdgeX).
    pub depth: Option<usize>,
    /// EdgeX entries as read, checked once the whole frame is read (`dataType` may follow `data`).
    pub(crate) heads: Vec<crate::edgex::Head>,
}

impl Update {
    pub fn clear(&mut self) {
        self.entries.clear();
        self.ops.clear();
        self.depth = None;
        self.heads.clear();
    }
}

/// What a decoder made of a frame.
#[derive(Debug)]
pub enum Decoded {
    Book,
    Other(OtherFrame),
}

/// How a venue's deltas must follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    /// Each delta's number is exactly the previous one plus 1 (Paradex `seq_no`).
    Exact,
    /// Each delta covers versions `start..=end`: it must start at or before the previous end plus 1,
    /// and one that ends at or before the previous end is a harmless duplicate (EdgeX).
    Versions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// An EdgeX delta that the book already holds.
    Duplicate,
    /// A delta that arrived while the book is stale; only a snapshot can repair it.
    AwaitingSnapshot,
    Rejected(Problem),
    Other(OtherFrame),
}

#[derive(Debug)]
pub struct Feed {
    pub market: Market,
    book: Book,
    /// Where a frame holding a snapshot is built before it replaces `book`.
    scratch: Book,
    /// How to take back the deltas applied in place: (side, price, previous size).
    undo: Vec<(Side, u64, u64)>,
    stale: bool,
    version: u64,
    applied_at_ms: Option<i64>,
    continuity: Continuity,
    pub(crate) update: Update,
}

impl Feed {
    /// A feed starts stale: it has no book until its first snapshot.
    pub fn new(market: Market, continuity: Continuity) -> Self {
        Feed {
            market,
            book: Book::default(),
            scratch: Book::default(),
            undo: Vec::new(),
            stale: true,
            version: 0,
            applied_at_ms: None,
            continuity,
            update: Update::default(),
        }
    }

    pub fn book(&self) -> &Book {
        &self.book
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Not stale, and a frame was applied no more than `max_age_ms` before `now_ms`.
    pub fn is_fresh(&self, now_ms: i64, max_age_ms: i64) -> bool {
        !self.stale
            && self
                .applied_at_ms
                .is_some_and(|t| now_ms.saturating_sub(t) <= max_age_ms)
    }

    /// Applies the decoded frame in `self.update`, or rejects all of it and marks the book stale.
    pub fn apply(&mut self, now_ms: i64) -> Outcome {
        match self.apply_update() {
            Ok(outcome) => {
                if outcome == Outcome::Applied {
                    self.applied_at_ms = Some(now_ms);
                }
                outcome
            }
            Err(problem) => {
                self.stale = true;
                Outcome::Rejected(problem)
            }
        }
    }

    /// A decoder found the frame unusable: nothing is applied and the book becomes stale.
    pub fn reject(&mut self, problem: Problem) -> Outcome {
        self.stale = true;
        Outcome::Rejected(problem)
    }

    /// Deltas are applied in place and undone if the result is crossed. A frame that holds a
    /// snapshot is built aside and swapped in: its snapshot supersedes whatever came before it.
    fn apply_update(&mut self) -> Result<Outcome, Problem> {
        let in_place = !self.update.entries.iter().any(|e| e.snapshot);
        if !in_place {
            self.scratch.clear();
        }
        let book = if in_place {
            &mut self.book
        } else {
            &mut self.scratch
        };
        self.undo.clear();
        let undo = in_place.then_some(&mut self.undo);
        let applied = apply_entries(
            book,
            &self.update,
            self.continuity,
            self.stale,
            self.version,
            undo,
        );
        let problem = match applied {
            Ok(None) => {
                return Ok(if self.stale {
                    Outcome::AwaitingSnapshot
                } else {
                    Outcome::Duplicate
                });
            }
            Ok(Some(version)) => match book.crossing() {
                None => {
                    if let Some(depth) = self.update.depth {
                        book.truncate(depth);
                    }
                    if !in_place {
                        std::mem::swap(&mut self.book, &mut self.scratch);
                    }
                    (self.stale, self.version) = (false, version);
                    return Ok(Outcome::Applied);
                }
                Some((bid, ask)) => {
                    let exp = self.market.price.exp;
                    let (bid, ask) = (format_units(bid.into(), exp), format_units(ask.into(), exp));
                    Problem {
                        reason: Reason::Crossed,
                        detail: format!("best bid {bid} >= best ask {ask}"),
                    }
                }
            },
            Err(problem) => problem,
        };
        if in_place {
            for &(side, price, size) in self.undo.iter().rev() {
                self.book.set(side, price, size);
            }
        }
        Err(problem)
    }
}

/// Applies a frame's entries in order and returns the version reached, or `None` if every entry was
/// skipped (a duplicate, or a delta while the book awaits a snapshot). Each change is logged in
/// `undo` when given.
fn apply_entries(
    book: &mut Book,
    update: &Update,
    continuity: Continuity,
    mut stale: bool,
    mut version: u64,
    mut undo: Option<&mut Vec<(Side, u64, u64)>>,
) -> Result<Option<u64>, Problem> {
    let mut applied = false;
    for entry in &update.entries {
        let ops = &update.ops[entry.ops.clone()];
        if entry.snapshot {
            book.load(ops.iter().map(|op| (op.side, op.level)));
            (stale, version, applied) = (false, entry.end, true);
            continue;
        }
        if stale {
            continue;
        }
        match continuity {
            Continuity::Exact if Some(entry.start) != version.checked_add(1) => {
                return Err(Problem {
                    reason: Reason::Gap,
                    detail: format!("seq_no {} does not follow {}", entry.start, version),
                });
            }
            Continuity::Versions if entry.end <= version => continue,
            Continuity::Versions if entry.start > version.saturating_add(1) => {
                return Err(Problem {
                    reason: Reason::Gap,
                    detail: format!(
                        "startVersion {} does not follow endVersion {}",
                        entry.start, version
                    ),
                });
            }
            _ => {}
        }
        for op in ops {
            let before = book.set(op.side, op.level.price, op.level.size);
            if let Some(undo) = undo.as_deref_mut() {
                undo.push((op.side, op.level.price, before));
            }
        }
        (stale, version, applied) = (false, entry.end, true);
    }
    Ok(applied.then_some(version))
}
