//! Decimal strings <-> fixed-point integers. Venues send prices and sizes as plain decimal strings;
//! they become integer counts of `10^-exp` so that book keys and all spread arithmetic are exact.

use std::fmt;

/// The largest value a price or size may have, in units of `10^-exp`. It keeps every product in
/// the spread arithmetic (price x size x fee scale x edge scale) well inside `i128`.
pub const MAX_UNITS: u64 = 1_000_000_000_000;

/// The most decimal places a tick or step may have.
pub const MAX_EXP: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    /// Not a plain non-negative decimal (`[0-9]+(\.[0-9]+)?`): also catches `-1`, `NaN`, `1e5`.
    NotDecimal,
    /// More decimal places than the grid has (trailing zeros are fine).
    OverPrecise,
    /// Larger than [`MAX_UNITS`].
    TooLarge,
    /// Not a whole multiple of the tick or step.
    OffGrid,
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumError::NotDecimal => "is not a non-negative decimal",
            NumError::OverPrecise => "has more decimals than the market allows",
            NumError::TooLarge => "is out of range",
            NumError::OffGrid => "is not a multiple of the market's increment",
        })
    }
}

/// Splits a plain non-negative decimal (`[0-9]+(\.[0-9]+)?`) into its integer and fraction digits.
fn split_digits(text: &str) -> Result<(&[u8], &[u8]), NumError> {
    let bytes = text.as_bytes();
    let (int_part, frac_part) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], &bytes[dot + 1..]),
        None => (bytes, &bytes[..0]),
    };
    let has_dot = int_part.len() != bytes.len();
    if int_part.is_empty() || (has_dot && frac_part.is_empty()) {
        return Err(NumError::NotDecimal);
    }
    if !int_part.iter().chain(frac_part).all(u8::is_ascii_digit) {
        return Err(NumError::NotDecimal);
    }
    Ok((int_part, frac_part))
}

/// `10^n` for every `n` that fits a `u64`.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1; 20];
    let mut n = 1;
    while n < powers.len() {
        powers[n] = powers[n - 1] * 10;
        n += 1;
    }
    powers
};

/// Parses a plain non-negative decimal into an integer count of `10^-exp`, in one pass over the
/// bytes: every price and size of every frame goes through here. The first error in this order
/// wins: not a plain decimal, more decimals than `exp`, larger than [`MAX_UNITS`].
pub fn parse_units(text: &str, exp: u32) -> Result<u64, NumError> {
    let bytes = text.as_bytes();
    let exp = exp as usize;
    // Saturates just above MAX_UNITS: enough to tell "too large", and never overflows.
    let mut value = 0u64;
    let mut i = 0;
    while let Some(digit) = bytes
        .get(i)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d < 10)
    {
        value = (value * 10 + u64::from(digit)).min(MAX_UNITS + 1);
        i += 1;
    }
    if i == 0 {
        return Err(NumError::NotDecimal);
    }
    let mut kept = 0;
    if i < bytes.len() {
        let frac = match &bytes[i..] {
            [b'.', frac @ ..] if !frac.is_empty() => frac,
            _ => return Err(NumError::NotDecimal),
        };
        let mut over_precise = false;
        for &b in frac {
            let digit = b.wrapping_sub(b'0');
            if digit >= 10 {
                return Err(NumError::NotDecimal);
            }
            if kept < exp {
                value = (value * 10 + u64::from(digit)).min(MAX_UNITS + 1);
                kept += 1;
            } else {
                over_precise |= digit != 0;
            }
        }
        if over_precise {
            return Err(NumError::OverPrecise);
        }
    }
    if value == 0 {
        return Ok(0);
    }
    POWERS_OF_TEN
        .get(exp - kept)
        .and_then(|scale| value.checked_mul(*scale))
        .filter(|&v| v <= MAX_UNITS)
        .ok_or(NumError::TooLarge)
}

/// The number of significant decimal places of a plain decimal ("0.10" has 1), for config values.
pub fn decimals(text: &str) -> Result<u32, NumError> {
    let (_, frac_part) = split_digits(text)?;
    let significant = frac_part
        .iter()
        .rposition(|&b| b != b'0')
        .map_or(0, |i| i + 1);
    Ok(significant as u32)
}

/// A grid of allowed values: whole multiples of `increment` units of `10^-exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub exp: u32,
    pub increment: u64,
}

impl Grid {
    #[inline]
    pub fn parse(&self, text: &str) -> Result<u64, NumError> {
        let units = parse_units(text, self.exp)?;
        // Most grids have an increment of one unit: no division for them.
        if self.increment != 1 && units % self.increment != 0 {
            return Err(NumError::OffGrid);
        }
        Ok(units)
    }
}

/// Formats `value * 10^-exp` as a plain decimal without trailing zeros ("122000.5", "0.001", "-3").
pub fn format_units(value: i128, exp: u32) -> String {
    let digits = value.unsigned_abs().to_string();
    let exp = exp as usize;
    let sign = if value < 0 { "-" } else { "" };
    let (int_part, frac_part) = if digits.len() > exp {
        digits.split_at(digits.len() - exp)
    } else {
        ("0", digits.as_str())
    };
    let frac = format!("{frac_part:0>exp$}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals_onto_the_grid() {
        assert_eq!(parse_units("122000.5", 1), Ok(1_220_005));
        assert_eq!(parse_units("122000", 1), Ok(1_220_000));
        assert_eq!(parse_units("600.90", 1), Ok(6009));
        assert_eq!(parse_units("0.00001", 5), Ok(1));
        assert_eq!(parse_units("000.1", 3), Ok(100));
        assert_eq!(parse_units("0", 0), Ok(0));
    }

    #[test]
    fn rejects_what_is_not_a_plain_non_negative_decimal() {
        for bad in [
            "", "-1", "+1", "1.", ".5", "1e5", "NaN", "inf", "Infinity", "1,5", " 1", "1.2.3",
            "0x10",
        ] {
            assert_eq!(parse_units(bad, 2), Err(NumError::NotDecimal), "{bad:?}");
        }
        assert_eq!(parse_units("1.25", 1), Err(NumError::OverPrecise));
        assert_eq!(parse_units("10000000000000", 0), Err(NumError::TooLarge));
        assert_eq!(
            parse_units("99999999999999999999999999", 0),
            Err(NumError::TooLarge)
        );
        assert_eq!(parse_units("0000000000000000000000001", 0), Ok(1));
    }

    /// The definition, spelled out: split at the dot, check, drop trailing decimals, scale.
    fn parse_units_plainly(text: &str, exp: u32) -> Result<u64, NumError> {
        let (int_part, frac_part) = split_digits(text)?;
        let exp = exp as usize;
        let (kept, dropped) = frac_part.split_at(frac_part.len().min(exp));
        if dropped.iter().any(|&b| b != b'0') {
            return Err(NumError::OverPrecise);
        }
        let digits: String = int_part
            .iter()
            .chain(kept)
            .map(|&b| char::from(b))
            .chain(std::iter::repeat_n('0', exp - kept.len()))
            .collect();
        let value: u128 = digits.trim_start_matches('0').parse().unwrap_or(0);
        u64::try_from(value)
            .ok()
            .filter(|&v| v <= MAX_UNITS)
            .ok_or(NumError::TooLarge)
    }

    #[test]
    fn one_pass_parsing_agrees_with_the_definition_on_every_short_input() {
        let alphabet = [b'0', b'1', b'9', b'.', b'x'];
        let mut text = Vec::new();
        for len in 0..=6u32 {
            for mut n in 0..alphabet.len().pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let text = std::str::from_utf8(&text).unwrap();
                for exp in 0..=3 {
                    assert_eq!(
                        parse_units(text, exp),
                        parse_units_plainly(text, exp),
                        "{text:?} at {exp}"
                    );
                }
            }
        }
        for (text, exp) in [
            ("1000000000000", 0),
            ("1000000000001", 0),
            ("100000000000.0", 1),
            ("99999999999999999999.5", 0),
            ("99999999999999999999.0", 0),
            ("0.000000000000000000000", 10),
            ("1.00000000000000000000001", 3),
            ("1", 25),
            ("0", 25),
        ] {
            assert_eq!(
                parse_units(text, exp),
                parse_units_plainly(text, exp),
                "{text:?}"
            );
        }
    }

    #[test]
    fn grid_rejects_off_step_values() {
        let grid = Grid {
            exp: 5,
            increment: 100,
        };
        assert_eq!(grid.parse("0.003"), Ok(300));
        assert_eq!(grid.parse("0.0031"), Err(NumError::OffGrid));
    }

    #[test]
    fn counts_significant_decimals() {
        assert_eq!(decimals("0.10"), Ok(1));
        assert_eq!(decimals("0.00038"), Ok(5));
        assert_eq!(decimals("5"), Ok(0));
        assert_eq!(decimals("1e-3"), Err(NumError::NotDecimal));
    }

    #[test]
    fn formats_without_trailing_zeros() {
        assert_eq!(format_units(1_220_005, 1), "122000.5");
        assert_eq!(format_units(1_220_000, 1), "122000");
        assert_eq!(format_units(1, 5), "0.00001");
        assert_eq!(format_units(-150, 2), "-1.5");
        assert_eq!(format_units(0, 3), "0");
    }
}
