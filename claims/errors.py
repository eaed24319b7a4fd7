"""Exceptions a user can cause, each with a message fit to show them as it is.

Anything else raised inside claimbot is a bug: it is logged with its traceback, not shown.
"""


class ClaimbotError(Exception):
    """Base class: ``str(exc)`` is a complete, user-facing sentence."""


class ConfigError(ClaimbotError):
    """The configuration or a config data file is unusable."""


class SchemaOutdatedError(ClaimbotError):
    """The database schema is older (or newer) than this code expects."""


class InputError(ClaimbotError):
    """Input that cannot be turned into an article: missing, empty, binary, unreachable, not prose."""


class NotFoundError(ClaimbotError):
    """An id or name that does not exist."""


class InvalidArgumentError(ClaimbotError):
    """A well-formed request with a value that is not allowed (for example an unknown verdict)."""
