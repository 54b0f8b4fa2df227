"""Answering a guard's refusal: ``--yes`` for scripts, a typed "yes" on a terminal, otherwise exit 2.

A guard of ``domain/guards.py`` (a user left with no roles, docs/bird.md H1; the organization left without an
active Owner, H2; more users at once than the batch threshold) refuses a change unless its own override flag was
given (``--allow-empty``, ``--allow-no-owner``; the batch guard's flag is ``--yes`` itself). Without that flag:

- with ``--yes`` the change goes ahead, and stderr says which guard ``--yes`` answered;
- without it, when stdin and stderr are both a terminal, the guard's sentence is shown and the person must type
  ``yes`` (anything else, or end of input, refuses);
- otherwise (a script, a pipe, cron) the change is refused, exit 2, with the guard's sentence naming its flag and
  ``--yes``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from birdadmin import errors

if TYPE_CHECKING:
    from birdadmin.cli.output import Output
    from birdadmin.domain.guards import Violation

PROMPT = "Type yes to continue: "
GUARD_TEXT = {
    "empty": "no-roles-left guard (docs/bird.md H1)",
    "no-owner": "no-active-Owner guard (docs/bird.md H2)",
    "batch": "batch-size guard",
}


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (OSError, ValueError):  # a closed or detached stream is no terminal
        return False


def what(violation: Violation) -> str:
    """What the guard found, without its refusal's tail ("so nothing was changed; pass --flag ..."): the sentence
    shown when the change goes ahead (--yes) or is asked about."""
    text = violation.message
    for tail in (", so nothing was changed", "; pass "):
        cut = text.find(tail)
        if cut > 0:
            text = text[:cut]
    return text.rstrip(" .") + "."


def refusal(violation: Violation, *, accepts_yes: bool) -> str:
    """The refusal's sentence for a script: the guard's own (naming its flag), and ``--yes`` where it would do."""
    text = violation.message.rstrip().rstrip(".")
    if accepts_yes and "--yes" not in text:
        text += ", or --yes to answer this confirmation"
    return f"{text} (no terminal to ask on: stdin or stderr is not one)."


def answer(
    violations: Sequence[Violation],
    *,
    out: Output,
    yes: bool,
    accepts_yes: bool = True,
    stdin: IO[str] | None = None,
) -> None:
    """Return when the change may go ahead; raise InputError (exit 2, nothing sent) when it may not.

    ``accepts_yes`` is False for a command that has no ``--yes`` (its refusal then names only the guard's flag).
    """
    if not violations:
        return
    if yes:
        for violation in violations:
            out.error(f"birdadmin-cli: --yes answered the {GUARD_TEXT.get(violation.guard, violation.guard)}: "
                      f"{what(violation)}")
        return
    stdin = stdin or sys.stdin
    if _is_terminal(stdin) and _is_terminal(out.stderr):
        for violation in violations:
            out.error(f"birdadmin-cli: {what(violation)}")
        out.stderr.write(PROMPT)
        out.stderr.flush()
        typed = stdin.readline()
        if typed.strip() == "yes":
            return
        raise errors.InputError("Not confirmed (yes was not typed), so nothing was changed.")
    raise errors.InputError(" ".join(refusal(v, accepts_yes=accepts_yes) for v in violations))
