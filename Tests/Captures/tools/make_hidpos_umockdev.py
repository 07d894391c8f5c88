#!/usr/bin/env python3
"""Builds the umockdev descriptions and usbdevfs ioctl scripts that let the real
libusb path (HIDPOSTransport.opener -> LibUSBHIDPOSPort) run without a USB
bus: Tests/DevicesTests/Fixtures/hidpos-zebra-ds4608.{umockdev,ioctl} and
hidpos-honeywell-1950g-composite.{umockdev,ioctl} (see HONEYWELL below).

The device is modelled on a Zebra (Symbol) DS4608 in HID POS mode: VID 0x05e0
(Symbol Technologies in the public usb.ids) and PID 0x1300, the id the
existing hidpos-zebra-ds4608-normal capture carries; strings as Zebra
scanners report them. The descriptors are composed here from the USB 2.0 and
HID 1.11 descriptor layouts and the HID POS usage tables (page 0x8C); they
are not a dump of a real unit. The report layout is the one the decoder and
the vendors' manuals describe (input report 2: length, AIM id, 56 data bytes,
vendor symbology, reserved, "more data" bit; output report 4: trigger /
untrigger and good-read / error beep bits, as Honeywell's HID POS manual
documents them).

The ioctl script replays the interrupt-IN reports of
Tests/Captures/hidpos-zebra-ds4608-normal.log and then one URB that ends
with -ENODEV: libusb reports LIBUSB_TRANSFER_NO_DEVICE, as when the cable
is pulled mid-stream. umockdev starts every open of the node at the top of
the script, so each reconnect replays the same scans.

Format (umockdev src/ioctl_tree.c): "USBDEVFS_REAPURBNDELAY <ret> <type>
<endpoint> <status> <flags> <buffer_length> <actual_length> <error_count>
<hex data>"; a SUBMITURB is matched against the next node with the same
type, endpoint, flags and buffer length, and the REAPURBNDELAY that follows
returns that node's status and data.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, '..')
FIXTURES = os.path.join(HERE, '..', '..', 'DevicesTests', 'Fixtures')

BUS, DEV = 1, 7
REPORT_SIZE = 64
URB_TYPE_INTERRUPT, URB_TYPE_CONTROL = 1, 2
ENODEV = 19

# The DS4608 is a pure HID POS device: one HID interface, IN 0x81, OUT 0x02.
ZEBRA = dict(name='hidpos-zebra-ds4608', capture='hidpos-zebra-ds4608-normal', vid=0x05E0, pid=0x1300,
             manufacturer='Symbol Technologies, Inc, 2008', product='Symbol Bar Code Scanner',
             serial='S/N:0F1E2D3C4B5A69788796A5B4C3D2E1F0 Rev:PAAFNS00-004-R05',
             keyboard=False, pos_interface=0, in_ep=0x81, out_ep=0x02)
# The 1950g in Honeywell's composite "keyboard + HID POS" mode: a boot
# keyboard on interface 0 (IN 0x81) and HID POS on interface 1 (IN 0x83,
# OUT 0x04), as Honeywell's USB manual describes (HID POS is interface 1;
# feature report 0xFE redirects output to it). VID:PID as the
# hidpos-honeywell-1950g-noisy capture carries them.
HONEYWELL = dict(name='hidpos-honeywell-1950g-composite', capture='hidpos-honeywell-1950g-noisy', vid=0x0C2E, pid=0x0B87,
                 manufacturer='Honeywell Imaging & Mobility', product='Honeywell 1950g', serial='19216B0F23',
                 keyboard=True, pos_interface=1, in_ep=0x83, out_ep=0x04)


def le16(v):
    return bytes([v & 0xFF, v >> 8])


def report_descriptor():
    """HID POS: input report 2 (scanned data), output report 4 (trigger and beeper)."""
    d = bytearray()
    d += bytes([0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01])              # Usage Page 0x8C, Usage Bar Code Scanner, Collection (Application)
    d += bytes([0x09, 0x12, 0xA1, 0x02, 0x85, 0x02])              # Usage Scanned Data Report, Collection (Logical), Report ID 2
    d += bytes([0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08])        # Logical 0..255, 8-bit fields
    d += bytes([0x06, 0x66, 0xFF, 0x09, 0x01, 0x95, 0x01, 0x81, 0x02])   # [1] data length (vendor usage)
    d += bytes([0x05, 0x8C, 0x09, 0xFB, 0x09, 0xFC, 0x09, 0xFD, 0x95, 0x03, 0x81, 0x02])  # [2..4] AIM symbology identifier
    d += bytes([0x09, 0xFE, 0x95, 0x38, 0x82, 0x02, 0x01])        # [5..60] Decoded Data, 56 bytes, buffered bytes
    d += bytes([0x06, 0x66, 0xFF, 0x09, 0x02, 0x95, 0x01, 0x81, 0x02])   # [61] vendor symbology byte
    d += bytes([0x95, 0x01, 0x81, 0x01])                          # [62] reserved
    d += bytes([0x05, 0x8C, 0x25, 0x01, 0x75, 0x01, 0x09, 0xFF, 0x81, 0x02])  # [63] bit 0 Decode Data Continued
    d += bytes([0x75, 0x07, 0x81, 0x01, 0xC0])                    # padding; end collection
    d += bytes([0x09, 0x14, 0xA1, 0x02, 0x85, 0x04])              # Usage Trigger Report, Collection (Logical), Report ID 4
    d += bytes([0x15, 0x00, 0x25, 0x01, 0x75, 0x01])              # 1-bit fields
    d += bytes([0x95, 0x01, 0x91, 0x01])                          # bit 0 constant
    d += bytes([0x09, 0x5F, 0x09, 0x60, 0x95, 0x02, 0x91, 0x02])  # bits 1-2 Prevent Read of Barcodes, Initiate Barcode Read
    d += bytes([0x95, 0x02, 0x91, 0x01])                          # bits 3-4 constant
    d += bytes([0x09, 0x85, 0x09, 0x86, 0x95, 0x02, 0x91, 0x02])  # bits 5-6 Sound Error Beep, Sound Good Read Beep
    d += bytes([0x95, 0x01, 0x91, 0x01, 0xC0, 0xC0])              # bit 7 constant; end collections
    return bytes(d)


KEYBOARD_RDESC_LENGTH = 63  # the boot keyboard's report descriptor (never read here)


def descriptors(dev, rd):
    device = bytes([18, 1]) + le16(0x0200) + bytes([0, 0, 0, 64]) + le16(dev['vid']) + le16(dev['pid']) + le16(0x0100) + bytes([1, 2, 3, 1])
    body = b''
    if dev['keyboard']:  # interface 0: boot keyboard (class 3, subclass 1, protocol 1), 8-byte IN 0x81
        body += bytes([9, 4, 0, 0, 1, 3, 1, 1, 0]) + bytes([9, 0x21]) + le16(0x0111) + bytes([0, 1, 0x22]) + le16(KEYBOARD_RDESC_LENGTH)
        body += bytes([7, 5, 0x81, 3]) + le16(8) + bytes([10])
    interface = bytes([9, 4, dev['pos_interface'], 0, 2, 3, 0, 0, 0])   # HID POS: no boot subclass, 2 endpoints
    hid = bytes([9, 0x21]) + le16(0x0111) + bytes([0, 1, 0x22]) + le16(len(rd))
    ep_in = bytes([7, 5, dev['in_ep'], 3]) + le16(REPORT_SIZE) + bytes([1])    # interrupt IN, 1 ms
    ep_out = bytes([7, 5, dev['out_ep'], 3]) + le16(REPORT_SIZE) + bytes([1])  # interrupt OUT
    body += interface + hid + ep_in + ep_out
    interfaces = 2 if dev['keyboard'] else 1
    config = bytes([9, 2]) + le16(9 + len(body)) + bytes([interfaces, 1, 0, 0x80, 250])
    return device + config + body


def capture_lines(name):
    """(direction, bytes) of each data line: '<' device to host, '>' feature report sent."""
    out = []
    with open(os.path.join(CAPTURES, name + '.log')) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in '<>':
                out.append((parts[1], bytes.fromhex(parts[2])))
    return out


def umockdev(dev, desc):
    VID, PID = dev['vid'], dev['pid']
    path = '/devices/pci0000:00/0000:00:14.0/usb%d/%d-3' % (BUS, BUS)
    node = 'bus/usb/%03d/%03d' % (BUS, DEV)
    lines = [
        'P: ' + path, 'N: ' + node,
        'E: DEVNAME=/dev/' + node, 'E: DEVTYPE=usb_device', 'E: DRIVER=usb', 'E: SUBSYSTEM=usb',
        'E: BUSNUM=%03d' % BUS, 'E: DEVNUM=%03d' % DEV, 'E: MAJOR=189', 'E: MINOR=%d' % ((BUS - 1) * 128 + DEV - 1),
        'E: PRODUCT=%x/%x/100' % (VID, PID), 'E: TYPE=0/0/0',
        'E: ID_VENDOR_ID=%04x' % VID, 'E: ID_MODEL_ID=%04x' % PID,
        'E: ID_USB_INTERFACES=' + (':030101:030000:' if dev['keyboard'] else ':030000:'),
        'A: authorized=1', 'A: bConfigurationValue=1\\n', 'A: bDeviceClass=00', 'A: bDeviceProtocol=00',
        'A: bDeviceSubClass=00', 'A: bMaxPacketSize0=64', 'A: bMaxPower=500mA', 'A: bNumConfigurations=1',
        'A: bNumInterfaces= %d' % (2 if dev['keyboard'] else 1), 'A: bcdDevice=0100', 'A: bmAttributes=80', 'A: busnum=%d\\n' % BUS,
        'H: descriptors=' + desc.hex().upper(), 'A: dev=189:%d' % ((BUS - 1) * 128 + DEV - 1), 'A: devnum=%d\\n' % DEV,
        'A: devpath=3', 'A: idProduct=%04x' % PID, 'A: idVendor=%04x' % VID,
        'A: manufacturer=' + dev['manufacturer'], 'A: product=' + dev['product'],
        'A: serial=' + dev['serial'], 'A: speed=12\\n', 'A: version= 2.00',
    ]
    return '\n'.join(lines) + '\n'


def urb(ep, status, length, data):
    return 'USBDEVFS_REAPURBNDELAY 0 %d %d %d 0 %d %d 0 %s' % (URB_TYPE_INTERRUPT, ep, status, length, len(data), data.hex().upper())


def set_report_feature(interface, report):
    """SET_REPORT(Feature) on the control pipe: setup packet, then the report.
    Output URBs are matched byte for byte, so this pins what the driver sends."""
    setup = bytes([0x21, 0x09, report[0], 0x03]) + le16(interface) + le16(len(report))
    buf = setup + bytes(report)
    return 'USBDEVFS_REAPURBNDELAY 0 %d 0 0 0 %d %d 0 %s' % (URB_TYPE_CONTROL, len(buf), len(report), buf.hex().upper())


def ioctl_script(dev, lines_in):
    lines = ['@DEV /dev/bus/usb/%03d/%03d' % (BUS, DEV)]
    for direction, data in lines_in:
        lines.append(urb(dev['in_ep'], 0, REPORT_SIZE, data) if direction == '<' else set_report_feature(dev['pos_interface'], data))
    lines.append(urb(dev['in_ep'], -ENODEV, REPORT_SIZE, b''))   # the cable is pulled
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    rd = report_descriptor()
    for dev in (ZEBRA, HONEYWELL):
        base = os.path.join(FIXTURES, dev['name'])
        with open(base + '.umockdev', 'w') as f:
            f.write(umockdev(dev, descriptors(dev, rd)))
        with open(base + '.ioctl', 'w') as f:
            f.write(ioctl_script(dev, capture_lines(dev['capture'])))
    # Feedback: the output reports the hidpos driver's plans write (report 4,
    # bit 6 good-read beep, bit 5 error beep) on the DS4608's interrupt-OUT
    # endpoint. Output URBs are matched byte for byte, so anything else the
    # port sends fails.
    with open(os.path.join(FIXTURES, 'hidpos-zebra-ds4608-feedback.ioctl'), 'w') as f:
        f.write('@DEV /dev/bus/usb/%03d/%03d\n' % (BUS, DEV))
        for report in (bytes([0x04, 0x40]), bytes([0x04, 0x20])):
            f.write('USBDEVFS_REAPURBNDELAY 0 %d %d 0 0 %d %d 0 %s\n' % (URB_TYPE_INTERRUPT, ZEBRA['out_ep'], len(report), len(report), report.hex().upper()))
    with open(os.path.join(FIXTURES, 'hidpos-zebra-ds4608.rdesc'), 'w') as f:
        f.write(rd.hex() + '\n')
    print('wrote', FIXTURES)
