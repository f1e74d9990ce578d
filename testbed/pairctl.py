#!/usr/bin/python3
"""Talks to a testbed pair for start.sh: QMP commands, waiting for COLO, waiting for HTTP.

  pairctl.py qmp SOCKET COMMAND_JSON [COMMAND_JSON ...]   replies one a line; fails on an error reply
  pairctl.py wait-colo SOCKET SECONDS SECONDARY_SOCKET    until the primary reports COLO mode "primary"
                                                          and the secondary "secondary"
  pairctl.py wait-http URL SECONDS                        until URL answers 200

Every failure prints one line to stderr and exits 1 (3 for a QEMU whose migration completed
instead of entering COLO).
"""
import json
import socket
import sys
import time
import urllib.request


class Qmp:
    def __init__(self, path: str, timeout: float):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        # QEMU binds its socket a moment before it listens on it: retry a refused connect briefly.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.stream = self.sock.makefile("rwb")
        self.next_id = 0
        # The greeting comes first; anything else before it (seen rarely while the previous client
        # of this single-client monitor was still closing) is skipped, not taken for the greeting.
        message = self._read()
        while "QMP" not in message:
            message = self._read()
        self.greeting = message["QMP"]
        self.call("qmp_capabilities")

    def _read(self) -> dict:
        line = self.stream.readline()
        if not line:
            raise ConnectionError(f"QEMU closed {self.path}")
        return json.loads(line)

    def execute(self, command: dict) -> dict:
        self.next_id += 1
        command = dict(command, id=self.next_id)
        self.stream.write(json.dumps(command).encode() + b"\n")
        self.stream.flush()
        while True:
            message = self._read()
            if message.get("id") == self.next_id:  # events are skipped
                return message

    def call(self, name: str, arguments: dict | None = None):
        command = {"execute": name}
        if arguments is not None:
            command["arguments"] = arguments
        answer = self.execute(command)
        if "error" in answer:
            raise RuntimeError(f"{name} failed: {answer['error'].get('desc', answer['error'])}")
        return answer["return"]

    def version(self) -> str:
        v = self.greeting["version"]["qemu"]
        return f"{v['major']}.{v['minor']}.{v['micro']}"


def qmp(path: str, *commands: str) -> int:
    client = Qmp(path, 10)
    for text in commands:
        command = json.loads(text)
        answer = client.execute(command)
        if "error" in answer:
            desc = answer["error"].get("desc", answer["error"])
            print(f"{command.get('execute')} on {path} failed: {desc}", file=sys.stderr)
            return 1
        print(json.dumps(answer["return"]))
    return 0


def wait_colo(path: str, seconds: str, secondary_path: str) -> int:
    client = Qmp(path, 10)
    deadline = time.monotonic() + float(seconds)
    status = None
    while time.monotonic() < deadline:
        if client.call("query-colo-status").get("mode") == "primary":
            # The secondary enters COLO a moment after the primary: the pair is ready when both are.
            secondary = Qmp(secondary_path, 10)
            mode = None
            while time.monotonic() < deadline:
                mode = secondary.call("query-colo-status").get("mode")
                if mode == "secondary":
                    return 0
                time.sleep(0.1)
            print(f"the secondary did not reach COLO within {seconds} s (the primary did; query-colo-status "
                  f"mode on the secondary: {mode})", file=sys.stderr)
            return 1
        status = client.call("query-migrate").get("status")
        if status == "completed":
            print(f"the primary's migration completed instead of entering COLO: QEMU {client.version()} has the "
                  "10.0/10.1 regression fixed in 10.0.7 ('migration: Fix transition to COLO state from precopy'); "
                  "use testbed/build-qemu.sh's QEMU", file=sys.stderr)
            return 3
        if status == "failed":
            print(f"the primary's migration to the secondary failed (QEMU {client.version()})", file=sys.stderr)
            return 1
        time.sleep(0.1)
    print(f"the pair did not reach COLO within {seconds} s (waited for query-colo-status mode 'primary'; "
          f"migration status {status})", file=sys.stderr)
    return 1


def wait_http(url: str, seconds: str) -> int:
    deadline = time.monotonic() + float(seconds)
    problem = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return 0
                problem = f"HTTP {reply.status}"
        except OSError as e:
            problem = str(e)
        time.sleep(0.2)
    print(f"the guest did not answer {url} within {seconds} s ({problem})", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    verbs = {"qmp": (qmp, None), "wait-colo": (wait_colo, 3), "wait-http": (wait_http, 2)}
    arguments = len(argv) - 2
    if len(argv) < 2 or argv[1] not in verbs or arguments < 2 \
            or verbs[argv[1]][1] is not None and arguments != verbs[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    function, _ = verbs[argv[1]]
    try:
        return function(*argv[2:])
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        print(f"pairctl.py {argv[1]}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
