//! `pyarb._core`: the only place where Rust meets Python. Frames cross once, as bytes; every
//! error becomes a Python exception or a typed result, never a panic across the boundary.
use pyo3::prelude::*;

mod book;
mod sign;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    book::register(m)?;
    sign::register(m)?;
    Ok(())
}
