//! Strict parsing of the text inputs both venues share: hex keys and addresses, plain decimals, and
//! integers written in decimal or 0x-hex (EdgeX metadata uses both). Each error names the input.

use alloy_primitives::U256;
use rust_decimal::Decimal;

use crate::{Error, Result};

pub(crate) fn invalid(what: &str, reason: impl std::fmt::Display) -> Error {
    Error::Input(format!("{what}: {reason}"))
}

/// The hex digits of `s`, without an optional `0x`. Never echoes the input: it may be a key.
fn hex_digits<'a>(s: &'a str, what: &str) -> Result<&'a str> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.is_empty() {
        return Err(invalid(what, "empty hex"));
    }
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(what, "not hex"));
    }
    Ok(digits)
}

/// A big-endian value of at most 32 bytes, left-padded with zeros (`0x1234567` is a valid Stark key).
pub(crate) fn hex32(s: &str, what: &str) -> Result<[u8; 32]> {
    let digits = hex_digits(s, what)?;
    if digits.len() > 64 {
        return Err(invalid(what, "more than 32 bytes of hex"));
    }
    let mut out = [0u8; 32];
    // Walk the digits from the right, two per byte, so that an odd count pads the top nibble.
    for (i, d) in digits.bytes().rev().enumerate() {
        let v = (d as char).to_digit(16).unwrap_or(0) as u8;
        out[31 - i / 2] |= if i % 2 == 0 { v } else { v << 4 };
    }
    Ok(out)
}

/// Exactly `N` bytes of hex (an address, a 65-byte signature).
pub(crate) fn hex_exact<const N: usize>(s: &str, what: &str) -> Result<[u8; N]> {
    let digits = hex_digits(s, what)?;
    if digits.len() != 2 * N {
        return Err(invalid(
            what,
            format_args!("expected {N} bytes of hex, got {} digits", digits.len()),
        ));
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.as_bytes().chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16).unwrap_or(0) as u8;
        let lo = (pair[1] as char).to_digit(16).unwrap_or(0) as u8;
        out[i] = hi << 4 | lo;
    }
    Ok(out)
}

/// A non-negative plain decimal: digits with an optional fraction ("0.001", "100000"). No sign, no
/// exponent, no separators, so that what is signed is exactly what is written.
pub(crate) fn decimal(s: &str, what: &str) -> Result<Decimal> {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return Err(invalid(
            what,
            format_args!("{s:?} is not a non-negative plain decimal"),
        ));
    }
    Decimal::from_str_exact(s).map_err(|e| invalid(what, format_args!("{s:?}: {e}")))
}

/// A non-negative integer in decimal or `0x`-hex, as EdgeX metadata writes chain ids and resolutions.
pub(crate) fn uint(s: &str, what: &str) -> Result<U256> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            U256::from_str_radix(hex, 16)
        }
        None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            U256::from_str_radix(s, 10)
        }
        _ => {
            return Err(invalid(
                what,
                format_args!("{s:?} is not a decimal or 0x-hex integer"),
            ))
        }
    };
    parsed.map_err(|_| invalid(what, format_args!("{s:?} does not fit in 256 bits")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex32_pads_odd_and_short_values() {
        let k = hex32("0x1234567", "key").unwrap();
        assert_eq!(&k[28..], &[0x01, 0x23, 0x45, 0x67]);
        assert!(k[..28].iter().all(|&b| b == 0));
    }

    #[test]
    fn hex_errors_do_not_echo_the_input() {
        let err = hex32("0xnotakey-secret", "private key")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "private key: not hex");
        assert!(hex32(&"1".repeat(65), "k").is_err());
        assert!(hex32("0x", "k").is_err());
    }

    #[test]
    fn decimals_are_plain_and_non_negative() {
        assert_eq!(decimal("0.001", "size").unwrap().to_string(), "0.001");
        assert_eq!(decimal("100000", "price").unwrap().to_string(), "100000");
        for bad in ["", "-1", "1e3", "1.", ".5", "1_000", "1,5", "NaN", " 1"] {
            assert!(decimal(bad, "size").is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn uints_are_decimal_or_hex() {
        assert_eq!(
            uint("0x3b9aca00", "r").unwrap(),
            U256::from(1_000_000_000u64)
        );
        assert_eq!(uint("1000000", "r").unwrap(), U256::from(1_000_000u64));
        for bad in ["", "0x", "-1", "1.0", "0xg"] {
            assert!(uint(bad, "r").is_err(), "{bad:?} accepted");
        }
    }
}
