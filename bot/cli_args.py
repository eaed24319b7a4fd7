"""Argument types for the ``claimbot`` parser: a bad value is refused in one sentence that says
what to type (argparse prints it after the command's usage), never argparse's ``invalid int value``.

Numbers are ASCII digits only (``claims.normalize.ascii_number``): ``int()`` would read "١٢" as 12
and the command would act on a claim the user did not name."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from claims.normalize import ascii_number


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for a count between ``low`` and ``high`` (no upper bound: ``None``)."""
    def parse(value: str) -> int:
        number = ascii_number(value.strip(), digits=9)
        if number is None:
            raise argparse.ArgumentTypeError(f"{value[:20]!r} is not a whole number; write it in digits 0-9")
        if number < low or (high is not None and number > high):
            limits = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"must be {limits} (got {number})")
        return number

    parse.__name__ = "whole number"
    return parse


positive_int = whole_number(1)
"""A count such as ``--limit``: a whole number of at least 1."""


def claim_number(value: str) -> int:
    """A claim id as printed (``12`` or ``#12``)."""
    number = ascii_number(value.strip().removeprefix("#"))
    if number is None:
        raise argparse.ArgumentTypeError(
            f"{value[:20]!r} is not a claim number; give the number shown after '#', for example 12"
        )
    return number
