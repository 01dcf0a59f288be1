"""Errors and warnings the user can act on.

Every error a user can cause (a bad scenario key, a negative capacity in a CSV, a missing file,
an infeasible scenario) is raised as a :class:`GzgridError` with one message that names the
file, row or key and what would be valid. The command line prints the message and exits with
status 2, without a traceback unless ``--debug`` is given. Something the user should know but
that does not stop the work (an extra register column, an unreadable sweep record that is solved
again) is a :class:`GzgridWarning`, printed by the command line as one line.

A message quotes what the user wrote through :func:`quote` or :func:`clip`, never whole: input
can be huge (a YAML alias bomb expands to hundreds of megabytes), and a message is one line.
"""

from __future__ import annotations

import difflib
import reprlib
import warnings
from collections.abc import Iterable

#: Most characters of user input a message quotes.
QUOTE_LIMIT = 200


class GzgridError(Exception):
    """An error caused by input or by the model the input describes (exit status 2)."""


class InputError(GzgridError):
    """A scenario file, register CSV or command-line value is not valid."""


class SolveError(GzgridError):
    """The optimisation did not reach an optimal solution."""


class GzgridWarning(UserWarning):
    """Something the user should know that does not stop the command (printed as one line)."""


def warn(message: str) -> None:
    """Issue a :class:`GzgridWarning` (the command line prints it as ``warning: ...``)."""
    warnings.warn(message, GzgridWarning, stacklevel=2)


def _bounded_repr(limit: int) -> reprlib.Repr:
    # reprlib never builds the full repr of a nested value, so a huge input costs nothing here
    r = reprlib.Repr()
    r.maxlevel = 3
    r.maxdict = r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = 8
    r.maxstring = r.maxother = r.maxlong = limit
    return r


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` shortened to at most ``limit`` characters (``...`` marks a cut).

    Parameters
    ----------
    value : object
        What the user wrote (any size, any nesting).
    limit : int
        Most characters returned.
    """
    text = _bounded_repr(limit).repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clip(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``str(text)`` shortened to at most ``limit`` characters (for text quoted without repr)."""
    if not isinstance(text, str):
        return quote(text, limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: str, valid: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest valid word, or ``""``.

    Parameters
    ----------
    word : str
        What the user wrote.
    valid : iterable of str
        The accepted words.
    """
    word = clip(str(word), 100)  # difflib is quadratic in the word's length
    close = difflib.get_close_matches(word, [str(v) for v in valid], n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""
