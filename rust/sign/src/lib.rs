//! Order and request signing for Paradex and EdgeX V2.
//!
//! - [`paradex`]: StarkNet typed data (SNIP-12 revision 0, Pedersen) for orders and the auth request,
//!   Stark ECDSA with the RFC 6979 `k` that paradex-py uses.
//! - [`edgex`]: EIP-712 `LimitOrderParams` and the order amounts as edgex-python-sdk V2 builds them,
//!   secp256k1 signatures as eth-account produces them, and the HMAC request signature.
//!
//! Pure Rust; `rust/python` wraps it. Every input is checked and every failure is an [`Error`]: nothing
//! here panics on bad input, so nothing can panic across the FFI boundary.

pub mod edgex;
pub mod paradex;

mod parse;

/// Why an input could not be signed, hashed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An input is malformed or out of range: the message names the input and the reason.
    #[error("{0}")]
    Input(String),
    /// The curve library refused to sign; practically unreachable with valid inputs.
    #[error("signing failed: {0}")]
    Signing(String),
}

pub type Result<T> = std::result::Result<T, Error>;
