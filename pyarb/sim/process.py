"""Starting simulators as child processes: what ``pyarb run`` does for paper trading, and what the tests use.

A child simulator dies with its parent (Linux parent-death signal), so a killed engine never leaves one behind.
It runs in its own session, so a Ctrl-C meant for the engine does not pull the venues away from under the
trades it is finishing: the parent stops its simulators last.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the parent's cleanup still stops it
        pass


@dataclass
class Simulator:
    venue: str
    url: str
    process: subprocess.Popen[bytes]

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_simulator(venue: str, *, seed: int, state_path: Path | None = None, port: int = 0,
                    delta_hz: float | None = None, log_path: Path | None = None,
                    timeout: float = 30.0) -> Simulator:
    """Start ``pyarb sim VENUE`` and wait for the base URL it prints first."""
    # -P: never import pyarb from the current directory (a source checkout has no built extension)
    cmd = [sys.executable, "-P", "-m", "pyarb", "sim", venue, "--port", str(port), "--seed", str(seed)]
    if state_path is not None:
        cmd += ["--state", str(state_path)]
    if delta_hz is not None:
        cmd += ["--delta-hz", str(delta_hz)]
    stderr = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                   preexec_fn=_die_with_parent, start_new_session=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    finally:
        if log_path:
            stderr.close()
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or process.poll() is not None:
            process.kill()
            process.wait()
            raise RuntimeError(f"the {venue} simulator did not start (exit code {process.returncode}); "
                               f"see {log_path or 'its stderr'}")
        ready, _, _ = select.select([process.stdout], [], [], left)
        if ready:
            chunk = os.read(process.stdout.fileno(), 1)
            if not chunk:
                continue
            line += chunk
    return Simulator(venue, line.decode().strip(), process)
