#!/usr/bin/env python3
"""Builds honeywell-1900-wrong-baud.log: an RS-232 scanner at 9600 8N1 read
by a host port set to 115200 8N1, until the operator scans the scanner's
"115200 baud" programming code and its scans come through.

What the host reads is simulated, not recorded: the scanner's line (idle
high, start bit low, 8 data bits LSB first, stop bit high, two idle bits
between bytes) is sampled the way a UART does it at the host's rate: find
the falling edge, check the start bit at its middle, sample each data bit at
its middle, then look for the next falling edge after the stop bit's middle.
Framing errors still deliver the byte (raw termios clears INPCK). A 9600
bit lasts twelve 115200 bits, so the host sees mostly NULs and bytes with a
few high bits set, never a CR or LF: what GarbleWatch looks for. (At
twelve to one every frame the host samples lies inside one low bit: all
NULs, each a framing error.)

Run: python3 Tests/Captures/tools/wrong_baud.py   (from the package root)
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
T0 = 1763830000_000000  # microseconds


def line_bits(data, idle=2):
    out = []
    for b in data:
        out += [0] + [(b >> i) & 1 for i in range(8)] + [1] + [1] * idle
    return out


def sample(data, tx_baud, rx_baud):
    """Bytes a UART at rx_baud makes of data sent at tx_baud."""
    bits = line_bits(data)
    tx, rx = 1.0 / tx_baud, 1.0 / rx_baud
    end = len(bits) * tx

    def level(t):
        i = int(t / tx)
        return bits[i] if 0 <= i < len(bits) else 1

    out, t, prev, step = [], 0.0, 1, min(tx, rx) / 16
    while t < end:
        now = level(t)
        if prev == 1 and now == 0 and level(t + rx / 2) == 0:
            b = 0
            for i in range(8):
                b |= level(t + rx * (1.5 + i)) << i
            out.append(b)
            t += rx * 9.5
            prev = level(t)
            continue
        prev, t = now, t + step
    return bytes(out)


def record(t, payload):
    if all(32 <= c < 127 or c in (9, 10, 13) for c in payload) and b'"' not in payload and b"\\" not in payload:
        text = payload.decode().replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
        return "%d.%06d < \"%s\"" % (t // 1000000, t % 1000000, text)
    return "%d.%06d < %s" % (t // 1000000, t % 1000000, " ".join("%02X" % c for c in payload))


def main():
    scans = [b"]E0%012d" % (614141000000 + i) for i in range(40)]
    garbage = sample(b"".join(s + b"\r\n" for s in scans), 9600, 115200)
    # The first scan at the right rate ends the line the garbage started (the
    # NULs held no line end), so it is dropped with it; the next ones count.
    lost = b"]E00614141999990"
    good = [b"]E00416000336108", b"]C1010952012345678810LOT42"]
    lines = [
        "# Name: Honeywell Xenon 1900g (RS-232 at 9600 8N1, host port at 115200)",
        "# Interface: serial (RS-232)",
        "# VID-PID: none",
        "# Firmware: unknown (simulated)",
        "# Serial: 115200 8N1",
        "# Source: simulated by Tests/Captures/tools/wrong_baud.py: the scanner's 9600 8N1 line sampled by a UART at 115200; not recorded on hardware",
        "# Driver: line",
        "# Expect-Tags: ",
        "# Expect-Scans: " + " ".join(s.hex().upper() for s in good),
        "%d.%06d ! connect" % (T0 // 1000000, T0 % 1000000),
    ]
    t = T0 + 10000
    for i in range(0, len(garbage), 64):          # ~64 bytes per read, as a USB-serial adapter delivers them
        lines.append(record(t, garbage[i:i + 64]))
        t += 10000
    # The operator scans the "115200 baud" programming code: the scanner now
    # talks at the host's rate.
    for s in [lost] + good:
        lines.append(record(t, s + b"\r\n"))
        t += 10000
    with open(os.path.join(OUT, "honeywell-1900-wrong-baud.log"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
