#!/usr/bin/env python3
"""Sends QMP commands to one QEMU monitor socket and fails on the first error reply.

Usage: qmp.py SOCKET 'COMMAND_JSON' ['COMMAND_JSON' ...]
Each COMMAND_JSON is {"execute": ..., "arguments": {...}}; the replies are printed one a line.
"""
import json
import socket
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    # QEMU binds its socket a moment before it listens on it: retry a refused connect briefly.
    for attempt in range(100):
        try:
            sock.connect(sys.argv[1])
            break
        except ConnectionRefusedError:
            if attempt == 99:
                raise
            time.sleep(0.05)
    stream = sock.makefile("rwb")

    def reply(command_id: int) -> dict:
        while True:
            line = stream.readline()
            if not line:
                raise SystemExit(f"QEMU closed {sys.argv[1]}")
            message = json.loads(line)
            if message.get("id") == command_id:  # events are skipped
                return message

    stream.readline()  # greeting
    commands = [{"execute": "qmp_capabilities"}] + [json.loads(a) for a in sys.argv[2:]]
    for number, command in enumerate(commands, start=1):
        command["id"] = number
        stream.write(json.dumps(command).encode() + b"\n")
        stream.flush()
        answer = reply(number)
        if "error" in answer:
            print(f"{command['execute']} failed: {answer['error']}", file=sys.stderr)
            return 1
        if number > 1:
            print(json.dumps(answer["return"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
