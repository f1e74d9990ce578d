#!/usr/bin/python3
"""The replication links of a testbed pair, passed through one process that can cut and delay them.

  linkproxy.py --pidfile FILE [--delay-ms MS] LISTEN=TARGET [LISTEN=TARGET ...]

Listens on each LISTEN and connects every client it accepts to TARGET, copying bytes both ways.
Each end is a unix socket path, or tcp:ADDRESS:PORT. start.sh --link-proxy puts one process
between the primary and the secondary (migration stream, NBD disk replication, the filter-mirror
and colo-compare chardevs), so a fault campaign can break the link between the two hosts;
start.sh --link shaped runs one in each of the pair's two network namespaces, passing the unix
sockets of its side over TCP across the shaped veth pair between them.

  --delay-ms  hold every chunk this long before passing it on (one-way delay added by this
              process; 0, the default, passes at once): a link delay where the kernel has no
              netem queueing discipline

  SIGUSR1  cut: every connection is closed (both ends see the link go down) and the listening
           sockets are removed, so a reconnecting chardev finds nothing
  SIGUSR2  blackhole: connections stay open, but no byte passes any more in either direction
           (a partition that neither end notices by itself)
  SIGTERM  ends the proxy

Writes its pid to FILE once every socket listens; FILE is on its command line, so stop.sh can
tell it from a reused pid.
"""
import collections
import os
import signal
import socket
import sys
import threading
import time

CHUNK = 256 * 1024
CONNECT_SECONDS = 10


def parse_end(text: str):
    """A unix socket path, or ('tcp', address, port) for tcp:ADDRESS:PORT."""
    if text.startswith("tcp:"):
        address, _, port = text[4:].rpartition(":")
        if not address or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"'{text}' is not tcp:ADDRESS:PORT with a port in [1, 65535]")
        return ("tcp", address, int(port))
    if not text:
        raise ValueError("an empty socket path")
    return text


def new_socket(end) -> socket.socket:
    if isinstance(end, tuple):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)


def address_of(end):
    return (end[1], end[2]) if isinstance(end, tuple) else end


class Proxy:
    def __init__(self, delay_seconds: float):
        self.delay = delay_seconds
        self.lock = threading.Lock()
        self.sockets = set()
        self.listeners = []
        self.cut = False
        self.blackholed = threading.Event()

    def listen(self, listen_end, target_end):
        server = new_socket(listen_end)
        if isinstance(listen_end, tuple):
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        elif os.path.exists(listen_end):
            os.unlink(listen_end)
        server.bind(address_of(listen_end))
        server.listen(8)
        self.listeners.append((server, listen_end))
        threading.Thread(target=self.accept, args=(server, target_end), daemon=True).start()

    def accept(self, server: socket.socket, target_end):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # closed by a cut
            if client.family == socket.AF_INET:
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.join, args=(client, target_end), daemon=True).start()

    def join(self, client: socket.socket, target_end):
        upstream = new_socket(target_end)
        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            try:
                upstream.connect(address_of(target_end))
                break
            except (ConnectionRefusedError, FileNotFoundError):
                # The target binds a moment before it listens (QEMU's -incoming, nbd-server-start),
                # or the other namespace's proxy is not listening yet.
                if time.monotonic() > deadline or self.cut:
                    client.close()
                    upstream.close()
                    return
                time.sleep(0.05)
                upstream.close()
                upstream = new_socket(target_end)
            except OSError:
                client.close()
                upstream.close()
                return
        with self.lock:
            if self.cut:
                client.close()
                upstream.close()
                return
            self.sockets.update((client, upstream))
        threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()
        self.pump(upstream, client)

    def pump(self, source: socket.socket, sink: socket.socket):
        if self.delay > 0:
            self.delayed_pump(source, sink)
        else:
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
        self.end(source, sink)

    def delayed_pump(self, source: socket.socket, sink: socket.socket):
        """Reads at once and writes each chunk when it is due, from a writer thread of its own."""
        queue = collections.deque()
        ready = threading.Condition()

        def write():
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, data = queue.popleft()
                if data is None:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if self.blackholed.is_set():
                    continue
                try:
                    sink.sendall(data)
                except OSError:
                    self.end(source, sink)
                    return

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                with ready:
                    queue.append((time.monotonic() + self.delay, data))
                    ready.notify()
        except OSError:
            pass
        with ready:
            queue.append((0, None))  # what was read still goes out, then the end
            ready.notify()
        writer.join()

    @staticmethod
    def end(source: socket.socket, sink: socket.socket):
        # One side ended: the other sees the end too, as through a real link.
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut_all(self, *_):
        with self.lock:
            self.cut = True
            for server, listen_end in self.listeners:
                if not isinstance(listen_end, tuple):
                    try:
                        os.unlink(listen_end)
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
    args = argv[1:]
    if len(args) < 2 or args[0] != "--pidfile":
        print(__doc__, file=sys.stderr)
        return 2
    pidfile = args[1]
    args = args[2:]
    delay_ms = 0.0
    if args[:1] == ["--delay-ms"]:
        try:
            delay_ms = float(args[1])
        except (IndexError, ValueError):
            delay_ms = -1
        if not 0 <= delay_ms <= 1000:
            print(f"linkproxy.py: --delay-ms must be a number in [0, 1000], was '{' '.join(args[1:2])}'", file=sys.stderr)
            return 2
        args = args[2:]
    if not args or not all("=" in link for link in args):
        print(__doc__, file=sys.stderr)
        return 2
    proxy = Proxy(delay_ms / 1000)
    signal.signal(signal.SIGUSR1, proxy.cut_all)
    signal.signal(signal.SIGUSR2, proxy.blackhole)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for link in args:
            listen, target = link.split("=", 1)
            proxy.listen(parse_end(listen), parse_end(target))
    except ValueError as e:
        print(f"linkproxy.py: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"linkproxy.py: cannot listen: {e}", file=sys.stderr)
        return 1
    with open(pidfile + ".tmp", "w") as out:
        out.write(f"{os.getpid()}\n")
    os.rename(pidfile + ".tmp", pidfile)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
