"""Errors the user can act on.

Every error a user can cause (a bad scenario key, a negative capacity in a CSV, a missing file,
an infeasible scenario) is raised as a :class:`GzgridError` with one message that names the
file, row or key and what would be valid. The command line prints the message and exits with
status 2, without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GzgridError(Exception):
    """An error caused by input or by the model the input describes (exit status 2)."""


class InputError(GzgridError):
    """A scenario file, register CSV or command-line value is not valid."""


class SolveError(GzgridError):
    """The optimisation did not reach an optimal solution."""


def did_you_mean(word: str, valid: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest valid word, or ``""``.

    Parameters
    ----------
    word : str
        What the user wrote.
    valid : iterable of str
        The accepted words.
    """
    close = difflib.get_close_matches(str(word), [str(v) for v in valid], n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""
