"""EdgeX V2: the client (:class:`EdgexClient`) and the protocol it speaks (:mod:`.protocol`, shared with the
simulator in ``pyarb.sim.edgex``)."""

from pyarb.venues.edgex.client import EdgexClient, EdgexCredentials
from pyarb.venues.edgex.protocol import PROD_REST_URL, PROD_WS_URL

__all__ = ["EdgexClient", "EdgexCredentials", "PROD_REST_URL", "PROD_WS_URL"]
