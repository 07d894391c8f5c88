#!/usr/bin/env python3
"""Converts a ThingMagic Universal Reader Assistant transport log (as
published by SparkFun) into the capture log format (docs/capture-format.md).

URA logs look like:
    10/05/2016 10:07:16.579 AM Sending
        FF  00  03  1D  0C
    10/05/2016 10:07:16.585 AM Received
        FF  14  03  00  00  ...
Timestamps carry no zone; they are taken as UTC.

The tag EPCs listed in `# Expect-Tags:` are found here by an independent
parse (opcode 0x22, status 0, response type 1, EPC after the PC word), not by
the Swift driver.

Run: python3 Tests/Captures/tools/convert_ura_log.py   (from the package root)
"""
import datetime
import os

HERE = os.path.dirname(os.path.abspath(__file__))
# (source under ../sources, capture written beside the other logs, what it shows, original file name)
LOGS = [
    ("sparkfun-m6enano-596F596F-ura.txt", "thingmagic-m6enano-sparkfun-recorded.log",
     "one 32-bit-EPC tag, continuous read", "5-596F569F 7 counts -63dbm.txt"),
    ("sparkfun-m6enano-1545-ura.txt", "thingmagic-m6enano-sparkfun-recorded-96bit.log",
     "one 96-bit-EPC tag, continuous read", "6-00000001545 4 counts -59dbm.txt"),
]


def parse(text):
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            stamp, direction = line.rsplit(" ", 1)
            t = datetime.datetime.strptime(stamp, "%m/%d/%Y %I:%M:%S.%f %p").replace(tzinfo=datetime.timezone.utc)
            records.append([t, "<" if direction == "Received" else ">", b""])
        else:
            records[-1][2] += bytes(int(x, 16) for x in line.split())
    return records


def tags(data):
    """EPCs of streamed tag records, found by walking frames."""
    out, i = [], 0
    while i + 7 <= len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        n = data[i + 1]
        frame = data[i:i + n + 7]
        op, status, d = frame[2], (frame[3] << 8) | frame[4], frame[5:5 + n]
        if op == 0x22 and status == 0 and n > 6 and d[0] & 0x10 and d[5] == 1:
            flags = (d[3] << 8) | d[4]
            k = 6
            for bit, size in ((1, 1), (2, 1), (4, 1), (8, 3), (0x10, 4), (0x20, 2), (0x40, 1)):
                if flags & bit:
                    k += size
            if flags & 0x80:
                k += 2 + ((d[k] << 8 | d[k + 1]) + 7) // 8
            if flags & 0x100:
                k += 1
            bits = (d[k] << 8) | d[k + 1]
            epc = d[k + 4:k + 2 + bits // 8 - 2]      # skip length and PC; drop the tag CRC
            out.append(epc.hex().upper())
        i += n + 7
    return out


def convert(source, output, what, original):
    with open(os.path.join(HERE, "..", "sources", source)) as f:
        records = parse(f.read())
    device = b"".join(r[2] for r in records if r[1] == "<")
    header = [
        ("Name", "ThingMagic M6e Nano on SparkFun SEN-14066 (%s)" % what),
        ("Interface", "serial (USB-serial adapter)"),
        ("VID-PID", "unknown"),
        ("Firmware", "unknown (reply to 0x03 in the log)"),
        ("Serial", "115200 8N1"),
        ("Source", "recorded on hardware by SparkFun Electronics, 2016-10-05, with ThingMagic Universal Reader "
                   "Assistant transport logging (SparkFun_Simultaneous_RFID_Tag_Reader_Library, 'Example "
                   "Communication Logs/%s', MIT licence; see sources/README.md); converted by "
                   "Tests/Captures/tools/convert_ura_log.py" % original),
        ("Driver", "mercury"),
        ("Expect-Tags", " ".join(tags(device))),
        ("Expect-Scans", ""),
    ]
    out = os.path.join(HERE, "..", output)
    with open(out, "w") as f:
        for k, v in header:
            f.write("# %s: %s\n" % (k, v))
        f.write("%s ! connect\n" % stamp(records[0][0]))
        for t, direction, data in records:
            f.write("%s %s %s\n" % (stamp(t), direction, " ".join("%02X" % b for b in data)))
    print("wrote", os.path.normpath(out))


def main():
    for log in LOGS:
        convert(*log)


def stamp(t):
    us = int(t.timestamp() * 1_000_000 + 0.5)
    return "%d.%06d" % (us // 1_000_000, us % 1_000_000)


if __name__ == "__main__":
    main()
