#!/usr/bin/env python3
"""Builds the HID POS capture logs in Tests/Captures/ from the report layout
of the USB HID Point of Sale Usage Tables (usage page 0x8C, "Scanned Data
Report", input report ID 2) as Zebra and Honeywell document it:

  [0] 0x02  [1] data length (0..56)  [2..4] AIM id  [5..60] data
  [61] vendor symbology  [62] reserved  [63] bit0 = more data follows

Data lines: "<seconds> < <64-byte report hex>" (device to host, one
interrupt-IN transfer per line) and "<seconds> > <report hex>" (host to
device: before the first input, the SET_REPORT(Feature) the driver must send
after opening; later, output reports the driver's feedback plans write).
"""
import os, sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SOURCE = 'synthesised from the HID POS usage tables layout by Tests/Captures/tools/make_hidpos_captures.py (Python %d.%d)' % sys.version_info[:2]
GS = b'\x1d'


def reports(aim, data, vendor=0, max_len=56):
    """Split one scan into 64-byte reports."""
    chunks = [data[i:i + max_len] for i in range(0, len(data), max_len)] or [b'']
    out = []
    for i, c in enumerate(chunks):
        r = bytearray(64)
        r[0] = 2
        r[1] = len(c)
        r[2:5] = aim
        r[5:5 + len(c)] = c
        r[61] = vendor
        r[63] = 1 if i < len(chunks) - 1 else 0
        out.append(bytes(r))
    return out


class Log:
    def __init__(self, name, vidpid, firmware):
        self.name, self.vidpid, self.firmware, self.lines, self.t = name, vidpid, firmware, [], 0.0

    def scan(self, aim, data, vendor=0, gap=0.5, step=0.004):
        self.t += gap
        for r in reports(aim, data, vendor):
            self.lines.append(f"{self.t:.3f} < {r.hex()}")
            self.t += step

    def raw(self, r, gap=0.2):
        self.t += gap
        self.lines.append(f"{self.t:.3f} < {bytes(r).hex()}")

    def tx(self, data, note=None):
        """A report the host sends: a feature report on open, or an output
        report (feedback) later; `note` becomes the record's comment."""
        self.lines.append(f"{self.t:.3f} > {bytes(data).hex()}" + (f"  # {note}" if note else ""))

    def write(self):
        path = os.path.join(OUT, self.name + '.log')
        with open(path, 'w') as f:
            f.write(f"# Name: {self.name}\n# Interface: USB HID POS (usage page 0x8C), interrupt IN, 64-byte reports\n")
            f.write(f"# VID-PID: {self.vidpid}\n# Firmware: {self.firmware}\n# Serial: n/a\n# Source: {SOURCE}\n# Driver: hidpos\n")
            f.write("\n".join(self.lines) + "\n")
        print('wrote', path)


def normal():
    log = Log('hidpos-zebra-ds4608-normal', '05e0:1300', 'Zebra DS4608 PAAFNS00-004-R05 (synthesised)')
    log.scan(b']C1', b'0109501101020917' + b'17250630' + b'10' + b'ABC123', vendor=0x03)
    log.tx([0x04, 0x40], 'output report 4, bit 6 Sound Good Read Beep: feedback good')
    log.scan(b']E0', b'5901234123457', vendor=0x0B)
    log.tx([0x04, 0x20], 'output report 4, bit 5 Sound Error Beep: feedback error')
    # GS1 DataMatrix of 130 bytes: three reports, GS between variable-length AIs.
    dm = b'0109501101020917' + b'21' + b'X' * 40 + GS + b'10' + b'LOT-2026-11' + GS + b'91' + b'Q' * 50
    log.scan(b']d2', dm, vendor=0x1B)
    log.scan(b']Q1', b'https://id.gs1.org/01/09506000134352/10/ABC', vendor=0x1C)
    log.write()


def noisy():
    log = Log('hidpos-honeywell-1950g-noisy', '0c2e:0b87', 'Honeywell Xenon 1950g (synthesised, with injected faults)')
    log.tx([0xFE, 0x01])  # Honeywell: enable HID POS scanned-data reports
    log.scan(b']C1', b'00106141411234567897', vendor=0x6A)
    other = bytearray(64); other[0] = 0x04; other[1] = 0x01  # a status/trigger report: not a scan
    log.raw(other)
    bad = reports(b']E0', b'4006381333931')[0]
    bad = bytearray(bad); bad[1] = 60  # impossible: more than 56 data bytes
    log.raw(bad)
    # A 3-report scan whose middle report is corrupt: the whole scan is dropped.
    parts = [bytearray(r) for r in reports(b']d2', b'01' + b'9' * 150)]
    parts[1][1] = 0xFF
    for p in parts:
        log.raw(p, gap=0.004)
    log.scan(b']E0', b'4006381333931', vendor=0x64)
    zero = bytearray(64)  # all-zero report ID 0: ignored
    log.raw(zero)
    log.scan(b']C0', b'CODE128-PLAIN', vendor=0x6A)
    log.write()


def edge():
    log = Log('hidpos-datalogic-qd2430-edge', '05f9:2206', 'Datalogic QuickScan QD2430 (synthesised)')
    log.scan(b'\x00\x00\x00', b'NOAIM12345')          # AIM transmission disabled
    log.scan(b']A0', b'')                              # empty Code 39 (length 0)
    log.scan(b']C1', b'0' * 56)                        # exactly one full report
    log.scan(b']C1', b'1' * 57)                        # 56 + 1
    log.scan(b']Q3', b'01' + b'09506000134352' + b'8200' + b'https://example.com/' + b'Z' * 200)  # 5 reports
    # The scanner is unplugged in the middle of a 2-report scan.
    log.t += 0.5
    log.lines.append(f"{log.t:.3f} < {reports(b']d2', b'7' * 80)[0].hex()}")
    log.write()


if __name__ == '__main__':
    normal(); noisy(); edge()
