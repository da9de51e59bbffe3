//! Order and request signing for Paradex and EdgeX V2.
