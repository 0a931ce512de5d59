"""A PostgreSQL peer on 127.0.0.1 that answers every connection as a server recovering from a crash
does: the startup message gets ErrorResponse FATAL 57P03 "the database system is in recovery mode"."""

import socket
import struct
import threading

RECOVERY_ERROR_FIELDS = (
    (b"S", b"FATAL"),
    (b"V", b"FATAL"),
    (b"C", b"57P03"),
    (b"M", b"the database system is in recovery mode"),
)

SSL_REQUEST_CODE = 80877103


def error_response() -> bytes:
    body = b"".join(code + value + b"\0" for code, value in RECOVERY_ERROR_FIELDS) + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def receive_startup_message(connection: socket.socket) -> None:
    """The startup message (protocol version and parameters), after declining SSL if the client asks
    for it first, as a server without SSL does ("N")."""
    while True:
        length = struct.unpack("!i", receive_exactly(connection, 4))[0]
        code = struct.unpack("!i", receive_exactly(connection, 4))[0]
        receive_exactly(connection, length - 8)
        if code != SSL_REQUEST_CODE:
            return
        connection.sendall(b"N")


class PostgresInRecovery:
    """`with PostgresInRecovery() as server: server.url` — a database URL that always refuses."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"postgresql+pg8000://ainav@127.0.0.1:{self.port}/ainav"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            with connection:
                connection.settimeout(5)
                try:
                    receive_startup_message(connection)
                    self.connections += 1
                    connection.sendall(error_response())
                    # Close only after the client has read the error and hung up: closing with its bytes
                    # unread would reset the connection, and the client would see a reset, not 57P03.
                    connection.shutdown(socket.SHUT_WR)
                    while connection.recv(4096):
                        pass
                except OSError:  # the client went away first
                    continue

    def __enter__(self) -> "PostgresInRecovery":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self._listener.close()
        self._thread.join(timeout=5)
