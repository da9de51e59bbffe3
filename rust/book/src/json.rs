//! Serde pieces shared by the venue decoders. A frame is decoded in one pass straight from its
//! bytes: keys are matched without copying, strings are borrowed unless they hold escapes, and the
//! levels are parsed onto the market's grids as they are read, into the feed's update buffer.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use sonic_rs::{JsonValueTrait, LazyValue};

use crate::feed::{Market, Problem, Update};
use crate::fixed::Grid;

/// Decodes a whole frame with `seed`: one JSON value, then nothing but whitespace.
pub fn decode_frame<'de, S: DeserializeSeed<'de>>(
    bytes: &'de [u8],
    seed: S,
) -> sonic_rs::Result<S::Value> {
    check_nesting(bytes)?;
    // `from_slice` checks that the bytes are UTF-8.
    let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A frame that could not be decoded. sonic-rs follows its message with an excerpt of the frame
/// over more lines; the message and the position are enough for one line of log.
pub fn malformed(what: &str, error: &sonic_rs::Error) -> Problem {
    let text = error.to_string();
    let message = text.lines().next().unwrap_or_default();
    Problem::malformed(format!("{what}: {message}"))
}

/// The deepest a frame may nest arrays and objects: orjson's limit, so the reference agrees. sonic-rs
/// limits depth only where it decodes into a type; it skips the values a decoder ignores by
/// recursion, which a frame nested some tens of thousands deep takes past the end of the stack: an
/// abort, not an error.
const MAX_NESTING: usize = 1024;

fn check_nesting(bytes: &[u8]) -> sonic_rs::Result<()> {
    // Each level takes a byte, and opens with a bracket: a frame that is short, or has few opening
    // brackets, cannot nest too deep. That settles almost every frame without the exact count:
    // deltas at once, snapshots in one vectorised pass (`[` and `{` are the only bytes that are `{`
    // with bit 5 set, and a chunk of at most 255 bytes counts in a `u8`).
    if bytes.len() <= MAX_NESTING {
        return Ok(());
    }
    let opening: usize = bytes
        .chunks(255)
        .map(|chunk| {
            let count = chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from(b | 0x20 == b'{'));
            usize::from(count)
        })
        .sum();
    if opening <= MAX_NESTING || nesting(bytes) <= MAX_NESTING {
        return Ok(());
    }
    Err(de::Error::custom(format_args!(
        "arrays and objects nest deeper than {MAX_NESTING}"
    )))
}

/// How deep arrays and objects nest, brackets in strings aside. Malformed JSON gives some depth or
/// other; the parser rejects it afterwards.
fn nesting(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// What a frame's first reading decodes the book update into. If that reading fails, a second one
/// skips the update, only to tell other frames from malformed book frames.
pub struct Target<'u> {
    pub market: &'u Market,
    pub update: &'u mut Update,
}

impl Target<'_> {
    pub fn reborrow(&mut self) -> Target<'_> {
        Target {
            market: self.market,
            update: &mut *self.update,
        }
    }
}

/// A JSON string, borrowed from the frame unless it had to be unescaped.
#[derive(Debug, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sequence number or version, sent as a JSON integer or as a string of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub u64);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VersionVisitor;
        impl Visitor<'_> for VersionVisitor {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer or a string of digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Version(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let digits = v.bytes().try_fold(0u64, |n, b| {
                    let digit = b.wrapping_sub(b'0');
                    (digit < 10)
                        .then(|| n.checked_mul(10)?.checked_add(u64::from(digit)))
                        .flatten()
                });
                match digits {
                    Some(n) if !v.is_empty() => Ok(Version(n)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(VersionVisitor)
    }
}

/// A `time` field as text: a string's contents or an integer's digits; anything else is no time.
pub fn time_text(raw: LazyValue<'_>) -> Option<String> {
    if raw.is_str() {
        raw.as_str().map(str::to_owned)
    } else if raw.is_number() {
        raw.as_raw_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-')
            .then(|| raw.as_raw_str().to_owned())
    } else {
        None
    }
}

/// The keys a decoder knows in one kind of JSON object; declared with [`fields!`].
pub trait Fields: Copy {
    fn parse(key: &str) -> Option<Self>;
    fn name(self) -> &'static str;
    /// A distinct bit per field, to catch a repeated key.
    fn bit(self) -> u32;
}

/// Declares an enum of the keys a decoder reads in one kind of object.
macro_rules! fields {
    ($name:ident { $($field:ident = $key:literal),+ $(,)? }) => {
        #[derive(Clone, Copy)]
        enum $name {
            $($field),+
        }

        impl $crate::json::Fields for $name {
            fn parse(key: &str) -> Option<Self> {
                match key {
                    $($key => Some($name::$field),)+
                    _ => None,
                }
            }
            fn name(self) -> &'static str {
                match self {
                    $($name::$field => $key),+
                }
            }
            fn bit(self) -> u32 {
                1 << (self as u32)
            }
        }
    };
}
pub(crate) use fields;

/// Reads a key as one of `F`, without copying it (an escaped key is unescaped in sonic's buffer).
struct Key<F>(PhantomData<F>);

impl<'de, F: Fields> DeserializeSeed<'de> for Key<F> {
    type Value = Option<F>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<F>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<F: Fields> Visitor<'_> for Key<F> {
    type Value = Option<F>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<F>, E> {
        Ok(F::parse(v))
    }
}

/// Walks an object's keys: the next key of `F` that the object holds, skipping unknown keys and
/// their values. A repeated key is an error, as with serde's derived decoders.
pub struct Keys<F> {
    seen: u32,
    fields: PhantomData<F>,
}

impl<F: Fields> Keys<F> {
    pub fn new() -> Self {
        Keys {
            seen: 0,
            fields: PhantomData,
        }
    }

    pub fn next<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<Option<F>, A::Error> {
        loop {
            match map.next_key_seed(Key::<F>(PhantomData))? {
                None => return Ok(None),
                Some(None) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(Some(field)) if self.seen & field.bit() != 0 => {
                    return Err(de::Error::duplicate_field(field.name()));
                }
                Some(Some(field)) => {
                    self.seen |= field.bit();
                    return Ok(Some(field));
                }
            }
        }
    }
}

/// `null` is `None`; anything else is decoded by the seed. (An absent field stays `None` too.)
pub struct Nullable<S>(pub S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// A level's price or size string, parsed onto the market's grid as it is read.
#[derive(Clone, Copy)]
pub enum Units {
    Price(Grid),
    Size(Grid),
}

impl<'de> DeserializeSeed<'de> for Units {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Units {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        let (what, grid) = match self {
            Units::Price(grid) => ("price", grid),
            Units::Size(grid) => ("size", grid),
        };
        match grid.parse(v) {
            // A price of zero is no price (a size of zero removes the level).
            Ok(0) if matches!(self, Units::Price(_)) => {
                Err(E::custom(format_args!("price {v:?} is not positive")))
            }
            Ok(units) => Ok(units),
            Err(e) => Err(E::custom(format_args!("{what} {v:?} {e}"))),
        }
    }
}
