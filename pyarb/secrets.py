"""A secret value that cannot leak by accident: its repr and str are masked, so logging a config, an
exception or a client never prints it. Only code that signs calls :meth:`Secret.reveal`."""

from __future__ import annotations


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("a secret cannot be empty")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled into a file or a queue by accident
        raise TypeError("a Secret cannot be pickled")
