#!/usr/bin/env python3
"""A pretend serial barcode scanner on a pseudo-terminal, for trying scanledgerd
without hardware. Prints the pty path (use it as a device "port" with driver
"line"), then sends each line typed on stdin as one scan (CR-terminated).
Write GS (FNC1) as \\x1d. Feedback bytes from the daemon (BEL) are shown as
"beep". Usage: python3 examples/pty-scanner.py [PATH-FILE]
(with PATH-FILE the pty path is also written there, for scripts)."""
import os, pty, sys, threading, tty

master, slave = pty.openpty()
tty.setraw(slave)
name = os.ttyname(slave)
print(name, flush=True)
if len(sys.argv) > 1:
    with open(sys.argv[1], "w") as f:
        f.write(name + "\n")

def feedback():
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            return
        if b"\x07" in data:
            print("beep", file=sys.stderr, flush=True)

threading.Thread(target=feedback, daemon=True).start()
for line in sys.stdin:
    scan = line.rstrip("\n").encode().replace(b"\\x1d", b"\x1d")
    os.write(master, scan + b"\r")
