#!/usr/bin/env python3
"""Builds the Zebra SSI capture logs in Tests/Captures/ from the packet
layout of the Simple Serial Interface Programmer's Guide (72E-40451) and the
SSI chapters of the Symbol SE-923 / SE955 integration guides:

  Length  Opcode  Source  Status  Data...  Checksum(hi, lo)

Length counts every byte but the checksum; the checksum is the two's
complement of the 16-bit sum of those bytes. Source 0 = decoder, 4 = host.
Status bit 0 = retransmission, bit 1 = more packets follow (multipacket
decode), bit 3 = permanent parameter change. DECODE_DATA (0xF3) data is the
bar code type byte, then the decoded bytes.

Independent of the Swift driver: the checksum and packets are built here
from the guide's rules, and each log lists in `# Expect-Scans:` the bytes
(AIM identifier + data) a correct driver must emit. `>` records are what
the host must send: the driver's ACKs, NAKs and commands (checked by
SSITests against the driver's conversation) and the feedback beeps a
station asked for.

Run: python3 Tests/Captures/tools/make_ssi_captures.py   (from the package root)
"""
import os
import random
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = ("built from the Zebra Simple Serial Interface Programmer's Guide (72E-40451) packet layout "
          "by Tests/Captures/tools/make_ssi_captures.py (Python %d.%d); not recorded on hardware" % sys.version_info[:2])
T0 = 1763830000_000000  # microseconds: integer, so times never drift by rounding
GS = b"\x1d"

ACK, NAK, DECODE, EVENT, BEEP, LED_ON, LED_OFF, SCAN_ENABLE, SCAN_DISABLE, PARAM_SEND = (
    0xD0, 0xD1, 0xF3, 0xF6, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xC6)
RETRANSMIT, CONTINUATION = 0x01, 0x02
DECODER, HOST = 0x00, 0x04


def checksum(body: bytes) -> int:
    """Two's complement of the 16-bit sum of the bytes."""
    return (0x10000 - (sum(body) & 0xFFFF)) & 0xFFFF


# Worked example: the host's CMD_ACK. 0x04 + 0xD0 + 0x04 + 0x00 = 0xD8,
# 0x10000 - 0xD8 = 0xFF28.
assert checksum(bytes([0x04, 0xD0, 0x04, 0x00])) == 0xFF28


def packet(op, data=b"", source=HOST, status=0):
    body = bytes([4 + len(data), op, source, status]) + bytes(data)
    assert len(body) <= 0xFF
    c = checksum(body)
    return body + bytes([c >> 8, c & 0xFF])


def decoder(op, data=b"", status=0):
    return packet(op, data, source=DECODER, status=status)


def decode(code_type, data, status=0):
    return decoder(DECODE, bytes([code_type]) + data, status)


def multipacket(code_type, data, chunk):
    """One decode split into DECODE_DATA packets, all but the last with the
    continuation bit; each repeats the type byte."""
    parts = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    return [decode(code_type, p, CONTINUATION if i < len(parts) - 1 else 0) for i, p in enumerate(parts)]


HOST_ACK = packet(ACK)
assert HOST_ACK == bytes.fromhex("04D00400FF28")
# PARAM_SEND, temporary: no beep (0xFF); 0xEE=1 packeted decode data,
# 0x9F=1 ACK/NAK handshaking, 0x2D=0 no code ID character.
PARAMS = packet(PARAM_SEND, bytes([0xFF, 0xEE, 0x01, 0x9F, 0x01, 0x2D, 0x00]))
ENABLE, DISABLE = packet(SCAN_ENABLE), packet(SCAN_DISABLE)
SCANNER_ACK = decoder(ACK)


def nak(cause, source=HOST):
    return packet(NAK, bytes([cause]), source=source)


def resent(p):
    """The same packet with the retransmit bit set."""
    body = bytearray(p[:-2])
    body[3] |= RETRANSMIT
    c = checksum(bytes(body))
    return bytes(body) + bytes([c >> 8, c & 0xFF])


class Log:
    def __init__(self, name, interface, vidpid, firmware, serial):
        self.header = [("Name", name), ("Interface", interface), ("VID-PID", vidpid), ("Firmware", firmware),
                       ("Serial", serial), ("Source", SOURCE), ("Driver", "ssi")]
        self.lines, self.scans, self.t = [], [], T0

    def at(self, dt):
        self.t += round(dt * 1_000_000)
        return "%d.%06d" % divmod(self.t, 1_000_000)

    def event(self, what, dt=0.01):
        self.lines.append("%s ! %s" % (self.at(dt), what))

    def host(self, p, dt=0.01, note=""):
        self.lines.append("%s > %s%s" % (self.at(dt), p.hex(" ").upper(), ("  # " + note) if note else ""))

    def device(self, b, dt=0.01, note=""):
        self.lines.append("%s < %s%s" % (self.at(dt), b.hex(" ").upper(), ("  # " + note) if note else ""))

    def expect(self, aim, data):
        self.scans.append((aim.encode() + data).hex().upper())

    def write(self, filename):
        header = self.header + [("Expect-Tags", ""), ("Expect-Scans", " ".join(self.scans))]
        text = "".join("# %s: %s\n" % kv for kv in header) + "\n".join(self.lines) + "\n"
        with open(os.path.join(OUT, filename), "w") as f:
            f.write(text)


def connect(log):
    log.event("connect")
    log.host(PARAMS, note="PARAM_SEND temporary: EE=01 packeted, 9F=01 ACK/NAK, 2D=00 no code ID")
    log.device(SCANNER_ACK)
    log.host(ENABLE, note="SCAN_ENABLE")
    log.device(SCANNER_ACK)


def scan(log, code_type, aim, data, split=None, dt=0.5):
    p = decode(code_type, data)
    if split:
        log.device(p[:split], dt=dt)
        log.device(p[split:], dt=0.005)
    else:
        log.device(p, dt=dt)
    log.host(HOST_ACK, dt=0.002)
    log.expect(aim, data)


def normal():
    log = Log("Zebra DS3608-SR (normal)", "USB CDC-ACM (SSI over USB CDC)", "05e0:1701", "unknown (synthesized)", "115200 8N1")
    connect(log)
    scan(log, 0x0F, "]C1", b"0109520123456788" + b"10LOT42" + GS + b"21SN0001")
    log.host(packet(BEEP, bytes([0x00])), dt=0.05, note="feedback good: BEEP one short high")
    log.device(SCANNER_ACK)
    scan(log, 0x0B, "]E0", b"4006381333931")
    scan(log, 0xC1, "]d2", b"0104150063002041" + b"17261231" + b"10ABC123" + GS + b"21XYZ")
    scan(log, 0xC2, "]Q3", b"01095201234567881724123110BATCH7")
    scan(log, 0x30, "]e0", b"0100614141999996")
    scan(log, 0x0A, "]E4", b"96385074")
    scan(log, 0x03, "]C0", b"PALLET-0042")
    log.host(packet(LED_ON, bytes([0x01])), dt=0.05, note="feedback done: LED_ON, BEEP three short high, LED_OFF")
    log.device(SCANNER_ACK)
    log.host(packet(BEEP, bytes([0x02])), dt=0.05)
    log.device(SCANNER_ACK)
    log.host(packet(LED_OFF, bytes([0x01])), dt=1.0)
    log.device(SCANNER_ACK)
    log.event("stop", dt=0.5)
    log.host(DISABLE, dt=0.0, note="SCAN_DISABLE")
    log.device(SCANNER_ACK)
    log.write("ssi-zebra-ds3608-normal.log")


def noisy():
    log = Log("Zebra LI4278 on RS-232 (noisy line)", "serial (RS-232)", "none", "unknown (synthesized)", "9600 8N1")
    log.event("connect")
    log.host(PARAMS, note="PARAM_SEND")
    log.device(SCANNER_ACK)
    log.host(ENABLE, note="SCAN_ENABLE")
    log.device(nak(0x01, source=DECODER), note="scanner: NAK RESEND (the command arrived damaged)")
    log.host(resent(ENABLE), dt=0.002, note="SCAN_ENABLE again, retransmit bit set")
    log.device(SCANNER_ACK)
    # Line noise before a packet, then a packet split inside its checksum.
    log.device(b"\x00\xff\x13\x7e" + b"noise", dt=0.3, note="garbage")
    scan(log, 0x0B, "]E0", b"5901234123457", split=18)
    # A damaged decode: one data byte flipped, checksum no longer matches.
    good = decode(0x0F, b"00012345600012345678")
    bad = bytearray(good)
    bad[9] ^= 0x04
    log.device(bytes(bad), dt=0.5, note="checksum wrong")
    log.host(nak(0x01), dt=0.002, note="NAK RESEND")
    log.device(resent(good), dt=0.02, note="retransmission")
    log.host(HOST_ACK, dt=0.002)
    log.expect("]C1", b"00012345600012345678")
    # Our ACK was lost: the scanner sends the same decode again with the
    # retransmit bit. The host ACKs again but must not count it twice.
    dup = decode(0x06, b"10012345678902")
    log.device(dup, dt=0.5)
    log.host(HOST_ACK, dt=0.002)
    log.expect("]I0", b"10012345678902")
    log.device(resent(dup), dt=0.2, note="retransmission of a packet already taken")
    log.host(HOST_ACK, dt=0.002)
    # A type the code-type table does not know: data without an AIM identifier.
    log.device(decode(0x99, b"MYSTERY-77"), dt=0.5)
    log.host(HOST_ACK, dt=0.002)
    log.expect("", b"MYSTERY-77")
    # A packet this host does not handle (IMAGE_DATA, never asked for): NAK BAD_CONTEXT.
    log.device(decoder(0xB1, b"\x01\x02"), dt=0.5, note="unsolicited IMAGE_DATA")
    # Noise holding a damaged header of another opcode: skipped, not NAKed.
    log.device(bytes([0x06, 0x55, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00]), dt=0.5, note="not a decoder opcode")
    log.host(nak(0x02), dt=0.002, note="NAK BAD_CONTEXT")
    # Garbage that looks like a header, then a good packet right behind.
    log.device(b"\x09\x00", dt=0.5, note="false start")
    scan(log, 0x01, "]A0", b"CODE39TEXT", dt=0.001)
    log.device(b"\x07\xf3\x00", dt=0.5, note="cut off by the disconnect")
    log.event("disconnect", dt=0.1)
    log.write("ssi-zebra-li4278-noisy.log")


def multipacket_log():
    log = Log("Zebra DS8178 (long multipacket decodes)", "USB CDC-ACM (SSI over USB CDC)", "05e0:1900", "unknown (synthesized)", "115200 8N1")
    rng = random.Random(14)
    connect(log)
    # A GS1 DataMatrix carrying many elements, 700 bytes: three packets.
    elements = [b"01095201234567881724123110LOT%04d" % i + GS + b"21SER%06d" % (i * 37) for i in range(20)]
    long_dm = GS.join(elements)[:700]
    # A 1200-byte PDF417 (a shipping manifest): five packets of 250.
    manifest = bytes(rng.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -/") for _ in range(1200))
    for code_type, aim, data, chunk in [(0xC1, "]d2", long_dm, 240), (0x11, "]L0", manifest, 250)]:
        packets = multipacket(code_type, data, chunk)
        for p in packets:
            # Each packet arrives in pieces cut at random places.
            cut = sorted(rng.sample(range(1, len(p)), 3))
            pieces = [p[a:b] for a, b in zip([0] + cut, cut + [len(p)])]
            for j, piece in enumerate(pieces):
                log.device(piece, dt=0.3 if j == 0 else 0.003)
            log.host(HOST_ACK, dt=0.002)
        log.expect(aim, data)
    # A short one between long ones, and a multipacket QR last.
    scan(log, 0x1C, "]Q1", b"https://example.com/track/0042")
    qr = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(500))
    for p in multipacket(0x1C, qr, 200):
        log.device(p, dt=0.2)
        log.host(HOST_ACK, dt=0.002)
    log.expect("]Q1", qr)
    log.event("disconnect", dt=0.5)
    log.write("ssi-zebra-ds8178-multipacket.log")


if __name__ == "__main__":
    normal()
    noisy()
    multipacket_log()
