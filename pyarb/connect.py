"""Builds the venue clients a config asks for. The launcher's glue: it knows the config, the secrets, the
clients and the simulators' SIMULATOR-ONLY accounts; nothing else in pyarb needs to know all four."""

from __future__ import annotations

from pathlib import Path

from pyarb.config import Config, ConfigError, read_secrets_file, venue_secrets
from pyarb.model import BTC_PERP, VENUES
from pyarb.secrets import Secret
from pyarb.venues.base import VenueClient


def market_of(config: Config, venue: str) -> str:
    return config.venue(venue).market or BTC_PERP[venue]


def build_clients(config: Config, urls: dict[str, str]) -> dict[str, VenueClient]:
    """One client per venue. ``urls`` holds the base URLs of simulators (embedded or standalone) for venues
    the config does not locate. A venue at a simulator's base URL uses the simulator's own account unless
    credentials are given; a venue located by ``rest_url`` or ``env`` needs credentials."""
    file_values = read_secrets_file(Path(config.secrets.file).expanduser()) if config.secrets.file else {}
    clients: dict[str, VenueClient] = {}
    for venue in VENUES:
        section = config.venue(venue)
        base_url = section.url or urls.get(venue)
        creds = venue_secrets(venue, file_values)
        if creds is None and base_url is None:
            raise ConfigError(f"{venue}: live trading needs credentials; set them in the environment or the "
                              f"secrets file (see README: Running live)")
        market = market_of(config, venue)
        clients[venue] = (_edgex if venue == "edgex" else _paradex)(section, base_url, creds, market)
    return clients


def _edgex(section, base_url: str | None, creds: dict | None, market: str) -> VenueClient:
    from pyarb.venues.edgex import EdgexClient, EdgexCredentials
    from pyarb.venues.edgex import protocol

    if creds is None:
        from pyarb.sim.edgex import SIM_CREDENTIALS

        credentials = SIM_CREDENTIALS
    else:
        credentials = EdgexCredentials(**creds)
    if base_url is not None:
        return EdgexClient(credentials, rest_url=base_url, markets=(market,))
    if section.env == "testnet":
        raise ConfigError("venues.edgex.env: EdgeX V2 publishes no testnet; give rest_url and ws_url instead")
    return EdgexClient(credentials, rest_url=section.rest_url or protocol.PROD_REST_URL,
                       ws_url=section.ws_url or (None if section.rest_url else protocol.PROD_WS_URL),
                       markets=(market,))


def _paradex(section, base_url: str | None, creds: dict | None, market: str) -> VenueClient:
    from pyarb.venues.paradex import ParadexClient, ParadexEndpoints

    if creds is None:
        from pyarb.sim.paradex import SIM_ACCOUNT, SIM_PRIVATE_KEY

        account, key = SIM_ACCOUNT, Secret(SIM_PRIVATE_KEY)
    else:
        account, key = str(creds["account"]), creds["private_key"]
    if base_url is not None:
        endpoints = ParadexEndpoints.from_base_url(base_url)
    elif section.env is not None:
        endpoints = ParadexEndpoints.for_env(section.env)
    else:
        if not section.ws_url:
            raise ConfigError("venues.paradex: rest_url needs ws_url beside it")
        endpoints = ParadexEndpoints(rest=section.rest_url, ws=section.ws_url)
    return ParadexClient(endpoints, account, key, markets=(market,))
