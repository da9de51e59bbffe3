//! L2 books built from the venues' raw websocket frames, and the executable cross-venue spread.
