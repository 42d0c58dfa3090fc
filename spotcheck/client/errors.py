"""The client side's one error: a target or a schema the client cannot work with. Its message
is for the user (one line, no secret); callers show it without a traceback."""


class ClientError(Exception):
    """The target refused us, or what we were given cannot be used."""
