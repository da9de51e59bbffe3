//! Paradex `order_book.{market}.*` notifications (JSON-RPC), decoded straight from the frame bytes.
//!
//! `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"order_book.BTC-USD-PERP.deltas",
//!   "data":{"seq_no":1,"market":"BTC-USD-PERP","last_updated_at":1,"update_type":"d",
//!   "inserts":[{"side":"BUY","price":"122000.1","size":"0.5"}],"updates":[],"deletes":[]}}}`

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::book::Side;
use crate::feed::{Decoded, Market, OtherFrame, Problem, Update};
use crate::json::{Obj, Text, Version};

/// The JSON-RPC envelope, generic in what `params.data` is decoded as: first as a book update, and
/// only if that fails, as anything, to tell other frames from malformed book frames.
#[derive(Deserialize)]
struct Frame<'a, D> {
    #[serde(borrow)]
    method: Option<Text<'a>>,
    #[serde(borrow)]
    params: Option<Obj<Params<'a, D>>>,
    result: Option<IgnoredAny>,
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Params<'a, D> {
    #[serde(borrow)]
    channel: Option<Text<'a>>,
    data: Option<D>,
}

/// What decides where a frame goes.
struct Route<'a> {
    method: Option<Text<'a>>,
    channel: Option<Text<'a>>,
    result: bool,
    error: bool,
}

impl<'a, D> Frame<'a, D> {
    fn split(self) -> (Route<'a>, Option<D>) {
        let (channel, data) = self
            .params
            .map_or((None, None), |Obj(p)| (p.channel, p.data));
        let route = Route {
            method: self.method,
            channel,
            result: self.result.is_some(),
            error: self.error.is_some(),
        };
        (route, data)
    }
}

#[derive(Deserialize)]
struct Data<'a> {
    seq_no: Option<Version>,
    #[serde(borrow)]
    market: Option<Text<'a>>,
    #[serde(borrow)]
    update_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    inserts: Vec<Obj<Level<'a>>>,
    #[serde(borrow, default)]
    updates: Vec<Obj<Level<'a>>>,
    #[serde(borrow, default)]
    deletes: Vec<Obj<Level<'a>>>,
}

#[derive(Deserialize)]
struct Level<'a> {
    #[serde(borrow)]
    side: Text<'a>,
    #[serde(borrow)]
    price: Text<'a>,
    #[serde(borrow)]
    size: Text<'a>,
}

const BOOK_CHANNEL: &str = "order_book.";

/// Decodes one frame into `update` (a book frame) or names it (any other frame).
pub fn decode(bytes: &[u8], market: &Market, update: &mut Update) -> Result<Decoded, Problem> {
    update.clear();
    let (route, data) = match sonic_rs::from_slice::<Obj<Frame<Obj<Data>>>>(bytes) {
        Ok(Obj(frame)) => {
            let (route, data) = frame.split();
            (route, Ok(data))
        }
        Err(error) => match sonic_rs::from_slice::<Obj<Frame<IgnoredAny>>>(bytes) {
            Ok(Obj(frame)) => (frame.split().0, Err(error)),
            Err(_) => return Err(Problem::malformed(format!("bad frame: {error}"))),
        },
    };
    let Route {
        method,
        channel,
        result,
        error,
    } = route;
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
    let data = data.map_err(|e| Problem::malformed(format!("bad data: {e}")))?;
    let Obj(data) = data.ok_or_else(|| Problem::malformed("missing field `data`"))?;
    let seq_no = data
        .seq_no
        .ok_or_else(|| Problem::malformed("missing field `seq_no`"))?
        .0;
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
    for (levels, removes) in [
        (&data.inserts, false),
        (&data.updates, false),
        (&data.deletes, true),
    ] {
        for Obj(level) in levels {
            let side = match level.side.as_str() {
                "BUY" => Side::Bid,
                "SELL" => Side::Ask,
                other => return Err(Problem::malformed(format!("unknown side {other:?}"))),
            };
            update.push_level(market, side, level.price.as_str(), level.size.as_str())?;
            if removes {
                update.remove_last();
            }
        }
    }
    update.end_entry(snapshot, seq_no, seq_no);
    Ok(Decoded::Book)
}
