//! EdgeX `quote-event` frames on `depth.{contractId}.{15|200}`, decoded straight from the frame bytes.
//!
//! `{"type":"quote-event","channel":"depth.10000001.15","content":{"channel":"depth.10000001.15",
//!   "dataType":"Changed","data":[{"startVersion":"7","endVersion":"9","level":15,"contractId":"10000001",
//!   "contractName":"BTCUSD","asks":[{"price":"122000.1","size":"0.5"}],"bids":[["121999.9","0"]],
//!   "depthType":"CHANGED"}]}}`

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use sonic_rs::LazyValue;

use crate::book::Side;
use crate::feed::{Decoded, Market, OtherFrame, Problem, Update};
use crate::json::{time_text, Obj, Text, Version};

/// The envelope, generic in what `content` is decoded as: first as depth, and only if that fails,
/// as anything, to tell other frames from malformed depth frames.
#[derive(Deserialize)]
struct Frame<'a, C> {
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    channel: Option<Text<'a>>,
    content: Option<C>,
    #[serde(borrow)]
    time: Option<LazyValue<'a>>,
}

/// What decides where a frame goes.
struct Route<'a> {
    kind: Option<Text<'a>>,
    channel: Option<Text<'a>>,
    time: Option<LazyValue<'a>>,
}

impl<'a, C> Frame<'a, C> {
    fn split(self) -> (Route<'a>, Option<C>) {
        (
            Route {
                kind: self.kind,
                channel: self.channel,
                time: self.time,
            },
            self.content,
        )
    }
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(rename = "dataType", borrow)]
    data_type: Option<Text<'a>>,
    #[serde(borrow)]
    data: Option<Vec<Obj<Entry<'a>>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "startVersion")]
    start: Option<Version>,
    #[serde(rename = "endVersion")]
    end: Option<Version>,
    #[serde(rename = "depthType", borrow)]
    depth_type: Option<Text<'a>>,
    #[serde(rename = "contractName", borrow)]
    contract: Option<Text<'a>>,
    #[serde(borrow, default)]
    asks: Vec<Level<'a>>,
    #[serde(borrow, default)]
    bids: Vec<Level<'a>>,
}

/// A level sent either as `{"price": .., "size": ..}` or as `[price, size]`.
struct Level<'a> {
    price: Text<'a>,
    size: Text<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Level<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LevelVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for LevelVisitor<'a> {
            type Value = Level<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a level: {\"price\", \"size\"} or [price, size]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let price = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let size = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(Level { price, size })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut price, mut size) = (None, None);
                while let Some(key) = map.next_key::<Text>()? {
                    match key.as_str() {
                        "price" if price.is_some() => {
                            return Err(de::Error::duplicate_field("price"))
                        }
                        "size" if size.is_some() => return Err(de::Error::duplicate_field("size")),
                        "price" => price = Some(map.next_value()?),
                        "size" => size = Some(map.next_value()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let price = price.ok_or_else(|| de::Error::missing_field("price"))?;
                let size = size.ok_or_else(|| de::Error::missing_field("size"))?;
                Ok(Level { price, size })
            }
        }
        deserializer.deserialize_any(LevelVisitor(PhantomData))
    }
}

const BOOK_CHANNEL: &str = "depth.";

/// Decodes one frame into `update` (a book frame) or names it (any other frame).
pub fn decode(bytes: &[u8], market: &Market, update: &mut Update) -> Result<Decoded, Problem> {
    update.clear();
    let (route, content) = match sonic_rs::from_slice::<Obj<Frame<Obj<Content>>>>(bytes) {
        Ok(Obj(frame)) => {
            let (route, content) = frame.split();
            (route, Ok(content))
        }
        Err(error) => match sonic_rs::from_slice::<Obj<Frame<IgnoredAny>>>(bytes) {
            Ok(Obj(frame)) => (frame.split().0, Err(error)),
            Err(_) => return Err(Problem::malformed(format!("bad frame: {error}"))),
        },
    };
    let Route {
        kind,
        channel,
        time,
    } = route;
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
    let content = content.map_err(|e| Problem::malformed(format!("bad content: {e}")))?;
    let Obj(content) = content.ok_or_else(|| Problem::malformed("missing field `content`"))?;
    let entries = match content.data {
        Some(entries) if !entries.is_empty() => entries,
        Some(_) => return Err(Problem::malformed("no depth entries in `data`")),
        None => return Err(Problem::malformed("missing field `data`")),
    };
    for Obj(entry) in &entries {
        let kind = entry
            .depth_type
            .as_ref()
            .or(content.data_type.as_ref())
            .map(Text::as_str);
        let snapshot = match kind {
            Some(k) if k.eq_ignore_ascii_case("snapshot") => true,
            Some(k) if k.eq_ignore_ascii_case("changed") => false,
            Some(k) => return Err(Problem::malformed(format!("unknown depth type {k:?}"))),
            None => return Err(Problem::malformed("missing field `dataType`")),
        };
        if let Some(name) = &entry.contract {
            if name.as_str() != market.name {
                return Err(Problem::malformed(format!(
                    "contract {:?} is not {:?}",
                    name.as_str(),
                    market.name
                )));
            }
        }
        let end = entry
            .end
            .ok_or_else(|| Problem::malformed("missing field `endVersion`"))?
            .0;
        let start = match entry.start {
            Some(Version(start)) if start > end => {
                return Err(Problem::malformed(format!(
                    "startVersion {start} is after endVersion {end}"
                )));
            }
            Some(Version(start)) => start,
            None if snapshot => end,
            None => return Err(Problem::malformed("missing field `startVersion`")),
        };
        for (levels, side) in [(&entry.asks, Side::Ask), (&entry.bids, Side::Bid)] {
            for level in levels {
                update.push_level(market, side, level.price.as_str(), level.size.as_str())?;
            }
        }
        update.end_entry(snapshot, start, end);
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
