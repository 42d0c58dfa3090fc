"""Headers that describe one connection, not the message (RFC 9110 7.6.1), plus the framing
headers the next client recomputes: what a forwarding hop (proxy, listener, replay) drops."""

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
