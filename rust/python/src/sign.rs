//! The signers as Python classes and functions. Numbers cross as text (decimal strings, hex), keys
//! cross once when a signer is built, and every error is a `ValueError` (bad input) or a
//! `RuntimeError` (the curve library refused), never a panic. `pyarb.signing` is the typed facade.
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use pyarb_sign::{edgex, paradex, Error};

fn py_err(err: Error) -> PyErr {
    match err {
        Error::Input(message) => PyValueError::new_err(message),
        Error::Signing(message) => PyRuntimeError::new_err(message),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `(message_hash as 0x-hex, r, s as decimal)`.
type ParadexSigned = (String, String, String);

fn paradex_signed(signed: paradex::Signed) -> ParadexSigned {
    (
        paradex::hex(&signed.message_hash),
        paradex::decimal(&signed.r),
        paradex::decimal(&signed.s),
    )
}

/// The order that `order_hash` and `sign_order` take, from the arguments Python passes.
fn paradex_order<'a>(
    timestamp_ms: u64,
    market: &'a str,
    buy: bool,
    order_type: &'a str,
    size: &'a str,
    price: Option<&'a str>,
) -> paradex::Order<'a> {
    paradex::Order {
        timestamp_ms,
        market,
        side: if buy {
            paradex::Side::Buy
        } else {
            paradex::Side::Sell
        },
        order_type,
        size,
        price,
    }
}

fn edgex_side(buy: bool) -> edgex::Side {
    if buy {
        edgex::Side::Buy
    } else {
        edgex::Side::Sell
    }
}

#[pyclass(frozen, module = "pyarb._core")]
struct ParadexTypedData(paradex::TypedData);

#[pymethods]
impl ParadexTypedData {
    #[new]
    fn new(chain_id: &str, account: &str) -> PyResult<Self> {
        paradex::TypedData::new(chain_id, account)
            .map(Self)
            .map_err(py_err)
    }

    #[pyo3(signature = (timestamp_ms, market, buy, order_type, size, price=None))]
    fn order_hash(
        &self,
        timestamp_ms: u64,
        market: &str,
        buy: bool,
        order_type: &str,
        size: &str,
        price: Option<&str>,
    ) -> PyResult<String> {
        let order = paradex_order(timestamp_ms, market, buy, order_type, size, price);
        Ok(paradex::hex(&self.0.order_hash(&order).map_err(py_err)?))
    }

    fn auth_hash(&self, timestamp: u64, expiration: u64) -> String {
        paradex::hex(&self.0.auth_hash(timestamp, expiration))
    }

    fn onboarding_hash(&self) -> String {
        paradex::hex(&self.0.onboarding_hash())
    }
}

#[pyclass(frozen, module = "pyarb._core")]
struct ParadexSigner(paradex::Signer);

#[pymethods]
impl ParadexSigner {
    #[new]
    fn new(private_key: &str, chain_id: &str, account: &str) -> PyResult<Self> {
        paradex::Signer::new(private_key, chain_id, account)
            .map(Self)
            .map_err(py_err)
    }

    #[getter]
    fn public_key(&self) -> String {
        paradex::hex(&self.0.public_key())
    }

    #[pyo3(signature = (timestamp_ms, market, buy, order_type, size, price=None))]
    fn sign_order(
        &self,
        timestamp_ms: u64,
        market: &str,
        buy: bool,
        order_type: &str,
        size: &str,
        price: Option<&str>,
    ) -> PyResult<ParadexSigned> {
        let order = paradex_order(timestamp_ms, market, buy, order_type, size, price);
        self.0
            .sign_order(&order)
            .map(paradex_signed)
            .map_err(py_err)
    }

    fn sign_auth(&self, timestamp: u64, expiration: u64) -> PyResult<ParadexSigned> {
        self.0
            .sign_auth(timestamp, expiration)
            .map(paradex_signed)
            .map_err(py_err)
    }

    fn sign_onboarding(&self) -> PyResult<ParadexSigned> {
        self.0.sign_onboarding().map(paradex_signed).map_err(py_err)
    }
}

#[pyfunction]
fn paradex_public_key(private_key: &str) -> PyResult<String> {
    paradex::public_key(private_key)
        .map(|k| paradex::hex(&k))
        .map_err(py_err)
}

#[pyfunction]
fn paradex_verify(public_key: &str, message_hash: &str, r: &str, s: &str) -> PyResult<bool> {
    paradex::verify(public_key, message_hash, r, s).map_err(py_err)
}

#[pyclass(frozen, module = "pyarb._core")]
struct EdgexContract(edgex::Contract);

#[pymethods]
impl EdgexContract {
    #[new]
    fn new(
        contract_id: &str,
        collateral_coin_id: &str,
        synthetic_resolution: &str,
        collateral_resolution: &str,
        fee_rate: &str,
    ) -> PyResult<Self> {
        edgex::Contract::new(
            contract_id,
            collateral_coin_id,
            synthetic_resolution,
            collateral_resolution,
            fee_rate,
        )
        .map(Self)
        .map_err(py_err)
    }
}

#[pyclass(frozen, module = "pyarb._core")]
struct EdgexDomain(edgex::Domain);

#[pymethods]
impl EdgexDomain {
    #[new]
    fn new(chain_id: &str, verifying_contract: &str) -> PyResult<Self> {
        edgex::Domain::new(chain_id, verifying_contract)
            .map(Self)
            .map_err(py_err)
    }

    /// The digest of an order as its body states it.
    #[allow(clippy::too_many_arguments)]
    fn order_digest(
        &self,
        contract: &EdgexContract,
        account_id: u64,
        signer: &str,
        buy: bool,
        size: &str,
        value: &str,
        limit_fee: &str,
        nonce: u64,
        expire_time_ms: u64,
    ) -> PyResult<String> {
        let body = edgex::BodyOrder {
            account_id,
            signer,
            side: edgex_side(buy),
            size,
            value,
            limit_fee,
            nonce,
            expire_time_ms,
        };
        let message = contract.0.body_message(&body).map_err(py_err)?;
        Ok(self.0.digest(&message).to_string())
    }
}

/// `(digest, signature, nonce, l2_value, l2_limit_fee, l2_expire_time_ms, message_json)`.
type EdgexSigned = (String, String, u64, String, String, u64, String);

#[pyclass(frozen, module = "pyarb._core")]
struct EdgexSigner(edgex::Signer);

#[pymethods]
impl EdgexSigner {
    #[new]
    fn new(private_key: &str, account_id: u64, domain: &EdgexDomain) -> PyResult<Self> {
        edgex::Signer::new(private_key, account_id, domain.0)
            .map(Self)
            .map_err(py_err)
    }

    #[getter]
    fn address(&self) -> String {
        self.0.address()
    }

    fn sign_order(
        &self,
        contract: &EdgexContract,
        buy: bool,
        size: &str,
        price: &str,
        client_order_id: &str,
        expire_time_ms: u64,
    ) -> PyResult<EdgexSigned> {
        let signed = self
            .0
            .sign_order(
                &contract.0,
                edgex_side(buy),
                size,
                price,
                client_order_id,
                expire_time_ms,
            )
            .map_err(py_err)?;
        Ok((
            signed.digest.to_string(),
            hex(&signed.signature),
            signed.nonce,
            signed.terms.value.to_string(),
            signed.terms.limit_fee.to_string(),
            signed.l2_expire_time_ms,
            signed.message.to_json(),
        ))
    }
}

#[pyfunction]
fn edgex_address(private_key: &str) -> PyResult<String> {
    edgex::address(private_key).map_err(py_err)
}

#[pyfunction]
fn edgex_nonce(client_order_id: &str) -> u64 {
    edgex::nonce(client_order_id)
}

#[pyfunction]
fn edgex_recover(digest: &str, signature: &str) -> PyResult<Option<String>> {
    edgex::recover(digest, signature).map_err(py_err)
}

#[pyfunction]
fn edgex_request_signature(
    secret: &str,
    timestamp: &str,
    method: &str,
    path: &str,
    content: &str,
) -> String {
    edgex::request_signature(secret, timestamp, method, path, content)
}

#[pyfunction]
fn edgex_verify_request_signature(
    secret: &str,
    timestamp: &str,
    method: &str,
    path: &str,
    content: &str,
    signature: &str,
) -> bool {
    edgex::verify_request_signature(secret, timestamp, method, path, content, signature)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ParadexTypedData>()?;
    m.add_class::<ParadexSigner>()?;
    m.add_function(wrap_pyfunction!(paradex_public_key, m)?)?;
    m.add_function(wrap_pyfunction!(paradex_verify, m)?)?;
    m.add_class::<EdgexContract>()?;
    m.add_class::<EdgexDomain>()?;
    m.add_class::<EdgexSigner>()?;
    m.add_function(wrap_pyfunction!(edgex_address, m)?)?;
    m.add_function(wrap_pyfunction!(edgex_nonce, m)?)?;
    m.add_function(wrap_pyfunction!(edgex_recover, m)?)?;
    m.add_function(wrap_pyfunction!(edgex_request_signature, m)?)?;
    m.add_function(wrap_pyfunction!(edgex_verify_request_signature, m)?)?;
    Ok(())
}
