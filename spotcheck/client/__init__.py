"""The client side of spotcheck, shared by the contract suite and the Locust profiles: what
any client of a vendor family does, without the mock (this package imports no `mockserver`).

- `families`: one object per vendor family: credential headers, token flow, version header,
  error body, fixture credential; detected from a schema's `securitySchemes`;
- `auth`: `ClientAuth`, one client's headers (a token family's token fetched once, cached);
- `tokens`: the client-credentials grant and the token cache;
- `pacing`: `Pacer`, requests spaced at most N per second across threads or greenlets;
- `target`: is the target the mock, is it production;
- `servers`: a free loopback port, an ASGI app served by uvicorn in a thread;
- `payloads`: request bodies; `versions`: date-named versions as a client reads them;
- `masking`: secrets masked in what a tool keeps (the mock reuses it).

Nothing is imported here: Locust loads these modules after its gevent patching, the mock
loads only `masking`.
"""
