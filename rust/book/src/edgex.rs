//! EdgeX `quote-event` frames on `depth.{contractId}.{15|200}`, decoded straight from the frame bytes.
//!
//! `{"type":"quote-event","channel":"depth.10000001.15","content":{"channel":"depth.10000001.15",
//!   "dataType":"Changed","data":[{"startVersion":"7","endVersion":"9","level":15,"contractId":"10000001",
//!   "contractName":"BTCUSD","asks":[{"price":"122000.1","size":"0.5"}],"bids":[["121999.9","0"]],
//!   "depthType":"CHANGED"}]}}`

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sonic_rs::LazyValue;

use crate::book::{Level, Side};
use crate::feed::{Decoded, Entry, Market, Op, OtherFrame, Problem, Update};
use crate::json::{
    decode_frame, fields, malformed, time_text, Keys, Nullable, Target, Text, Units, Version,
};

fields!(FrameField {
    Kind = "type",
    Channel = "channel",
    Content = "content",
    Time = "time",
});
fields!(ContentField {
    DataType = "dataType",
    Data = "data",
});
fields!(EntryField {
    Start = "startVersion",
    End = "endVersion",
    DepthType = "depthType",
    Contract = "contractName",
    Asks = "asks",
    Bids = "bids",
});
fields!(LevelField {
    Price = "price",
    Size = "size",
});

/// What decides where a frame goes, and the header of its depth content.
#[derive(Default)]
struct Frame<'a> {
    kind: Option<Text<'a>>,
    channel: Option<Text<'a>>,
    time: Option<LazyValue<'a>>,
    content: Option<Content<'a>>,
}

/// `content` but its entries, which went into the update.
struct Content<'a> {
    data_type: Option<Text<'a>>,
    /// `data` was there and not null.
    has_data: bool,
}

/// An entry of `data` but its levels, which went into the update. Checked once the whole frame is
/// read: `dataType` may follow `data`.
#[derive(Debug, Default)]
pub(crate) struct Head {
    start: Option<u64>,
    end: Option<u64>,
    depth_type: Option<DepthType>,
    /// `contractName` when it is not the market's.
    foreign_contract: Option<String>,
    /// Where the entry's levels end in the update's ops.
    ops_end: usize,
}

#[derive(Debug)]
enum DepthType {
    Snapshot,
    Changed,
    Unknown(String),
}

impl DepthType {
    /// In any letter case.
    fn of(text: &str) -> DepthType {
        if text.eq_ignore_ascii_case("snapshot") {
            DepthType::Snapshot
        } else if text.eq_ignore_ascii_case("changed") {
            DepthType::Changed
        } else {
            DepthType::Unknown(text.to_owned())
        }
    }
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
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Frame<'de>, A::Error> {
        let mut frame = Frame::default();
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match (field, self.0.as_mut()) {
                (FrameField::Kind, _) => frame.kind = map.next_value()?,
                (FrameField::Channel, _) => frame.channel = map.next_value()?,
                (FrameField::Time, _) => frame.time = map.next_value()?,
                (FrameField::Content, Some(target)) => {
                    let content = ContentSeed(target.reborrow());
                    frame.content = map.next_value_seed(Nullable(content))?;
                }
                (FrameField::Content, None) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(frame)
    }
}

struct ContentSeed<'u>(Target<'u>);

impl<'de> DeserializeSeed<'de> for ContentSeed<'_> {
    type Value = Content<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Content<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ContentSeed<'_> {
    type Value = Content<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Content<'de>, A::Error> {
        let (mut data_type, mut has_data) = (None, false);
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match field {
                ContentField::DataType => data_type = map.next_value()?,
                ContentField::Data => {
                    let entries = Entries(self.0.reborrow());
                    has_data = map.next_value_seed(Nullable(entries))?.is_some();
                }
            }
        }
        Ok(Content {
            data_type,
            has_data,
        })
    }
}

/// `data`: each entry's levels go to the update's ops, and its head to the update's heads.
struct Entries<'u>(Target<'u>);

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of depth entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Target { market, update } = self.0;
        while let Some(head) = seq.next_element_seed(EntrySeed {
            market,
            ops: &mut update.ops,
        })? {
            update.heads.push(head);
        }
        Ok(())
    }
}

struct EntrySeed<'u> {
    market: &'u Market,
    ops: &'u mut Vec<Op>,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = Head;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Head, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = Head;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a depth entry")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match field {
                EntryField::Start => {
                    head.start = map.next_value::<Option<Version>>()?.map(|v| v.0);
                }
                EntryField::End => head.end = map.next_value::<Option<Version>>()?.map(|v| v.0),
                EntryField::DepthType => {
                    let text: Option<Text> = map.next_value()?;
                    head.depth_type = text.map(|t| DepthType::of(t.as_str()));
                }
                EntryField::Contract => {
                    let name: Option<Text> = map.next_value()?;
                    head.foreign_contract = name
                        .filter(|n| n.as_str() != self.market.name)
                        .map(|n| n.0.into_owned());
                }
                EntryField::Asks | EntryField::Bids => {
                    let side = match field {
                        EntryField::Asks => Side::Ask,
                        _ => Side::Bid,
                    };
                    map.next_value_seed(Levels {
                        market: self.market,
                        side,
                        ops: &mut *self.ops,
                    })?;
                }
            }
        }
        head.ops_end = self.ops.len();
        Ok(head)
    }
}

/// `asks` or `bids`: each level is appended to `ops` as it is read.
struct Levels<'u> {
    market: &'u Market,
    side: Side,
    ops: &'u mut Vec<Op>,
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
        while let Some(level) = seq.next_element_seed(LevelSeed(self.market))? {
            self.ops.push(Op {
                side: self.side,
                level,
            });
        }
        Ok(())
    }
}

/// A level sent either as `{"price": .., "size": ..}` or as `[price, size]`.
#[derive(Clone, Copy)]
struct LevelSeed<'m>(&'m Market);

impl<'de> DeserializeSeed<'de> for LevelSeed<'_> {
    type Value = Level;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Level, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LevelSeed<'_> {
    type Value = Level;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a level: {\"price\", \"size\"} or [price, size]")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Level, A::Error> {
        let price = seq
            .next_element_seed(Units::Price(self.0.price))?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let size = seq
            .next_element_seed(Units::Size(self.0.size))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(Level { price, size })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Level, A::Error> {
        let (mut price, mut size) = (None, None);
        let mut keys = Keys::new();
        while let Some(field) = keys.next(&mut map)? {
            match field {
                LevelField::Price => price = Some(map.next_value_seed(Units::Price(self.0.price))?),
                LevelField::Size => size = Some(map.next_value_seed(Units::Size(self.0.size))?),
            }
        }
        let price = price.ok_or_else(|| de::Error::missing_field("price"))?;
        let size = size.ok_or_else(|| de::Error::missing_field("size"))?;
        Ok(Level { price, size })
    }
}

const BOOK_CHANNEL: &str = "depth.";

/// Decodes one frame into `update` (a book frame) or names it (any other frame).
pub fn decode(bytes: &[u8], market: &Market, update: &mut Update) -> Result<Decoded, Problem> {
    update.clear();
    let first = decode_frame(bytes, FrameSeed(Some(Target { market, update })));
    let (frame, content) = match first {
        Ok(mut frame) => {
            let content = frame.content.take();
            (frame, Ok(content))
        }
        Err(error) => match decode_frame(bytes, FrameSeed(None)) {
            Ok(frame) => (frame, Err(error)),
            Err(_) => return Err(malformed("bad frame", &error)),
        },
    };
    let Frame {
        kind,
        channel,
        time,
        ..
    } = frame;
    let channel_text = channel.as_ref().map_or("", Text::as_str);
    let is_book = kind.as_ref().is_some_and(|k| k.as_str() == "quote-event")
        && channel_text.starts_with(BOOK_CHANNEL);
    if !is_book {
        return Ok(Decoded::Other(OtherFrame {
            what: kind.map_or_else(|| "unknown".to_owned(), |k| k.0.into_owned()),
            channel: channel.map(|c| c.0.into_owned()),
            time: time.and_then(time_text),
        }));
    }
    update.depth = Some(subscribed_depth(channel_text)?);
    let content = content.map_err(|e| malformed("bad content", &e))?;
    let content = content.ok_or_else(|| Problem::malformed("missing field `content`"))?;
    if !content.has_data {
        return Err(Problem::malformed("missing field `data`"));
    }
    if update.heads.is_empty() {
        return Err(Problem::malformed("no depth entries in `data`"));
    }
    // `dataType` counts for the entries without a `depthType` of their own, if any.
    let mut data_type = None;
    let mut first_op = 0;
    for head in &update.heads {
        let kind = match &head.depth_type {
            Some(kind) => Some(kind),
            None => data_type
                .get_or_insert_with(|| {
                    content
                        .data_type
                        .as_ref()
                        .map(|t| DepthType::of(t.as_str()))
                })
                .as_ref(),
        };
        let snapshot = match kind {
            Some(DepthType::Snapshot) => true,
            Some(DepthType::Changed) => false,
            Some(DepthType::Unknown(k)) => {
                return Err(Problem::malformed(format!("unknown depth type {k:?}")))
            }
            None => return Err(Problem::malformed("missing field `dataType`")),
        };
        if let Some(name) = &head.foreign_contract {
            return Err(Problem::malformed(format!(
                "contract {name:?} is not {:?}",
                market.name
            )));
        }
        let end = head
            .end
            .ok_or_else(|| Problem::malformed("missing field `endVersion`"))?;
        let start = match head.start {
            Some(start) if start > end => {
                return Err(Problem::malformed(format!(
                    "startVersion {start} is after endVersion {end}"
                )));
            }
            Some(start) => start,
            None if snapshot => end,
            None => return Err(Problem::malformed("missing field `startVersion`")),
        };
        update.entries.push(Entry {
            snapshot,
            start,
            end,
            ops: first_op..head.ops_end,
        });
        first_op = head.ops_end;
    }
    Ok(Decoded::Book)
}

/// The most levels a depth channel may ask for (EdgeX offers 15 and 200).
const MAX_DEPTH: usize = 1000;

/// The depth in `depth.{contractId}.{depth}`.
fn subscribed_depth(channel: &str) -> Result<usize, Problem> {
    match channel.rsplit_once('.') {
        Some((head, depth))
            if head.matches('.').count() == 1
                && !depth.is_empty()
                && depth.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match depth.parse() {
                Ok(n @ 1..=MAX_DEPTH) => Ok(n),
                _ => Err(Problem::malformed(format!(
                    "depth {depth} in channel {channel:?} is out of range"
                ))),
            }
        }
        _ => Err(Problem::malformed(format!(
            "no depth in channel {channel:?}"
        ))),
    }
}
