"""The bounded memory both venue clients keep of their streams."""

from __future__ import annotations

from pyarb.recent import Recent


def test_past_its_limit_it_forgets_the_key_written_longest_ago() -> None:
    recent = Recent(3)
    for key in "abc":
        recent[key] = key.upper()
    recent["a"] = "A2"  # written again: now the newest
    recent["d"] = "D"
    assert list(recent.items()) == [("c", "C"), ("a", "A2"), ("d", "D")]


def test_first_time_remembers_each_key_once() -> None:
    recent = Recent(2)
    assert recent.first_time(("fill", "1"))
    assert not recent.first_time(("fill", "1"))
    assert recent.first_time(("fill", "2")) and recent.first_time(("fill", "3"))
    assert recent.first_time(("fill", "1"))  # forgotten past the limit
