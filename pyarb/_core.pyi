"""Type stubs for the Rust extension ``pyarb._core`` (built from ``rust/python``)."""

# --- books and spread (rust/python/src/book.rs) ---------------------------------------------------------

# --- signing (rust/python/src/sign.rs) ------------------------------------------------------------------
