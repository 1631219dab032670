"""What a compensation write answers when it is refused."""

from __future__ import annotations


class DecisionError(Exception):
    """A compensation step was refused; carries the reasons in the user's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = [str(p) for p in problems]
