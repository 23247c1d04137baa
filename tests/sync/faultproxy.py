"""A small fault-injecting HTTP/1.1 proxy between the branch and HQ.

Each request the branch sends is read whole, then handled by the next scripted fault
(or passed through when the script is empty):

    drop_request    the request never reaches HQ; the branch's connection is closed
    drop_response   HQ receives, commits and answers; the answer is thrown away
    duplicate       HQ receives the request twice; the branch gets the second answer
    slow            request and answer trickle through in small pieces
    partial         HQ gets half the request body, then the connection closes
    reset           the branch's connection is reset (RST) without an answer

`partition()` / `heal()` make every connection fail until healed.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque


def _read_message(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """One HTTP message (headers + Content-Length body) from `sock`, or None at EOF."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, _ = bytes(buffer).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    total = len(head) + 4 + length
    while len(buffer) < total:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    message = bytes(buffer[:total])
    del buffer[:total]
    return message


def _exchange(upstream: tuple[str, int], request: bytes, *, slow: bool = False) -> bytes | None:
    with socket.create_connection(upstream, timeout=30) as conn:
        if slow:
            for i in range(0, len(request), 256):
                conn.sendall(request[i : i + 256])
                time.sleep(0.002)
        else:
            conn.sendall(request)
        return _read_message(conn, bytearray())


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.faults: deque[str] = deque()
        self.partitioned = threading.Event()
        self.seen: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *faults: str) -> None:
        self.faults.extend(faults)

    def partition(self) -> None:
        self.partitioned.set()

    def heal(self) -> None:
        self.partitioned.clear()

    def close(self) -> None:
        self._stop.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        try:
            while True:
                request = _read_message(client, buffer)
                if request is None:
                    return
                fault = (
                    "partition"
                    if self.partitioned.is_set()
                    else (self.faults.popleft() if self.faults else "pass")
                )
                self.seen.append(fault)
                if not self._handle(client, request, fault):
                    return
        except OSError:
            return
        finally:
            client.close()

    def _handle(self, client: socket.socket, request: bytes, fault: str) -> bool:
        """Returns whether the connection stays usable."""
        if fault in ("drop_request", "partition"):
            return False
        if fault == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if fault == "partial":
            head, _, body = request.partition(b"\r\n\r\n")
            with socket.create_connection(self.upstream, timeout=30) as conn:
                conn.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
                time.sleep(0.05)
            return False
        if fault == "duplicate":
            _exchange(self.upstream, request)
        response = _exchange(self.upstream, request, slow=fault == "slow")
        if response is None or fault == "drop_response":
            return False
        if fault == "slow":
            for i in range(0, len(response), 64):
                client.sendall(response[i : i + 64])
                time.sleep(0.002)
        else:
            client.sendall(response)
        return True
