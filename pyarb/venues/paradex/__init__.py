"""Paradex: the client (:class:`ParadexClient`) and the protocol it speaks (:mod:`.protocol`, shared with the
simulator in ``pyarb.sim.paradex``)."""

from pyarb.venues.paradex.client import ParadexClient, ParadexError
from pyarb.venues.paradex.protocol import ParadexEndpoints

__all__ = ["ParadexClient", "ParadexEndpoints", "ParadexError"]
