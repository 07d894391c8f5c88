#!/usr/bin/env python3
"""Builds the capture logs in Tests/Captures/ from the protocol documents.

Independent of the Swift code under test: the Mercury CRC here is the
bit-by-bit form of the MercuryAPI algorithm (checked against the two values
in the project's facts file before anything is written), and frames are laid
out from the MercuryAPI C sources (serial_reader_l3.c, serial_reader.c) and
the TSL ASCII 2.0 protocol document, not from the Swift driver.

Each log's header lists what a correct driver must find in it:
`# Expect-Tags:` (EPC hex, in order) and `# Expect-Scans:` (hex of each
scan's bytes, in order). The Swift tests compare the .chk files with these.

Run: python3 Tests/Captures/tools/build_captures.py   (from the package root)
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
T0 = 1763830000_000000  # microseconds


def crc_mercury(data: bytes) -> int:
    """MercuryAPI CRC, bitwise: init 0xFFFF, data bits shifted in MSB first
    at the low end of the register, poly 0x1021 applied on carry out."""
    c = 0xFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = c & 0x8000
            c = ((c << 1) | ((byte >> bit) & 1)) & 0xFFFF
            if top:
                c ^= 0x1021
    return c


assert crc_mercury(bytes([0x02, 0x92, 0x0B, 0xB8])) == 0x4AE1
assert crc_mercury(bytes([0x03, 0x9A, 0x01, 0x0C, 0x00])) == 0xA35D


def command(op, data=b""):
    body = bytes([len(data), op]) + bytes(data)
    c = crc_mercury(body)
    return b"\xff" + body + bytes([c >> 8, c & 0xFF])


def reply(op, status=0, data=b""):
    body = bytes([len(data), op, status >> 8, status & 0xFF]) + bytes(data)
    c = crc_mercury(body)
    return b"\xff" + body + bytes([c >> 8, c & 0xFF])


# Metadata flags (MercuryAPI TMR_TRD_METADATA_FLAG_*).
READCOUNT, RSSI, ANTENNA, FREQ, TIMESTAMP, PHASE, PROTOCOL, DATA, GPIO = (
    0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100)
STANDARD = READCOUNT | RSSI | ANTENNA | FREQ | TIMESTAMP | PROTOCOL


def tag_record(epc_hex, count=1, rssi=-60, antenna=1, flags=STANDARD, pc=None, xpc=b"", data=b""):
    """A streamed 0x22 reply carrying one tag (serial_reader.c streaming layout:
    option 0x10, search flags, metadata flags, response type 0x01, record)."""
    epc = bytes.fromhex(epc_hex)
    if pc is None:
        pc = ((len(epc) // 2) << 11).to_bytes(2, "big")
    d = bytes([0x10, 0x00, 0x1B, flags >> 8, flags & 0xFF, 0x01])
    if flags & READCOUNT: d += bytes([count])
    if flags & RSSI: d += bytes([rssi & 0xFF])
    if flags & ANTENNA: d += bytes([(antenna << 4) | antenna])
    if flags & FREQ: d += (915250).to_bytes(3, "big")
    if flags & TIMESTAMP: d += (1234).to_bytes(4, "big")
    if flags & PHASE: d += (90).to_bytes(2, "big")
    if flags & PROTOCOL: d += bytes([0x05])
    if flags & DATA: d += (len(data) * 8).to_bytes(2, "big") + data
    if flags & GPIO: d += bytes([0x00])
    body = pc + xpc + epc + b"\x12\x34"          # PC, [XPC], EPC, tag CRC
    d += (len(body) * 8).to_bytes(2, "big") + body
    return reply(0x22, 0, d)


KEEPALIVE = reply(0x22, 0x0400)


class Log:
    def __init__(self, name, header):
        self.name = name
        self.header = header
        self.lines = []
        self.t = T0
        self.tags = []
        self.scans = []

    def at(self, dt_ms):
        self.t += int(dt_ms * 1000)
        return self

    def stamp(self):
        return "%d.%06d" % (self.t // 1_000_000, self.t % 1_000_000)

    def rx(self, data, dt_ms=10):
        self.at(dt_ms)
        self.lines.append("%s < %s" % (self.stamp(), fmt(data)))
        return self

    def tx(self, data, dt_ms=10):
        self.at(dt_ms)
        self.lines.append("%s > %s" % (self.stamp(), fmt(data)))
        return self

    def event(self, what, dt_ms=10):
        self.at(dt_ms)
        self.lines.append("%s ! %s" % (self.stamp(), what))
        return self

    def write(self):
        head = list(self.header)
        head.append(("Expect-Tags", " ".join(self.tags)))
        head.append(("Expect-Scans", " ".join(self.scans)))
        with open(os.path.join(OUT, self.name + ".log"), "w") as f:
            for k, v in head:
                f.write("# %s: %s\n" % (k, v))
            for line in self.lines:
                f.write(line + "\n")


def fmt(data: bytes) -> str:
    if data and all(0x20 <= b < 0x7F or b in (0x0D, 0x0A, 0x09) for b in data):
        s = ""
        for b in data:
            s += {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x5C: "\\\\", 0x22: '\\"'}.get(b, chr(b))
        return '"' + s + '"'
    return " ".join("%02X" % b for b in data)


MERCURY_SOURCE = ("built from the protocol documents (MercuryAPI C sources serial_reader_l3.c and "
                  "serial_reader.c, facts-file CRC) by Tests/Captures/tools/build_captures.py; not recorded on hardware")


def mercury_header(name, scenario):
    return [("Name", name + " (" + scenario + ")"), ("Interface", "serial (USB CDC-ACM)"),
            ("VID-PID", "2008:1001"), ("Firmware", "unknown (synthesized)"),
            ("Serial", "115200 8N1"), ("Source", MERCURY_SOURCE), ("Driver", "mercury")]


def mercury_startup(log):
    log.event("connect")
    log.tx(command(0x2F, b"\x00\x00\x02"))
    log.rx(reply(0x2F))
    log.tx(command(0x03))
    log.rx(reply(0x03, 0, bytes.fromhex("11030000" "00000000" "20131021" "01020300" "00000010")))
    log.tx(command(0x93, b"\x00\x05"))
    log.rx(reply(0x93))
    log.tx(command(0x9A, b"\x01\x0C\x00"))
    log.rx(reply(0x9A))
    flags = STANDARD
    log.tx(command(0x2F, bytes([0, 0, 1, 0x22, 0, 0, 5, 7, 0x22, 0x10, 0, 0x1B, 0x03, 0xE8, flags >> 8, flags & 0xFF])))
    log.rx(reply(0x2F))


def add_tag(log, epc, **kw):
    log.tags.append(epc.upper())
    return tag_record(epc, **kw)


def mercury_normal():
    log = Log("thingmagic-m6enano-normal", mercury_header("ThingMagic M6e Nano", "normal streaming"))
    mercury_startup(log)
    epcs = ["3074257BF7194E4000001A85", "E28011606000020D4A6A1C35", "300833B2DDD9014000000001", "3034257BF400B7800004CB2F"]
    for round_ in range(3):
        for i, epc in enumerate(epcs):
            log.rx(add_tag(log, epc, count=1 + i, rssi=-48 - 3 * i, antenna=1 + (i % 2)), dt_ms=25)
        log.rx(KEEPALIVE, dt_ms=200)
    # Two records arriving in one read.
    log.rx(add_tag(log, epcs[0], antenna=2) + add_tag(log, epcs[1], rssi=-70), dt_ms=30)
    # Keepalive as the reader sends it on the multi-protocol opcode.
    log.rx(reply(0x2F, 0x0400), dt_ms=1000)
    log.tx(command(0x2F, b"\x00\x00\x02"))
    log.rx(reply(0x2F))
    log.write()


def mercury_noisy():
    log = Log("thingmagic-m6enano-noisy", mercury_header("ThingMagic M6e Nano", "noisy line"))
    mercury_startup(log)
    log.rx(bytes([0x00, 0x13, 0x37, 0x42, 0x99]))                                  # line noise
    log.rx(add_tag(log, "3074257BF7194E4000001A85", rssi=-55))
    bad = bytearray(tag_record("E28011606000020D4A6A1C35"))
    bad[-1] ^= 0x5A                                                                 # bad CRC
    log.rx(bytes(bad))
    whole = add_tag(log, "E28011606000020D4A6A1C36", count=2)
    log.rx(whole[:3]).rx(whole[3:17]).rx(whole[17:])                                # split frame
    log.rx(bytes([0xFF, 0xFA, 0x22, 0x00]))                                         # LEN > 0xF8 then junk
    ff_epc = "FFFFFF00FF0000FFFFFFFFFF"                                              # EPC full of start bytes
    log.rx(add_tag(log, ff_epc, antenna=3))
    log.rx(KEEPALIVE)
    noise = bytes((i * 97 + 13) & 0xFF for i in range(64))                          # binary noise burst
    log.rx(noise)
    log.rx(add_tag(log, "300833B2DDD9014000000001", rssi=-80))
    # A record whose EPC length points past the end of the frame (bad length, good CRC).
    d = bytes([0x10, 0x00, 0x1B, 0x00, 0x00, 0x01]) + (0x0200).to_bytes(2, "big") + bytes(6)
    log.rx(reply(0x22, 0, d))
    # Every metadata field present, with embedded data and an XPC word.
    full = READCOUNT | RSSI | ANTENNA | FREQ | TIMESTAMP | PHASE | PROTOCOL | DATA | GPIO
    log.rx(add_tag(log, "3034257BF400B7800004CB2F", flags=full, data=b"\xAA\xBB\xCC\xDD",
                   pc=bytes([0x32, 0x00]), xpc=b"\x00\x00", count=5))
    # A record with no metadata at all (option byte without 0x10).
    epc = bytes.fromhex("AABBCCDDEEFF001122334455")
    body = b"\x30\x00" + epc + b"\x00\x00"
    log.tags.append(epc.hex().upper())
    log.rx(reply(0x22, 0, bytes([0x00, 0x00, 0x00, 0x01]) + (len(body) * 8).to_bytes(2, "big") + body))
    log.rx(bytes([0x7E, 0x7E]) + add_tag(log, "3074257BF7194E4000001A85", rssi=-41), dt_ms=5)
    log.write()


def mercury_reconnect():
    log = Log("thingmagic-m6enano-reconnect", mercury_header("ThingMagic M6e Nano", "unplug and replug"))
    mercury_startup(log)
    log.rx(add_tag(log, "3074257BF7194E4000001A85"))
    cut = tag_record("E28011606000020D4A6A1C35")
    log.rx(cut[:11])                                        # cable pulled mid-frame
    log.event("disconnect", dt_ms=3)
    log.at(2500)
    mercury_startup(log)
    log.rx(bytes([0x00, 0x00, 0xF0]))                        # power-up junk on the line
    log.rx(add_tag(log, "E28011606000020D4A6A1C35", antenna=2))
    log.rx(reply(0x22, 0x0504))                               # temperature throttle
    log.rx(add_tag(log, "E2801160600002" + "0D4A6A1C35AABBCCDD0011", rssi=-65))  # 128-bit EPC
    log.rx(reply(0x2F, 0x0400), dt_ms=1000)
    log.write()


def tsl_header(name, scenario):
    return [("Name", name + " (" + scenario + ")"), ("Interface", "Bluetooth serial (rfcomm)"),
            ("VID-PID", "none"), ("Firmware", "unknown (synthesized)"), ("Serial", "115200 8N1"),
            ("Source", "built from the TSL ASCII 2.0 protocol document (asciiprotocol.com) by "
                       "Tests/Captures/tools/build_captures.py; not recorded on hardware"),
            ("Driver", "tsl")]


def crlf(*lines):
    return "".join(l + "\r\n" for l in lines).encode()


def tsl_startup(log):
    log.event("connect")
    log.tx(crlf(".ab")); log.rx(crlf("CS: .ab", "OK:", ""))
    log.tx(crlf(".vr")); log.rx(crlf("CS: .vr", "MF: Technology Solutions (UK) Ltd", "UB: 1128", "US: 001234", "OK:", ""))
    log.tx(crlf(".sa -a on")); log.rx(crlf("CS: .sa -a on", "OK:", ""))
    log.tx(crlf(".iv -x -n -r on")); log.rx(crlf("CS: .iv -x -n -r on", "OK:", ""))


def tsl_inventory(log, epcs, rssi=-55):
    lines = ["CS: .iv"]
    for i, e in enumerate(epcs):
        log.tags.append(e)
        lines += ["EP: " + e, "RI: %d" % (rssi - i)]
    return crlf(*lines, "OK:", "")


def tsl_normal():
    log = Log("tsl-1128-normal", tsl_header("TSL 1128", "normal"))
    tsl_startup(log)
    log.rx(crlf("SW: single"), dt_ms=500)
    log.rx(tsl_inventory(log, ["3074257BF7194E4000001A85", "E28011606000020D4A6A1C35"]))
    log.rx(tsl_inventory(log, ["300833B2DDD9014000000001"]), dt_ms=100)
    log.rx(crlf("SW: off"), dt_ms=200)
    log.tx(crlf(".iv"))
    log.rx(crlf("CS: .iv", "ME: No transponder found", "OK:", ""))
    log.tx(crlf(".bc"))
    log.scans.append(b"]C1010952012345678810ABC123".hex().upper())
    log.rx(crlf("CS: .bc", "BC: ]C1010952012345678810ABC123", "OK:", ""))
    log.tx(crlf(".al -b on -v off -t med -d sho")); log.rx(crlf("CS: .al -b on -v off -t med -d sho", "OK:", ""))
    log.write()


def tsl_noisy():
    log = Log("tsl-1153-noisy", tsl_header("TSL 1153", "noisy"))
    tsl_startup(log)
    inv = tsl_inventory(log, ["3074257BF7194E4000001A85", "E28011606000020D4A6A1C35", "300833B2DDD9014000000001"])
    log.rx(inv[:9]).rx(inv[9:40]).rx(inv[40:])                                      # split lines
    log.rx(crlf("CS: .iv", "ER: 005", ""))                                          # reader error
    log.rx(b"\x00\x01\xfe\xff\x10garbage\r\n")                                      # binary noise
    log.rx(b"A" * 5000 + b"\r\n")                                                   # over the 4 KiB cap
    log.rx(crlf("EP: 30742G7BF7194E4000001A85"))                                    # not hex
    log.rx(crlf("RI: -40"))                                                         # RI without EP
    log.tags.append("E28011606000020D4A6A1C35")
    log.rx(b"EP: E28011606000020D4A6A1C35\rRI: -61\r")                              # CR-only endings
    log.tags.append("3034257BF400B7800004CB2F")
    log.rx(crlf("EP: 3034257BF400B7800004CB2F", "OK:", ""))                         # EP with no RI
    log.rx(crlf("hello?"))                                                          # not a reply line
    log.scans.append(b"abc\x1b123\r\nxyz".hex().upper())
    log.rx(b"BC: abc\x1b\x1b123\x1b\r\x1b\nxyz\r\n")                                # escaped barcode
    log.write()


def tsl_reconnect():
    log = Log("tsl-1128-reconnect", tsl_header("TSL 1128", "Bluetooth drop mid-sweep"))
    tsl_startup(log)
    log.rx(crlf("SW: single"), dt_ms=400)
    log.rx(crlf("CS: .iv"))
    log.tags.append("3074257BF7194E4000001A85")
    log.rx(crlf("EP: 3074257BF7194E4000001A85", "RI: -52"))
    log.rx(b"EP: E280116060")                                                       # cut mid-line
    log.event("disconnect", dt_ms=5)
    log.at(4000)
    tsl_startup(log)
    log.rx(crlf("SW: double"), dt_ms=300)
    log.rx(tsl_inventory(log, ["E28011606000020D4A6A1C35"]))
    log.rx(crlf("SW: off"), dt_ms=150)
    log.write()


def line_header(name, scenario, serial="9600 8N1", options=None):
    h = [("Name", name + " (" + scenario + ")"), ("Interface", "USB CDC-ACM"), ("VID-PID", "0c2e:0b61"),
         ("Firmware", "unknown (synthesized)"), ("Serial", serial),
         ("Source", "built from the AIM identifier and GS1 general specifications examples by "
                    "Tests/Captures/tools/build_captures.py; not recorded on hardware"),
         ("Driver", "line")]
    if options:
        h.append(("Options", options))
    return h


def scan(log, data: bytes, end=b"\r\n"):
    log.scans.append(data.hex().upper())
    return data + end


def line_normal():
    log = Log("honeywell-1900-normal", line_header("Honeywell Xenon 1900g", "normal"))
    log.event("connect")
    log.rx(scan(log, b"]C1011234567890123110ABC123\x1d17250131"))
    log.rx(scan(log, b"]E00416000336108"), dt_ms=800)
    log.rx(scan(log, b"]Q1https://id.gs1.org/01/09520123456788/10/ABC"), dt_ms=900)
    log.rx(scan(log, b"PLAIN-CODE-39", end=b"\t"), dt_ms=700)
    log.rx(scan(log, b"]d2010952012345678821SERIAL7\x1d10LOT9", end=b"\n"), dt_ms=600)
    log.rx(scan(log, b"]E412345670", end=b"\r"), dt_ms=500)
    log.write()


def line_noisy():
    log = Log("honeywell-1900-noisy", line_header("Honeywell Xenon 1900g", "noisy"))
    log.event("connect")
    first = scan(log, b"]C1010952012345678810LOT42")
    log.rx(first[:5]).rx(first[5:12]).rx(first[12:])                              # split
    log.rx(b"\x00\xff\x13\x88noise\x07\r\n")                                        # binary noise
    log.rx(b"9" * 4200 + b"\r\n")                                                   # over the cap
    log.rx(b"\r\n\r\n\n\n")                                                          # empty lines
    log.rx(scan(log, b"]E00416000336108", end=b"\r"))
    log.rx(scan(log, "GRÜN-ÄPFEL".encode("utf-8")))                                 # UTF-8 text
    log.rx(scan(log, b"\xe9t\xe9", end=b"\n"))                                      # Latin-1 bytes
    log.rx(b"]C10109520123456788")                                                  # no terminator at the end
    log.write()


def line_stx():
    log = Log("datalogic-gd4500-stxetx", line_header("Datalogic Gryphon GD4500", "STX/ETX framing, prefix, replug",
                                                      serial="115200 8N1", options="stx-etx strip-prefix=2A"))
    log.event("connect")
    log.rx(b"\x02*" + scan(log, b"]C1011234567890123110ABC", end=b"\x03") + b"\r\n")
    log.rx(b"junk\x02*" + scan(log, b"]E00416000336108", end=b"\x03"))               # junk before STX
    log.rx(b"\x02*]C10109520")                                                       # cut off by unplug
    log.event("disconnect")
    log.at(3000)
    log.event("connect")
    log.rx(b"\x02" + scan(log, b"NOPREFIX", end=b"\x03"))
    log.rx(b"\x02*]Q1" + b"x" * 10)
    log.rx(b"\x02*" + scan(log, b"]E412345670", end=b"\x03"))                       # STX inside a frame
    log.write()


if __name__ == "__main__":
    for build in (mercury_normal, mercury_noisy, mercury_reconnect, tsl_normal, tsl_noisy, tsl_reconnect,
                  line_normal, line_noisy, line_stx):
        build()
    print("wrote capture logs to", os.path.normpath(OUT))
