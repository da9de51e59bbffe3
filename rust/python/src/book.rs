//! Python bindings of `pyarb-book`: one `Books` object per market pair, one call per frame. Results
//! keep integers and build Python strings only when a getter asks for them.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyString};

use pyarb_book::feed::Outcome;
use pyarb_book::{Direction, Level, MarketText, Report, Scales, Venue};

fn venue(text: &str) -> PyResult<Venue> {
    Venue::parse(text).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown venue {text:?}: expected 'edgex' or 'paradex'"
        ))
    })
}

fn direction(text: &str) -> PyResult<Direction> {
    Direction::parse(text).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown direction {text:?}: expected 'buy_edgex_sell_paradex' or 'buy_paradex_sell_edgex'"
        ))
    })
}

/// A decimal as plain text: a `str` as given, a `Decimal` or `int` through `format(x, "f")` (never
/// scientific notation). Floats are refused: they cannot say which decimal they mean.
fn decimal_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_str()?.to_owned());
    }
    if value.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err("use a Decimal or a str, not a float"));
    }
    value.call_method1("__format__", ("f",))?.extract()
}

/// The fields of a `pyarb.model.MarketSpec` (or anything with the same attributes) as text.
struct MarketFields([String; 6]);

impl MarketFields {
    fn read(spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = |name: &str| -> PyResult<String> {
            let value = spec.getattr(name)?;
            if name == "market" {
                value.extract()
            } else {
                decimal_text(&value)
            }
        };
        Ok(MarketFields([
            text("market")?,
            text("tick")?,
            text("step")?,
            text("min_size")?,
            text("max_size")?,
            text("taker_fee")?,
        ]))
    }

    fn text(&self) -> MarketText<'_> {
        let [name, tick, step, min_size, max_size, taker_fee] = &self.0;
        MarketText {
            name,
            tick,
            step,
            min_size,
            max_size,
            taker_fee,
        }
    }
}

/// The executable spread of one direction at one size. Prices and sizes are decimal strings.
#[pyclass(module = "pyarb._core", name = "Quote", frozen, freelist = 8)]
pub struct PyQuote {
    quote: pyarb_book::Quote,
    scales: Scales,
}

#[pymethods]
impl PyQuote {
    #[getter]
    fn direction(&self) -> &'static str {
        self.quote.direction.as_str()
    }
    #[getter]
    fn buy_venue(&self) -> &'static str {
        self.quote.direction.buy_venue().as_str()
    }
    #[getter]
    fn sell_venue(&self) -> &'static str {
        self.quote.direction.sell_venue().as_str()
    }
    #[getter]
    fn size(&self) -> String {
        self.scales.size(self.quote.execution.buy.size)
    }
    #[getter]
    fn buy_vwap(&self) -> String {
        self.scales.vwap(&self.quote.execution.buy)
    }
    #[getter]
    fn sell_vwap(&self) -> String {
        self.scales.vwap(&self.quote.execution.sell)
    }
    #[getter]
    fn buy_limit(&self) -> String {
        self.scales.price(self.quote.execution.buy.worst)
    }
    #[getter]
    fn sell_limit(&self) -> String {
        self.scales.price(self.quote.execution.sell.worst)
    }
    #[getter]
    fn edge_bps(&self) -> f64 {
        self.quote.execution.edge_bps()
    }
    #[getter]
    fn edge_usd(&self) -> String {
        self.scales.edge_usd(self.quote.execution.edge)
    }

    fn __repr__(&self) -> String {
        format!(
            "Quote({}, size={}, buy_limit={}, sell_limit={}, edge_bps={:.3}, edge_usd={})",
            self.direction(),
            self.size(),
            self.buy_limit(),
            self.sell_limit(),
            self.edge_bps(),
            self.edge_usd()
        )
    }
}

/// What one frame did to its venue's book.
#[pyclass(module = "pyarb._core", name = "FrameResult", frozen, freelist = 8)]
pub struct PyFrameResult {
    report: Report,
    scales: Scales,
    /// `report.opportunity` as the `Quote` that the getter hands out.
    opportunity: Option<Py<PyQuote>>,
}

impl PyFrameResult {
    fn level(&self, level: Option<Level>) -> Option<String> {
        level.map(|l| self.scales.price(l.price))
    }
}

#[pymethods]
impl PyFrameResult {
    #[getter]
    fn venue(&self) -> &'static str {
        self.report.venue.as_str()
    }
    /// "applied", "duplicate", "awaiting_snapshot", "rejected" or "other".
    #[getter]
    fn kind(&self) -> &'static str {
        match self.report.outcome {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::AwaitingSnapshot => "awaiting_snapshot",
            Outcome::Rejected(_) => "rejected",
            Outcome::Other(_) => "other",
        }
    }
    /// Why the frame was rejected: "malformed", "gap" or "crossed".
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        match &self.report.outcome {
            Outcome::Rejected(p) => Some(p.reason.as_str()),
            _ => None,
        }
    }
    #[getter]
    fn error(&self) -> Option<String> {
        match &self.report.outcome {
            Outcome::Rejected(p) => Some(p.to_string()),
            _ => None,
        }
    }
    /// The frame was rejected: the book is stale and the venue must send a fresh snapshot.
    #[getter]
    fn resync(&self) -> bool {
        matches!(self.report.outcome, Outcome::Rejected(_))
    }
    #[getter]
    fn stale(&self) -> bool {
        self.report.stale
    }
    #[getter]
    fn best_bid(&self) -> Option<String> {
        self.level(self.report.best_bid)
    }
    #[getter]
    fn best_ask(&self) -> Option<String> {
        self.level(self.report.best_ask)
    }
    #[getter]
    fn opportunity(&self, py: Python<'_>) -> Option<Py<PyQuote>> {
        self.opportunity.as_ref().map(|quote| quote.clone_ref(py))
    }
    /// For other frames: the EdgeX `type` or the Paradex `method` ("result"/"error" for replies).
    #[getter]
    fn what(&self) -> Option<&str> {
        match &self.report.outcome {
            Outcome::Other(o) => Some(&o.what),
            _ => None,
        }
    }
    #[getter]
    fn channel(&self) -> Option<&str> {
        match &self.report.outcome {
            Outcome::Other(o) => o.channel.as_deref(),
            _ => None,
        }
    }
    /// For other frames: their `time` field, which a `pong` echoes.
    #[getter]
    fn time(&self) -> Option<&str> {
        match &self.report.outcome {
            Outcome::Other(o) => o.time.as_deref(),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        let text =
            |value: Option<&str>| value.map_or_else(|| "None".to_owned(), |v| format!("{v:?}"));
        let detail = match &self.report.outcome {
            Outcome::Rejected(p) => format!(", error={:?}", p.to_string()),
            Outcome::Other(o) => format!(
                ", what={:?}, channel={}",
                o.what,
                text(o.channel.as_deref())
            ),
            _ => String::new(),
        };
        format!(
            "FrameResult({}, {}{}, stale={}, best_bid={}, best_ask={}, opportunity={})",
            self.venue(),
            self.kind(),
            detail,
            if self.report.stale { "True" } else { "False" },
            text(self.best_bid().as_deref()),
            text(self.best_ask().as_deref()),
            self.report.opportunity.map_or_else(
                || "None".to_owned(),
                |quote| PyQuote {
                    quote,
                    scales: self.scales
                }
                .__repr__()
            )
        )
    }
}

/// Both venues' books for one market pair, and the spread between them.
#[pyclass(module = "pyarb._core", name = "Books")]
pub struct PyBooks {
    books: pyarb_book::Books,
    /// The last result handed out for each venue, and the last opportunity. Most frames leave both
    /// as they were, and the objects are immutable: the same object is handed out again rather
    /// than a new one built.
    last_results: [Option<Py<PyFrameResult>>; 2],
    last_quote: Option<Py<PyQuote>>,
    /// "edgex" and "paradex", interned: the venue a frame comes from is known by identity when the
    /// caller passes the same interned string (every string literal in Python code is).
    venue_names: [Py<PyString>; 2],
}

#[pymethods]
impl PyBooks {
    #[new]
    fn new(
        py: Python<'_>,
        edgex: &Bound<'_, PyAny>,
        paradex: &Bound<'_, PyAny>,
        min_edge_bps: &Bound<'_, PyAny>,
        max_size: &Bound<'_, PyAny>,
        max_age_ms: i64,
    ) -> PyResult<Self> {
        let (edgex, paradex) = (MarketFields::read(edgex)?, MarketFields::read(paradex)?);
        let (min_edge_bps, max_size) = (decimal_text(min_edge_bps)?, decimal_text(max_size)?);
        let config = pyarb_book::Config {
            edgex: edgex.text(),
            paradex: paradex.text(),
            min_edge_bps: &min_edge_bps,
            max_size: &max_size,
            max_age_ms,
        };
        let books = pyarb_book::Books::new(&config).map_err(PyValueError::new_err)?;
        Ok(PyBooks {
            books,
            last_results: [None, None],
            last_quote: None,
            venue_names: [Venue::Edgex, Venue::Paradex]
                .map(|venue| PyString::intern(py, venue.as_str()).unbind()),
        })
    }

    /// Applies one raw websocket frame (bytes or str) received from `venue` at `now_ms`.
    fn on_frame(
        &mut self,
        py: Python<'_>,
        venue: &Bound<'_, PyString>,
        frame: &Bound<'_, PyAny>,
        now_ms: i64,
    ) -> PyResult<Py<PyFrameResult>> {
        let venue = self.venue_of(venue)?;
        let bytes = if let Ok(bytes) = frame.cast::<PyBytes>() {
            bytes.as_bytes()
        } else if let Ok(text) = frame.cast::<PyString>() {
            text.to_str()?.as_bytes()
        } else {
            return Err(PyTypeError::new_err("a frame is bytes or str"));
        };
        let report = self.books.on_frame(venue, bytes, now_ms);
        if let Some(last) = &self.last_results[venue as usize] {
            if last.get().report == report {
                return Ok(last.clone_ref(py));
            }
        }
        let opportunity = match report.opportunity {
            Some(quote) => Some(self.quote_object(py, quote)?),
            None => None,
        };
        let scales = self.books.scales();
        let result = Py::new(
            py,
            PyFrameResult {
                report,
                scales,
                opportunity,
            },
        )?;
        self.last_results[venue as usize] = Some(result.clone_ref(py));
        Ok(result)
    }

    /// The best opportunity now, if both books are fresh.
    fn best(&self, now_ms: i64) -> Option<PyQuote> {
        let scales = self.books.scales();
        self.books
            .best(now_ms)
            .map(|quote| PyQuote { quote, scales })
    }

    /// Executing `direction` at `size`; None when a book is stale, too old, or too thin.
    fn quote(
        &self,
        direction: &str,
        size: &Bound<'_, PyAny>,
        now_ms: i64,
    ) -> PyResult<Option<PyQuote>> {
        let direction = self::direction(direction)?;
        let size = self
            .books
            .parse_size(&decimal_text(size)?)
            .map_err(PyValueError::new_err)?;
        if size == 0 {
            return Err(PyValueError::new_err("size must be positive"));
        }
        let scales = self.books.scales();
        Ok(self
            .books
            .quote(direction, size, now_ms)
            .map(|quote| PyQuote { quote, scales }))
    }

    /// The best `n` levels of each side, as (price, size) decimal strings: (bids, asks).
    #[allow(clippy::type_complexity)]
    fn levels(
        &self,
        venue: &str,
        n: usize,
    ) -> PyResult<(Vec<(String, String)>, Vec<(String, String)>)> {
        let book = self.books.feed(self::venue(venue)?).book();
        let scales = self.books.scales();
        let text = |levels: &[Level]| -> Vec<(String, String)> {
            levels
                .iter()
                .take(n)
                .map(|l| (scales.price(l.price), scales.size(l.size)))
                .collect()
        };
        Ok((text(book.bids()), text(book.asks())))
    }

    fn is_stale(&self, venue: &str) -> PyResult<bool> {
        Ok(self.books.feed(self::venue(venue)?).is_stale())
    }

    /// Distrusts `venue`'s book (e.g. after a disconnect) until its next snapshot.
    fn mark_stale(&mut self, venue: &str) -> PyResult<()> {
        self.books.mark_stale(self::venue(venue)?);
        Ok(())
    }
}

impl PyBooks {
    /// The venue named `name`: by identity for the interned names, else by its text.
    fn venue_of(&self, name: &Bound<'_, PyString>) -> PyResult<Venue> {
        let [edgex, paradex] = &self.venue_names;
        if name.as_ptr() == edgex.as_ptr() {
            Ok(Venue::Edgex)
        } else if name.as_ptr() == paradex.as_ptr() {
            Ok(Venue::Paradex)
        } else {
            venue(name.to_str()?)
        }
    }

    /// `quote` as a Python object: the last one handed out when it is the same quote.
    fn quote_object(&mut self, py: Python<'_>, quote: pyarb_book::Quote) -> PyResult<Py<PyQuote>> {
        if let Some(last) = &self.last_quote {
            if last.get().quote == quote {
                return Ok(last.clone_ref(py));
            }
        }
        let scales = self.books.scales();
        let object = Py::new(py, PyQuote { quote, scales })?;
        self.last_quote = Some(object.clone_ref(py));
        Ok(object)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBooks>()?;
    m.add_class::<PyFrameResult>()?;
    m.add_class::<PyQuote>()?;
    Ok(())
}
