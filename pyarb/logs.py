"""Logging for the engine: plain lines for people, JSON lines for machines.

Every line about a trade carries its ``trade_id`` and ``leg`` (passed as ``extra=``), so one grep or one jq
filter tells a trade's story leg by leg. Records are formatted and written by a listener thread, so a slow
terminal or disk never holds up the event loop between a decision and its order.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import sys
import time
from typing import IO, Literal

import orjson

_CONTEXT_KEYS = ("trade_id", "leg", "venue", "client_id", "alert")


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{k}={getattr(record, k)}" for k in _CONTEXT_KEYS if getattr(record, k, None) is not None)
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}"
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if context:
            line += f" [{context}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": round(record.created, 6),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure(fmt: Literal["plain", "json"] = "plain", level: int = logging.INFO,
              stream: IO[str] | None = None) -> logging.Handler:
    """Send pyarb's logs to ``stream`` (stderr by default) in one format, through a background listener.
    Returns the handler that writes."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    # the engine never logs these, and each costs a system call or a lookup per record on the trading thread
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(records, handler)
    listener.start()
    atexit.register(listener.stop)  # drains what is queued before the process exits
    root = logging.getLogger("pyarb")
    root.handlers[:] = [_Enqueue(records)]
    root.setLevel(level)
    root.propagate = False
    return handler


class _Enqueue(logging.handlers.QueueHandler):
    """Hands the record over as it is: the listener's formatter reads its ``extra`` fields."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record
