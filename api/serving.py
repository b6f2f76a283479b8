"""Serving in several processes (`jixiao serve --workers N`): uvicorn's settings with a listening
socket that says it is TCP.

For `--workers N` uvicorn binds the socket itself and hands it to the worker processes. It
creates it with `proto` 0; accepted connections inherit that, and asyncio turns Nagle's algorithm
off (`TCP_NODELAY`) only on a socket whose `proto` is TCP. Every answer on a kept-alive connection
then waited for the client's delayed ACK: 43 ms a request, 153 deductions/s from 8 clients
against 518/s in one process (measured, bench/http_commands.py; uvicorn issue #3149, open when
this was written). The same socket, told its protocol, gets `TCP_NODELAY` on each connection.
"""

from __future__ import annotations

import socket

import uvicorn


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp
