"""What a long-running process remembers of what it saw (stream message keys, orders, fills, timings), bounded
so that memory stays flat however long the engine runs."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class Recent(OrderedDict):  # type: ignore[type-arg]
    """A dict of the ``limit`` keys written last: writing a key makes it the newest; past the limit the oldest goes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.limit:
            self.popitem(last=False)

    def first_time(self, key: Any) -> bool:
        """Remember ``key``; whether it was new (a reconnect may replay messages)."""
        if key in self:
            return False
        self[key] = None
        return True
