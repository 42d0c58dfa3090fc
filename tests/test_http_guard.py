"""uvicorn's protocol with our guards (mockserver/httpguard.py, issue 17): a client that does
not finish its headers in time is disconnected, and bytes the HTTP parser refuses are answered
400 in the profile's error body instead of uvicorn's plain text."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from mockserver.app import create_app
from mockserver.httpguard import configure
from mockserver.profiles import profile
from tests.receiver import free_port, wait_for


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, our_schema) -> Iterator[int]:
    from mockserver.settings import Settings

    app = create_app(Settings(db=":memory:", header_timeout=1.0), our_schema)
    protocol = configure(profile(app.runtime.schema.profile).error_style, 1.0)
    port = free_port()
    config = uvicorn.Config(app, port=port, http=protocol, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 30, "the guarded server to start")
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed `sock` (fails past `seconds`)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    assert sock.recv(100) == b"", "closed without an answer"
    return time.monotonic() - started


@pytest.mark.parametrize("trickle", [False, True])
def test_a_client_that_never_finishes_its_headers_is_disconnected(guarded, trickle):
    with socket.create_connection(("127.0.0.1", guarded)) as sock:
        sock.sendall(b"GET /api/v2.1/public/contracts/ HTTP/1.1\r\nHost: x\r\n")
        if trickle:  # a byte now and then must not keep it open (uvicorn's keep-alive would)
            for _ in range(3):
                time.sleep(0.3)
                sock.sendall(b"X")
        assert _closed_within(sock, 5) < 2


def test_a_keep_alive_connection_gets_the_same_deadline_for_its_next_request(guarded):
    with socket.create_connection(("127.0.0.1", guarded)) as sock:
        sock.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(10)
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        time.sleep(0.2)
        sock.recv(65536)  # the rest of the first answer
        sock.sendall(b"GET /__admin/health HTTP/1.1\r\n")  # never finished
        assert _closed_within(sock, 5) < 2


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/v2.1/public/con\x00tracts/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v2.1/public/contracts/ HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n",
        b"GET /api/v2.1/public/contr\x7facts/ HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_bytes_the_parser_refuses_get_the_profile_error_body(guarded, request_bytes):
    with socket.create_connection(("127.0.0.1", guarded)) as sock:
        sock.sendall(request_bytes)
        sock.settimeout(10)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    problem = json.loads(body)
    assert problem["status_code"] == 400 and problem["code"] == "invalid_request"


def test_a_pipelined_request_slower_than_the_deadline_still_gets_its_answer(guarded):
    # Two requests in one write: the second starts when the first is answered, its headers
    # long in. The deadline must not run while it is served (a 1.5 s answer, a 1 s deadline).
    rule = json.dumps(
        {
            "action": "latency",
            "latency": {"kind": "fixed", "ms": 1500},
            "match": {"path": "/api/v2.1/public/contract_types/"},
        }
    ).encode()
    with socket.create_connection(("127.0.0.1", guarded)) as admin:
        admin.sendall(
            b"POST /__admin/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(rule), rule)
        )
        admin.settimeout(10)
        assert admin.recv(100).startswith(b"HTTP/1.1 201")
    try:
        with socket.create_connection(("127.0.0.1", guarded)) as sock:
            sock.sendall(
                b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /api/v2.1/public/contract_types/ HTTP/1.1\r\nHost: x\r\n"
                b"client-id: uat-client-acme\r\nclient-secret: uat-secret-acme-0001\r\n\r\n"
            )
            sock.settimeout(10)
            received = b""
            while received.count(b"HTTP/1.1 ") < 2 or not received.endswith((b"}", b"]")):
                chunk = sock.recv(65536)
                assert chunk, f"closed before the second answer: {received[-300:]!r}"
                received += chunk
            assert received.count(b"HTTP/1.1 200") == 2
    finally:
        with socket.create_connection(("127.0.0.1", guarded)) as admin:
            admin.sendall(
                b"DELETE /__admin/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            admin.settimeout(10)
            admin.recv(100)


def test_a_websocket_upgrade_is_refused_not_a_server_error(guarded):
    with socket.create_connection(("127.0.0.1", guarded)) as sock:
        sock.sendall(
            b"GET /api/v2.1/public/contract_types/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        sock.settimeout(10)
        status = sock.recv(100).split(b"\r\n", 1)[0]
    assert status.startswith(b"HTTP/1.1 403"), status
