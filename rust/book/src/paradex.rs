//! Paradex `order_book.{market}.*` notifications (JSON-RPC), decoded straight from the frame bytes.
//!
//! `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"order_book.BTC-USD-PERP.deltas",
//!   "data":{"seq_no":1,"market":"BTC-USD-PERP","last_updated_at":1,"update_type":"d",
//!   "inserts":[{"side":"BUY","price":"122000.1","size":"0.5"}],"updates":[],"deletes":[]}}}`

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::book::{Level, Side};
use crate::feed::{Decoded, Entry, Market, Op, OtherFrame, Problem, Update};
use crate::json::{decode_frame, fields, malformed, Keys, Nullable, Target, Text, Units, Version};

fields!(FrameField {
    Method = "method",
    Params = "params",
    Result = "result",
    Error = "error",
});
fields!(ParamsField {
    Channel = "channel",
    Data = "data",
});
fields!(DataField {
    SeqNo = "seq_no",
    Market = "market",
    UpdateType = "update_type",
    Inserts = "inserts",
    Updates = "updates",
    Deletes = "deletes",
});
fields!(LevelField {
    Side = "side",
    Price = "price",
    Size = "size",
});

/// What decides where a frame goes, and the header of its book update.
#[derive(Default)]
struct Frame<'a> {
    method: Option<Text<'a>>,
    channel: Option<Text<'a>>,
    result: bool,
    error: bool,
    data: Option<Head<'a>>,
}

/// `params.data` but its levels, which went straight into the update.
#[derive(Default)]
struct Head<'a> {
    seq_no: Option<u64>,
    market: Option<Text<'a>>,
    update_type: Option<Text<'a>>,
}

struct FrameSeed<'u>(Option<Target<'u>>);

impl<'de> DeserializeSeed<'de> for FrameSeed<'_> {
    type Value = Frame<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Frame<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FrameSeed<'_> {
    type Value = Frame<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Frame<'de>, A::Error> {
        let mut frame = Frame::default();
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match field {
                FrameField::Method => frame.method = map.next_value()?,
                FrameField::Params => {
                    let target = self.0.as_mut().map(Target::reborrow);
                    if let Some((channel, data)) = map.next_value_seed(Nullable(Params(target)))? {
                        (frame.channel, frame.data) = (channel, data);
                    }
                }
                FrameField::Result => {
                    frame.result = map.next_value::<Option<IgnoredAny>>()?.is_some();
                }
                FrameField::Error => {
                    frame.error = map.next_value::<Option<IgnoredAny>>()?.is_some();
                }
            }
        }
        Ok(frame)
    }
}

struct Params<'u>(Option<Target<'u>>);

impl<'de> DeserializeSeed<'de> for Params<'_> {
    type Value = (Option<Text<'de>>, Option<Head<'de>>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Params<'_> {
    type Value = (Option<Text<'de>>, Option<Head<'de>>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut channel, mut data) = (None, None);
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match (field, self.0.as_mut()) {
                (ParamsField::Channel, _) => channel = map.next_value()?,
                (ParamsField::Data, Some(target)) => {
                    data = map.next_value_seed(Nullable(Data(target.reborrow())))?;
                }
                (ParamsField::Data, None) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((channel, data))
    }
}

struct Data<'u>(Target<'u>);

impl<'de> DeserializeSeed<'de> for Data<'_> {
    type Value = Head<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Head<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Data<'_> {
    type Value = Head<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head<'de>, A::Error> {
        let Target { market, update } = self.0;
        let ops = &mut update.ops;
        let mut head = Head::default();
        // Where the inserts, updates and deletes landed in `ops`.
        let mut lists: [Range<usize>; 3] = Default::default();
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            let list = match field {
                DataField::SeqNo => {
                    head.seq_no = map.next_value::<Option<Version>>()?.map(|v| v.0);
                    continue;
                }
                DataField::Market => {
                    head.market = map.next_value()?;
                    continue;
                }
                DataField::UpdateType => {
                    head.update_type = map.next_value()?;
                    continue;
                }
                DataField::Inserts => 0,
                DataField::Updates => 1,
                DataField::Deletes => 2,
            };
            let start = ops.len();
            map.next_value_seed(Levels {
                market,
                ops: &mut *ops,
                removes: list == 2,
            })?;
            lists[list] = start..ops.len();
        }
        // Inserts, then updates, then deletes, whatever order the keys came in: at a price repeated
        // across the lists, that order decides which size is left.
        let in_order = lists
            .iter()
            .filter(|r| !r.is_empty())
            .is_sorted_by_key(|r| r.start);
        if !in_order {
            let first = lists.iter().map(|r| r.start).min().unwrap_or(0);
            let ordered: Vec<Op> = lists
                .iter()
                .flat_map(|r| ops[r.clone()].iter().copied())
                .collect();
            ops.truncate(first);
            ops.extend(ordered);
        }
        Ok(head)
    }
}

/// One of `inserts`, `updates` or `deletes`: each level is appended to `ops` as it is read.
struct Levels<'u> {
    market: &'u Market,
    ops: &'u mut Vec<Op>,
    removes: bool,
}

impl<'de> DeserializeSeed<'de> for Levels<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Levels<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of levels")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let level = LevelSeed {
            market: self.market,
            removes: self.removes,
        };
        while let Some(op) = seq.next_element_seed(level)? {
            self.ops.push(op);
        }
        Ok(())
    }
}

/// `{"side", "price", "size"}`; a delete's size is checked, then the level removed.
#[derive(Clone, Copy)]
struct LevelSeed<'m> {
    market: &'m Market,
    removes: bool,
}

impl<'de> DeserializeSeed<'de> for LevelSeed<'_> {
    type Value = Op;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Op, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LevelSeed<'_> {
    type Value = Op;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a level {\"side\", \"price\", \"size\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Op, A::Error> {
        let (mut side, mut price, mut size) = (None, None, None);
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match field {
                LevelField::Side => side = Some(map.next_value_seed(SideSeed)?),
                LevelField::Price => {
                    price = Some(map.next_value_seed(Units::Price(self.market.price))?)
                }
                LevelField::Size => {
                    size = Some(map.next_value_seed(Units::Size(self.market.size))?)
                }
            }
        }
        let side = side.ok_or_else(|| de::Error::missing_field("side"))?;
        let price = price.ok_or_else(|| de::Error::missing_field("price"))?;
        let size = size.ok_or_else(|| de::Error::missing_field("size"))?;
        let size = if self.removes { 0 } else { size };
        Ok(Op {
            side,
            level: Level { price, size },
        })
    }
}

struct SideSeed;

impl<'de> DeserializeSeed<'de> for SideSeed {
    type Value = Side;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Side, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for SideSeed {
    type Value = Side;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"BUY\" or \"SELL\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Side, E> {
        match v {
            "BUY" => Ok(Side::Bid),
            "SELL" => Ok(Side::Ask),
            other => Err(E::custom(format!("unknown side {other:?}"))),
        }
    }
}

const BOOK_CHANNEL: &str = "order_book.";

/// Decodes one frame into `update` (a book frame) or names it (any other frame).
pub fn decode(bytes: &[u8], market: &Market, update: &mut Update) -> Result<Decoded, Problem> {
    update.clear();
    let first = decode_frame(bytes, FrameSeed(Some(Target { market, update })));
    let (frame, data) = match first {
        Ok(mut frame) => {
            let data = frame.data.take();
            (frame, Ok(data))
        }
        Err(error) => match decode_frame(bytes, FrameSeed(None)) {
            Ok(frame) => (frame, Err(error)),
            Err(_) => return Err(malformed("bad frame", &error)),
        },
    };
    let Frame {
        method,
        channel,
        result,
        error,
        ..
    } = frame;
    let is_book = method
        .as_ref()
        .is_some_and(|m| m.as_str() == "subscription")
        && channel
            .as_ref()
            .is_some_and(|c| c.as_str().starts_with(BOOK_CHANNEL));
    if !is_book {
        let what = match (method, result, error) {
            (Some(method), _, _) => method.0.into_owned(),
            (None, true, _) => "result".to_owned(),
            (None, false, true) => "error".to_owned(),
            (None, false, false) => "unknown".to_owned(),
        };
        return Ok(Decoded::Other(OtherFrame {
            what,
            channel: channel.map(|c| c.0.into_owned()),
            time: None,
        }));
    }
    let data = data.map_err(|e| malformed("bad data", &e))?;
    let data = data.ok_or_else(|| Problem::malformed("missing field `data`"))?;
    let seq_no = data
        .seq_no
        .ok_or_else(|| Problem::malformed("missing field `seq_no`"))?;
    match data.market {
        None => return Err(Problem::malformed("missing field `market`")),
        Some(m) if m.as_str() != market.name => {
            return Err(Problem::malformed(format!(
                "market {:?} is not {:?}",
                m.as_str(),
                market.name
            )));
        }
        Some(_) => {}
    }
    let snapshot = match data.update_type.as_ref().map(Text::as_str) {
        Some("s") => true,
        Some("d") => false,
        Some(other) => return Err(Problem::malformed(format!("unknown update_type {other:?}"))),
        None => return Err(Problem::malformed("missing field `update_type`")),
    };
    update.entries.push(Entry {
        snapshot,
        start: seq_no,
        end: seq_no,
        ops: 0..update.ops.len(),
    });
    Ok(Decoded::Book)
}
