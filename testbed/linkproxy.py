#!/usr/bin/python3
"""The replication links of a testbed pair, passed through one process that can cut them.

  linkproxy.py --pidfile FILE LISTEN=TARGET [LISTEN=TARGET ...]

Listens on each unix socket LISTEN and connects every client it accepts to the unix socket
TARGET, copying bytes both ways. start.sh --link-proxy puts it between the primary and the
secondary (migration stream, NBD disk replication, the filter-mirror and colo-compare chardevs),
so a fault campaign can break the link between the two hosts:

  SIGUSR1  cut: every connection is closed (both ends see the link go down) and the listening
           sockets are removed, so a reconnecting chardev finds nothing
  SIGUSR2  blackhole: connections stay open, but no byte passes any more in either direction
           (a partition that neither end notices by itself)
  SIGTERM  ends the proxy

Writes its pid to FILE once every socket listens; FILE is on its command line, so stop.sh can
tell it from a reused pid.
"""
import os
import signal
import socket
import sys
import threading
import time

CHUNK = 256 * 1024
CONNECT_SECONDS = 10


class Proxy:
    def __init__(self):
        self.lock = threading.Lock()
        self.sockets = set()
        self.listeners = []
        self.cut = False
        self.blackholed = threading.Event()

    def listen(self, path: str, target: str):
        if os.path.exists(path):
            os.unlink(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(8)
        self.listeners.append((server, path))
        threading.Thread(target=self.accept, args=(server, target), daemon=True).start()

    def accept(self, server: socket.socket, target: str):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # closed by a cut
            threading.Thread(target=self.join, args=(client, target), daemon=True).start()

    def join(self, client: socket.socket, target: str):
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            try:
                upstream.connect(target)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                # The target binds a moment before it listens (QEMU's -incoming, nbd-server-start).
                if time.monotonic() > deadline or self.cut:
                    client.close()
                    upstream.close()
                    return
                time.sleep(0.05)
        with self.lock:
            if self.cut:
                client.close()
                upstream.close()
                return
            self.sockets.update((client, upstream))
        threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()
        self.pump(upstream, client)

    def pump(self, source: socket.socket, sink: socket.socket):
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                if self.blackholed.is_set():
                    continue  # dropped: the partition swallows it
                sink.sendall(data)
        except OSError:
            pass
        # One side ended: the other sees the end too, as through a real link.
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut_all(self, *_):
        with self.lock:
            self.cut = True
            for server, path in self.listeners:
                try:
                    os.unlink(path)
                except OSError:
                    pass
                try:
                    server.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                server.close()
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def blackhole(self, *_):
        self.blackholed.set()


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[1] != "--pidfile" or not all("=" in link for link in argv[3:]):
        print(__doc__, file=sys.stderr)
        return 2
    proxy = Proxy()
    signal.signal(signal.SIGUSR1, proxy.cut_all)
    signal.signal(signal.SIGUSR2, proxy.blackhole)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for link in argv[3:]:
            listen, target = link.split("=", 1)
            proxy.listen(listen, target)
    except OSError as e:
        print(f"linkproxy.py: cannot listen: {e}", file=sys.stderr)
        return 1
    with open(argv[2] + ".tmp", "w") as pidfile:
        pidfile.write(f"{os.getpid()}\n")
    os.rename(argv[2] + ".tmp", argv[2])
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
