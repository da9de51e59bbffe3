//! One L2 book: two sorted vectors of fixed-point levels, best first. A few dozen levels fit in a
//! couple of cache lines, so binary search plus a short memmove beats any tree here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Bid,
    Ask,
}

/// A price level, in the units of the books' common price and size grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub price: u64,
    pub size: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book {
    /// Highest price first.
    bids: Vec<Level>,
    /// Lowest price first.
    asks: Vec<Level>,
}

impl Book {
    pub fn bids(&self) -> &[Level] {
        &self.bids
    }

    pub fn asks(&self) -> &[Level] {
        &self.asks
    }

    pub fn best_bid(&self) -> Option<Level> {
        self.bids.first().copied()
    }

    pub fn best_ask(&self) -> Option<Level> {
        self.asks.first().copied()
    }

    /// Sets the absolute size at a price; a size of zero removes the level. Returns the size the
    /// level had (zero if there was none), which undoes the change when set back.
    pub fn set(&mut self, side: Side, price: u64, size: u64) -> u64 {
        let levels = match side {
            Side::Bid => &mut self.bids,
            Side::Ask => &mut self.asks,
        };
        let found = match side {
            Side::Bid => levels.binary_search_by(|l| price.cmp(&l.price)),
            Side::Ask => levels.binary_search_by(|l| l.price.cmp(&price)),
        };
        match (found, size) {
            (Ok(i), 0) => levels.remove(i).size,
            (Ok(i), _) => std::mem::replace(&mut levels[i].size, size),
            (Err(_), 0) => 0,
            (Err(i), _) => {
                levels.insert(i, Level { price, size });
                0
            }
        }
    }

    /// Replaces the book with `levels` given in any order: at a repeated price the last one
    /// counts, and a size of zero is no level. Sorting once beats inserting one by one.
    pub fn load(&mut self, levels: impl Iterator<Item = (Side, Level)>) {
        self.clear();
        for (side, level) in levels {
            match side {
                Side::Bid => self.bids.push(level),
                Side::Ask => self.asks.push(level),
            }
        }
        self.bids.sort_by_key(|l| std::cmp::Reverse(l.price));
        self.asks.sort_by_key(|l| l.price);
        for levels in [&mut self.bids, &mut self.asks] {
            // The sort is stable, so the last level at a price is the last of its run.
            levels.dedup_by(|later, kept| {
                let same = later.price == kept.price;
                if same {
                    kept.size = later.size;
                }
                same
            });
            levels.retain(|l| l.size > 0);
        }
    }

    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
    }

    /// Keeps only the best `depth` levels of each side.
    pub fn truncate(&mut self, depth: usize) {
        self.bids.truncate(depth);
        self.asks.truncate(depth);
    }

    /// The best bid and ask prices if the bid is at or above the ask: impossible in a venue's own
    /// book, so the feed is broken.
    pub fn crossing(&self) -> Option<(u64, u64)> {
        match (self.best_bid(), self.best_ask()) {
            (Some(bid), Some(ask)) if bid.price >= ask.price => Some((bid.price, ask.price)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(levels: &[Level]) -> Vec<u64> {
        levels.iter().map(|l| l.price).collect()
    }

    #[test]
    fn keeps_each_side_sorted_best_first() {
        let mut book = Book::default();
        for p in [10, 12, 11] {
            book.set(Side::Bid, p, 1);
            book.set(Side::Ask, p + 10, 1);
        }
        assert_eq!(prices(book.bids()), [12, 11, 10]);
        assert_eq!(prices(book.asks()), [20, 21, 22]);
        book.set(Side::Bid, 11, 5);
        assert_eq!(book.bids()[1], Level { price: 11, size: 5 });
        book.set(Side::Bid, 12, 0);
        book.set(Side::Ask, 99, 0);
        assert_eq!(prices(book.bids()), [11, 10]);
        assert_eq!(prices(book.asks()), [20, 21, 22]);
        book.truncate(1);
        assert_eq!(
            (prices(book.bids()), prices(book.asks())),
            (vec![11], vec![20])
        );
    }

    #[test]
    fn loads_levels_in_any_order_and_the_last_at_a_price_counts() {
        let mut book = Book::default();
        book.set(Side::Bid, 1, 1);
        let level = |price, size| Level { price, size };
        book.load(
            [
                (Side::Ask, level(12, 1)),
                (Side::Bid, level(9, 1)),
                (Side::Ask, level(11, 1)),
                (Side::Bid, level(10, 1)),
                (Side::Ask, level(12, 3)),
                (Side::Bid, level(10, 0)),
            ]
            .into_iter(),
        );
        assert_eq!(book.bids(), [level(9, 1)]);
        assert_eq!(book.asks(), [level(11, 1), level(12, 3)]);
    }

    #[test]
    fn a_bid_at_or_above_the_ask_is_crossed() {
        let mut book = Book::default();
        book.set(Side::Bid, 10, 1);
        assert_eq!(book.crossing(), None);
        book.set(Side::Ask, 11, 1);
        assert_eq!(book.crossing(), None);
        book.set(Side::Ask, 10, 1);
        assert_eq!(book.crossing(), Some((10, 10)));
    }
}
