"""One window per user and data folder: a second launch hands its files to the first.

"Open with Desktop Editor" in a file manager starts a new process each time. Two windows on one
history would both resume and follow the same jobs (the store's leases keep them from paying
twice, but two apps over one history still confuse). So a launch first tries to reach a running
window through a local socket (QLocalServer/QLocalSocket: a Unix domain socket, a named pipe on
Windows) named after the user and the data folder, sends it the files to open, and exits; the
first launch listens on that name. A lock file in the data folder settles two launches at the
same moment, and a socket left by a crashed window is replaced.

The message is one line of JSON, `{"open": ["/abs/path", ...]}`, answered with `ok`.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

HAND_OVER_TIMEOUT_MS = 2000
# How long a launch that lost the race waits for the winner's window to start listening.
STARTING_WINDOW_WAIT_S = 5.0
_MAX_MESSAGE = 1 << 20


def server_name(data_dir: Path) -> str:
    """The socket name for this user and data folder (hashed: no odd characters, same length)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the folder still separates
        user = ""
    digest = hashlib.sha256(f"{user}\0{Path(data_dir).absolute()}".encode()).hexdigest()[:20]
    return f"desktop-editor-{digest}"


def hand_over(name: str, paths: list[Path], timeout_ms: int = HAND_OVER_TIMEOUT_MS) -> bool:
    """Send `paths` to the window listening on `name`; True when it took them. Blocking (this
    runs before any window exists, or on a thread of its own)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    message = json.dumps({"open": [str(Path(p).absolute()) for p in paths]}).encode() + b"\n"
    socket.write(QByteArray(message))
    answered = b""
    socket.waitForBytesWritten(timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while not answered.endswith(b"\n") and time.monotonic() < deadline:
        ready = socket.waitForReadyRead(max(1, int((deadline - time.monotonic()) * 1000)))
        answered += bytes(socket.readAll().data())
        if not ready:
            break  # closed (the answer, if any, was read with it) or timed out
    socket.abort()
    return answered.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later launches and re-emits the files they hand over, on the GUI thread.

    Signals:
        files_received(list): the paths (Path) a later launch asked to open; empty when it was
            started without files (the window should just come to the front).
    """

    files_received = Signal(list)

    def __init__(self, name: str, lock: QLockFile | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._lock = lock  # held for as long as this window lives
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a socket a crashed window left behind is removed first."""
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QLocalSocket.LocalSocketError.AddressInUseError:
            QLocalServer.removeServer(self.name)
            if self._server.listen(self.name):
                return True
        log.warning("cannot listen for other launches on %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    @Slot()
    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    @Slot()
    def _on_ready_read(self) -> None:
        self._read(self.sender())

    @Slot()
    def _on_disconnected(self) -> None:
        socket = self.sender()
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > _MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        self._buffers[socket] = b""
        try:
            message = json.loads(data.split(b"\n", 1)[0])
            paths = [Path(p) for p in message.get("open", []) if isinstance(p, str)]
        except (ValueError, AttributeError, TypeError):
            log.warning("ignored a malformed message from another launch")
            socket.abort()
            return
        socket.write(QByteArray(b"ok\n"))
        socket.flush()
        socket.disconnectFromServer()
        self.files_received.emit(paths)


def become_the_window(data_dir: Path, paths: list[Path]) -> tuple[InstanceServer | None, bool]:
    """Hand `paths` to a running window, or become the window others hand over to.

    Returns (server, handed_over). `handed_over` True: a running window took the files, this
    launch should exit. Otherwise `server` listens for later launches (None if it could not:
    the app then runs on its own, as before).
    """
    name = server_name(data_dir)
    lock = QLockFile(str(Path(data_dir) / "window.lock"))
    lock.setStaleLockTime(0)  # held for the window's whole life; a dead holder is still detected
    deadline = time.monotonic() + STARTING_WINDOW_WAIT_S
    while True:
        if hand_over(name, paths, timeout_ms=500):
            return None, True
        if lock.tryLock(0):
            server = InstanceServer(name, lock)
            return (server if server.listen() else None), False
        if time.monotonic() > deadline:  # another launch holds the lock but never listened
            log.warning("another launch holds %s but does not answer; starting anyway", lock.fileName())
            return None, False
        time.sleep(0.1)  # another launch is starting right now: its window will listen shortly
