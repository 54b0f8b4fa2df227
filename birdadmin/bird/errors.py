"""Accounts-API-specific refinements of the shared error hierarchy (birdadmin/errors.py)."""

from __future__ import annotations

from birdadmin import errors


class ValidationError(errors.BadRequestError):
    """422: Bird understood the request but refused a value (a bad ``limit``, an unknown role in ``roleRefs``)."""

    title = "Value refused"


def refine(exc: errors.RequestError) -> errors.RequestError:
    """Re-type a generic 422 as ValidationError, keeping every field; other errors pass through unchanged."""
    if type(exc) is errors.BadRequestError and exc.status == 422:
        return exc.retyped(ValidationError)
    return exc
