"""The engine's configuration: a TOML file, every key validated, and secrets kept apart.

A bad config is refused with an error that names the key (``risk.max_open_pairs: ...``) and changes nothing.
Secrets never live in the config file: they come from environment variables or from a secrets file that only
its owner can read, and they are held as :class:`pyarb.secrets.Secret` so that no log can print them.
"""

from __future__ import annotations

import os
import stat
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pyarb.model import Venue
from pyarb.secrets import Secret

PositiveDecimal = Annotated[Decimal, Field(gt=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0)]


class ConfigError(Exception):
    """A config, a secret or a flag that cannot be used, with the key it is about."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EngineSection(_Section):
    db: Path | None = None  # None: pyarb.db here; --db and $PYARB_DB win over it
    leg_policy: Literal["sequential", "concurrent"] = "sequential"
    leg_a: Venue = "edgex"  # the venue whose leg goes first: the one that failed in the incident
    order_timeout_s: Annotated[float, Field(gt=0)] = 5.0
    not_found_grace_s: Annotated[float, Field(ge=0)] = 2.0  # a venue's "not found" is final only this long after sending
    status_interval_s: Annotated[float, Field(gt=0)] = 1.0


class StrategySection(_Section):
    entry_edge_bps: Decimal = Decimal("3")  # open when the net edge after both taker fees reaches this
    exit_edge_bps: Decimal = Decimal("-2")  # close when reversing the pair costs no more than this
    max_size: PositiveDecimal = Decimal("0.005")  # BTC per trade
    max_book_age_ms: Annotated[int, Field(gt=0)] = 2000


class RiskSection(_Section):
    max_open_pairs: Annotated[int, Field(ge=0)] = 3
    max_position_btc: dict[Venue, PositiveDecimal] = Field(
        default_factory=lambda: {"edgex": Decimal("0.05"), "paradex": Decimal("0.05")})
    max_notional_usd: PositiveDecimal = Decimal("1000")
    daily_loss_limit_usd: PositiveDecimal = Decimal("100")
    stop_loss_usd: PositiveDecimal = Decimal("25")  # per pair, marked at what closing it now would realise
    max_hold_s: Annotated[float, Field(gt=0)] = 3600.0
    cooldown_after_trade_s: Annotated[float, Field(ge=0)] = 1.0
    cooldown_after_failure_s: Annotated[float, Field(ge=0)] = 5.0
    max_in_flight: Annotated[int, Field(ge=1)] = 1  # trades in flight per pair


class HedgeSection(_Section):
    attempts: Annotated[int, Field(ge=1)] = 3
    budget_s: Annotated[float, Field(gt=0)] = 5.0
    slippage_bps: NonNegativeDecimal = Decimal("5")  # the first attempt's protective price beyond the book
    max_slippage_bps: NonNegativeDecimal = Decimal("30")  # the last attempt's

    @model_validator(mode="after")
    def _ordered(self) -> HedgeSection:
        if self.max_slippage_bps < self.slippage_bps:
            raise ValueError("max_slippage_bps must be at least slippage_bps")
        return self


class UnwindSection(_Section):
    slippage_bps: list[NonNegativeDecimal] = Field(
        default_factory=lambda: [Decimal(x) for x in ("10", "25", "50", "100", "200")], min_length=1)
    confirm_attempts: Annotated[int, Field(ge=1)] = 10  # reads of the venue's position before alerting


class BreakerSection(_Section):
    errors: Annotated[int, Field(ge=1)] = 3
    cooldown_s: Annotated[float, Field(gt=0)] = 10.0
    max_cooldown_s: Annotated[float, Field(gt=0)] = 300.0


class ReconcileSection(_Section):
    interval_s: Annotated[float, Field(gt=0)] = 30.0
    tolerance: dict[Venue, NonNegativeDecimal] = Field(default_factory=dict)  # absent: one step of the venue
    auto_flatten: bool = False  # close an unexplained residual with reduce-only orders


class WebhookSection(_Section):
    url: str
    format: Literal["json", "slack", "telegram"] = "json"
    chat_id: str | None = None

    @model_validator(mode="after")
    def _telegram_chat(self) -> WebhookSection:
        if self.format == "telegram" and not self.chat_id:
            raise ValueError("a telegram webhook needs chat_id")
        return self


class AlertsSection(_Section):
    webhooks: list[WebhookSection] = Field(default_factory=list)


class MetricsSection(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 9464


class VenueSection(_Section):
    """Where a venue is. ``url`` is one base URL serving REST and websockets (a pyarb simulator);
    ``rest_url`` and ``ws_url`` name them apart (the real venue); ``env`` picks the documented ones."""

    market: str | None = None
    url: str | None = None
    rest_url: str | None = None
    ws_url: str | None = None
    env: Literal["prod", "testnet"] | None = None

    @field_validator("url", "rest_url", "ws_url")
    @classmethod
    def _scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError(f"not a URL: {value!r}")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> VenueSection:
        given = [name for name, v in (("url", self.url), ("rest_url", self.rest_url), ("env", self.env)) if v]
        if len(given) > 1:
            raise ValueError(f"give one of url, rest_url (+ ws_url) or env, not {' and '.join(given)}")
        return self

    @property
    def embedded(self) -> bool:
        """No location at all: paper trading on an embedded simulator."""
        return not (self.url or self.rest_url or self.env)


class VenuesSection(_Section):
    edgex: VenueSection = Field(default_factory=VenueSection)
    paradex: VenueSection = Field(default_factory=VenueSection)


class SecretsSection(_Section):
    file: Path | None = None


class Config(_Section):
    engine: EngineSection = Field(default_factory=EngineSection)
    strategy: StrategySection = Field(default_factory=StrategySection)
    risk: RiskSection = Field(default_factory=RiskSection)
    hedge: HedgeSection = Field(default_factory=HedgeSection)
    unwind: UnwindSection = Field(default_factory=UnwindSection)
    breaker: BreakerSection = Field(default_factory=BreakerSection)
    reconcile: ReconcileSection = Field(default_factory=ReconcileSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    metrics: MetricsSection = Field(default_factory=MetricsSection)
    venues: VenuesSection = Field(default_factory=VenuesSection)
    secrets: SecretsSection = Field(default_factory=SecretsSection)

    @property
    def paper(self) -> bool:
        """Both venues embedded: ``pyarb run`` starts its own simulators."""
        return self.venues.edgex.embedded and self.venues.paradex.embedded

    def venue(self, name: str) -> VenueSection:
        return getattr(self.venues, name)


def _describe(error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        key = ".".join(str(part) for part in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"{key}: {msg}")
    return "; ".join(lines)


def parse(data: dict[str, Any], source: str = "config") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from None


def load(path: Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    """The config from ``path`` (or the defaults), with ``overrides`` (from command-line flags) on top."""
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for section, values in (overrides or {}).items():
        node = data
        for part in section.split("."):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{source}: {section} must be a table")
        node.update(values)
    return parse(data, source)


# --- secrets -----------------------------------------------------------------------------------------------

# (venue, key) -> environment variable. Keys that are not secret still come from here, beside their secrets.
SECRET_ENV: dict[tuple[str, str], str] = {
    ("paradex", "account"): "PYARB_PARADEX_ACCOUNT",
    ("paradex", "private_key"): "PYARB_PARADEX_PRIVATE_KEY",
    ("edgex", "account_id"): "PYARB_EDGEX_ACCOUNT_ID",
    ("edgex", "api_key"): "PYARB_EDGEX_API_KEY",
    ("edgex", "api_secret"): "PYARB_EDGEX_API_SECRET",
    ("edgex", "api_passphrase"): "PYARB_EDGEX_API_PASSPHRASE",
    ("edgex", "trading_private_key"): "PYARB_EDGEX_PRIVATE_KEY",
}
PUBLIC_KEYS = {("paradex", "account"), ("edgex", "account_id")}


def read_secrets_file(path: Path) -> dict[str, dict[str, str]]:
    """A TOML file of ``[paradex]`` and ``[edgex]`` tables. Refused when group or others may read it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"secrets file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"secrets file {path} is readable by group or others (mode {stat.S_IMODE(mode):o}); "
                          f"run: chmod 600 {path}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError:
        # the parser's message can quote the offending line, which may hold a secret
        raise ConfigError(f"secrets file {path} is not valid TOML") from None
    known = {v for v, _ in SECRET_ENV}
    for venue, table in data.items():
        if venue not in known or not isinstance(table, dict):
            raise ConfigError(f"secrets file {path}: unknown table {venue!r} (expected {', '.join(sorted(known))})")
        for key in table:
            if (venue, key) not in SECRET_ENV:
                raise ConfigError(f"secrets file {path}: unknown key {venue}.{key}")
    return data


def venue_secrets(venue: str, file_values: dict[str, dict[str, str]], environ: dict[str, str] | None = None
                  ) -> dict[str, str | Secret] | None:
    """The venue's credentials (environment first, then the file), or None if none is given at all.
    A partial set is an error naming every missing variable."""
    env = os.environ if environ is None else environ
    found: dict[str, str | Secret] = {}
    missing = []
    for (v, key), var in SECRET_ENV.items():
        if v != venue:
            continue
        value = env.get(var) or file_values.get(venue, {}).get(key)
        if not value:
            missing.append(var)
            continue
        found[key] = value if (v, key) in PUBLIC_KEYS else Secret(value)
    if not found:
        return None
    if missing:
        raise ConfigError(f"{venue} credentials incomplete: set {', '.join(missing)} "
                          f"(environment) or the same keys in the secrets file")
    return found
