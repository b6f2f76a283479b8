"""`jixiao serve --workers N` binds its listening socket through `api.serving.TcpConfig`, which
tells the socket it is TCP so that asyncio turns Nagle's algorithm off on every connection it
accepts. Without it (uvicorn's own socket) each answer on a kept-alive connection waited ~43 ms
for the client's delayed ACK."""

from __future__ import annotations

import asyncio
import socket
import threading

import uvicorn

from api.serving import TcpConfig
from tests.conftest import free_port


def _nodelay_of_accepted(config: uvicorn.Config) -> int:
    """TCP_NODELAY on a connection accepted by asyncio from `config`'s bound socket."""
    listener = config.bind_socket()
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()  # type: ignore[attr-defined]

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", config.port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    runner = threading.Thread(target=asyncio.run, args=(main(),))  # a loop of its own, whatever runs in this thread
    runner.start()
    runner.join(timeout=30)
    return seen[0]


def test_the_workers_socket_gets_tcp_nodelay_on_each_connection() -> None:
    assert _nodelay_of_accepted(TcpConfig("api.app:create_app", host="127.0.0.1", port=free_port(), log_level="warning")) != 0


def test_uvicorns_own_socket_does_not_which_is_why_tcpconfig_exists() -> None:
    """The reason for TcpConfig, checked so that it can go once uvicorn binds a TCP socket itself."""
    assert _nodelay_of_accepted(uvicorn.Config("api.app:create_app", host="127.0.0.1", port=free_port(), log_level="warning")) == 0
