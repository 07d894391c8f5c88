#!/usr/bin/env python3
"""Builds the evdev (keyboard wedge) capture logs in Tests/Captures/.

Key codes are read from the system's <linux/input-event-codes.h>; the
"how do I type this character on this layout" tables below are written
from the keyboard layouts (US, German T1, French AZERTY), independently of
the Swift decoder's key->character tables. Records are struct input_event
on 64-bit Linux: <qqHHi little-endian> (tv_sec, tv_usec, type, code, value).

Data lines: "<seconds> < <hex of one or more 24-byte records>".
"# Driver: evdev" and "# Options: layout=… [gs-substitute=HEX]" configure the decoder.
"""
import os, re, struct, sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
HDR = '/usr/include/linux/input-event-codes.h'
KEY = {m.group(1): int(m.group(2), 0) for m in re.finditer(r'#define (KEY_\w+)\s+(0x[0-9a-fA-F]+|\d+)', open(HDR).read())}
SOURCE = 'synthesised by Tests/Captures/tools/make_evdev_captures.py from %s key codes (Python %d.%d)' % ((HDR,) + sys.version_info[:2])
EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
T0 = 1_700_000_000


def typing_table(layout):
    t = {}
    letters = 'abcdefghijklmnopqrstuvwxyz'
    swap = {'us': {}, 'de': {'y': 'Z', 'z': 'Y'}, 'fr': {'a': 'Q', 'q': 'A', 'z': 'W', 'w': 'Z', 'm': 'SEMICOLON'}}[layout]
    for c in letters:
        k = 'KEY_' + swap.get(c, c.upper())
        t[c] = (k, ()); t[c.upper()] = (k, ('KEY_LEFTSHIFT',))
    if layout == 'us':
        for d in '0123456789': t[d] = ('KEY_' + d, ())
        plain = {'-': 'MINUS', '=': 'EQUAL', '[': 'LEFTBRACE', ']': 'RIGHTBRACE', ';': 'SEMICOLON', "'": 'APOSTROPHE',
                 '`': 'GRAVE', '\\': 'BACKSLASH', ',': 'COMMA', '.': 'DOT', '/': 'SLASH', ' ': 'SPACE'}
        shifted = {'!': '1', '@': '2', '#': '3', '$': '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
                   '_': 'MINUS', '+': 'EQUAL', '{': 'LEFTBRACE', '}': 'RIGHTBRACE', ':': 'SEMICOLON', '"': 'APOSTROPHE',
                   '~': 'GRAVE', '|': 'BACKSLASH', '<': 'COMMA', '>': 'DOT', '?': 'SLASH'}
        altgr = {}
    elif layout == 'de':
        for d in '0123456789': t[d] = ('KEY_' + d, ())
        plain = {'ß': 'MINUS', '+': 'RIGHTBRACE', '#': 'BACKSLASH', ',': 'COMMA', '.': 'DOT', '-': 'SLASH', ' ': 'SPACE',
                 'ü': 'LEFTBRACE', 'ö': 'SEMICOLON', 'ä': 'APOSTROPHE', '<': '102ND'}
        shifted = {'!': '1', '"': '2', '§': '3', '$': '4', '%': '5', '&': '6', '/': '7', '(': '8', ')': '9', '=': '0',
                   '?': 'MINUS', '*': 'RIGHTBRACE', ';': 'COMMA', ':': 'DOT', '_': 'SLASH', '>': '102ND', 'Ü': 'LEFTBRACE', 'Ö': 'SEMICOLON', 'Ä': 'APOSTROPHE'}
        altgr = {'@': 'Q', '{': '7', '[': '8', ']': '9', '}': '0', '\\': 'MINUS', '|': '102ND', '€': 'E'}
    else:
        for d in '0123456789': t[d] = ('KEY_' + d, ('KEY_LEFTSHIFT',))
        plain = {'&': '1', 'é': '2', '"': '3', "'": '4', '(': '5', '-': '6', 'è': '7', '_': '8', 'ç': '9', 'à': '0',
                 ')': 'MINUS', '=': 'EQUAL', ',': 'M', ';': 'COMMA', ':': 'DOT', '!': 'SLASH', ' ': 'SPACE', 'ù': 'APOSTROPHE',
                 '*': 'BACKSLASH', '<': '102ND'}
        shifted = {'/': 'DOT', '.': 'COMMA', '?': 'M', '%': 'APOSTROPHE', '+': 'EQUAL', '°': 'MINUS', '>': '102ND'}
        altgr = {'@': '0', '#': '3', '{': '4', '[': '5', '|': '6', '\\': '8', ']': 'MINUS', '}': 'EQUAL', '~': '2', '€': 'E'}
    for c, k in plain.items(): t[c] = ('KEY_' + k, ())
    for c, k in shifted.items(): t[c] = ('KEY_' + k, ('KEY_LEFTSHIFT',))
    for c, k in altgr.items(): t[c] = ('KEY_' + k, ('KEY_RIGHTALT',))
    return t


class Log:
    def __init__(self, name, layout, vidpid, firmware, substitute=None):
        self.name, self.layout, self.vidpid, self.firmware, self.substitute = name, layout, vidpid, firmware, substitute
        self.table = typing_table(layout)
        self.lines, self.t = [], 0.0

    def rec(self, type_, code, value):
        us = int(round(self.t * 1_000_000))
        return struct.pack('<qqHHi', T0 + us // 1_000_000, us % 1_000_000, type_, code, value)

    def emit(self, *records):
        self.lines.append(f"{self.t:.4f} < {b''.join(records).hex()}")
        self.t += 0.002

    def key(self, name, value, msc=True):
        code = KEY[name] if isinstance(name, str) else name
        recs = [self.rec(EV_MSC, 4, 0x70000 + code)] if msc else []
        self.emit(*recs, self.rec(EV_KEY, code, value), self.rec(EV_SYN, 0, 0))

    def tap(self, name, mods=()):
        for m in mods: self.key(m, 1)
        self.key(name, 1); self.key(name, 0)
        for m in reversed(mods): self.key(m, 0)

    def text(self, s):
        for c in s:
            k, mods = self.table[c]
            self.tap(k, mods)

    def ctrl_gs(self):
        self.tap('KEY_RIGHTBRACE' if self.layout != 'de' else 'KEY_9', ('KEY_LEFTCTRL',))

    def alt_gs(self):
        self.key('KEY_LEFTALT', 1)
        for k in ('KEY_KP0', 'KEY_KP0', 'KEY_KP2', 'KEY_KP9'): self.tap(k)
        self.key('KEY_LEFTALT', 0)

    def gap(self, s):
        self.t += s

    def write(self):
        path = os.path.join(OUT, self.name + '.log')
        with open(path, 'w') as f:
            f.write(f"# Name: {self.name}\n# Interface: evdev keyboard (struct input_event, 24 bytes, x86-64)\n")
            f.write(f"# VID-PID: {self.vidpid}\n# Firmware: {self.firmware}\n# Serial: n/a\n# Source: {SOURCE}\n")
            gs = f" gs-substitute={ord(self.substitute):02X}" if self.substitute else ""
            f.write(f"# Driver: evdev\n# Options: layout={self.layout}{gs}\n")
            f.write("\n".join(self.lines) + "\n")
        print('wrote', path)


def normal():
    log = Log('evdev-us-honeywell-1250g-normal', 'us', '0c2e:0b61', 'Honeywell Voyager 1250g, USB keyboard (PC), US (synthesised)')
    log.text(']C10109501101020917'); log.ctrl_gs(); log.text('10ABC-123'); log.tap('KEY_ENTER')
    log.gap(0.8)
    log.text('5901234123457'); log.tap('KEY_ENTER')
    log.gap(0.8)
    log.text(']Q1https://id.gs1.org/01/09506000134352?17=261130'); log.tap('KEY_ENTER')
    log.write()


def noisy():
    log = Log('evdev-de-datalogic-gd4500-noisy', 'de', '05f9:2214', 'Datalogic Gryphon GD4500, USB keyboard, German (synthesised, with injected faults)')
    log.text(']C101040123456789'); log.ctrl_gs(); log.text('10Lot-ÄÖÜ'); log.tap('KEY_ENTER')
    log.gap(0.5)
    log.key('KEY_5', 1); log.key('KEY_5', 2); log.key('KEY_5', 0)       # autorepeat: noise, counted
    log.key(183, 1); log.key(183, 0)                                   # KEY_F13: no character
    log.key(0x2FF, 1); log.key(0x2FF, 0)                               # code beyond KEY_MAX of any table
    log.text('Zahl: 42 @Bereich'); log.tap('KEY_ENTER')
    log.gap(0.5)
    log.emit(log.rec(2, 0, 5), log.rec(2, 1, -3), log.rec(EV_SYN, 0, 0))  # mouse-like EV_REL from a combo device
    log.text('OFFEN')                                                  # no terminator...
    log.lines.append(f"{log.t:.4f} < {log.rec(EV_KEY, KEY['KEY_A'], 1)[:13].hex()}")  # ...and a cut-off record
    log.write()


def edge():
    log = Log('evdev-fr-zebra-ds2208-edge', 'fr', '05e0:1200', 'Zebra DS2208, USB HID keyboard, French (synthesised)', substitute='|')
    log.text(']d2010950110102091710LOT'); log.alt_gs(); log.text('21S/N.42'); log.tap('KEY_TAB')
    log.gap(0.5)
    log.tap('KEY_ENTER')                                               # empty scan: counted, not emitted
    log.gap(0.5)
    log.text('0112345678901231|10AB'); log.tap('KEY_KPENTER')           # '|' (AltGr+6) is the GS substitute
    log.gap(0.5)
    log.tap('KEY_CAPSLOCK'); log.text('azerty'); log.tap('KEY_CAPSLOCK'); log.text('é@]')
    log.tap('KEY_ENTER')
    log.write()


if __name__ == '__main__':
    normal(); noisy(); edge()
