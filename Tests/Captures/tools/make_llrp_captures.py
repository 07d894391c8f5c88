#!/usr/bin/env python3
"""Builds the LLRP capture logs in Tests/Captures/ with pyllrp, an
independent LLRP encoder (pip install pyllrp 'bitstring<5').

Reader->client messages ('<') and the client->reader messages the session is
expected to send ('>') are both encoded by pyllrp; the Swift tests require
ScanLedger's builders to produce the '>' bytes exactly. Deliberately broken
bytes (noisy log) are made by editing pyllrp output and are marked as such.

Data lines: "<seconds> <dir> <hex>", dir '<' reader->client, '>' client->reader;
"<seconds> ! close" = the reader closes the TCP connection;
"<seconds> ! stop" = the host asks the driver to shut down;
"<seconds> ! gpo N on|off" = the host writes general-purpose output N
(operator feedback), which the session sends as SET_READER_CONFIG.
"""
import os, sys
from importlib.metadata import version
from pyllrp.pyllrp import *
import pyllrp.pyllrp as P
from bitstring import BitStream

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SOURCE = f"pyllrp {version('pyllrp')} (bitstring {version('bitstring')}), Tests/Captures/tools/make_llrp_captures.py"
T0 = 1_700_000_000_000_000  # reader UTC clock, microseconds


def enc(m):
    return P.PackMessage(m).bytes


class Log:
    def __init__(self, name, firmware, config):
        self.name, self.firmware, self.config = name, firmware, config
        self.lines, self.t, self.next_id = [], 0.0, 1

    def at(self, dt):
        self.t += dt
        return self

    def rx(self, data):  # reader -> client
        self.lines.append(f"{self.t:.3f} < {data.hex()}")

    def tx(self, data):  # client -> reader (expected)
        self.lines.append(f"{self.t:.3f} > {data.hex()}")

    def mark(self, what):
        self.lines.append(f"{self.t:.3f} ! {what}")

    def take_id(self):
        i = self.next_id
        self.next_id += 1
        return i

    def write(self):
        path = os.path.join(OUT, self.name + '.log')
        with open(path, 'w') as f:
            f.write(f"# Name: {self.name}\n# Interface: TCP 5084 (LLRP 1.0.1)\n# VID-PID: n/a\n")
            f.write(f"# Firmware: {self.firmware}\n# Serial: n/a\n# Source: {SOURCE}\n# Driver: llrp\n# Config: {self.config}\n")
            f.write("\n".join(self.lines) + "\n")
        print('wrote', path)


def connection_event(status, t_us):
    return READER_EVENT_NOTIFICATION_Message(MessageID=0, Parameters=[ReaderEventNotificationData_Parameter(Parameters=[
        UTCTimestamp_Parameter(Microseconds=t_us), ConnectionAttemptEvent_Parameter(Status=status)])])


def status_ok():
    return LLRPStatus_Parameter(StatusCode=StatusCode.M_Success, ErrorDescription='')


def rospec(antennas, session, single_target, trigger):
    ids = antennas or [0]
    sweep = trigger[0] == 'sweep'
    cmds = []
    for a in ids:
        sc = [C1G2TagInventoryStateAwareSingulationAction_Parameter(I=False, S=True)] if single_target else []
        cmds.append(AntennaConfiguration_Parameter(AntennaID=a, Parameters=[
            C1G2InventoryCommand_Parameter(TagInventoryStateAware=single_target, Parameters=[
                C1G2SingulationControl_Parameter(Session=session, TagPopulation=32, TagTransitTime=0, Parameters=sc)])]))
    return ROSpec_Parameter(ROSpecID=1, Priority=0, CurrentState=ROSpecState.Disabled, Parameters=[
        ROBoundarySpec_Parameter(Parameters=[
            ROSpecStartTrigger_Parameter(ROSpecStartTriggerType=ROSpecStartTriggerType.Null),
            ROSpecStopTrigger_Parameter(ROSpecStopTriggerType=ROSpecStopTriggerType.Null, DurationTriggerValue=0)]),
        AISpec_Parameter(AntennaIDs=ids, Parameters=[
            AISpecStopTrigger_Parameter(AISpecStopTriggerType=1 if sweep else 0, DurationTrigger=trigger[1] if sweep else 0),
            InventoryParameterSpec_Parameter(InventoryParameterSpecID=1, ProtocolID=AirProtocols.EPCGlobalClass1Gen2,
                                             Parameters=cmds)]),
        ROReportSpec_Parameter(ROReportTrigger=1 if sweep else 2, N=0 if sweep else trigger[1], Parameters=[
            TagReportContentSelector_Parameter(EnableAntennaID=True, EnableChannelIndex=True, EnablePeakRSSI=True,
                                               EnableFirstSeenTimestamp=True, EnableLastSeenTimestamp=True,
                                               EnableTagSeenCount=True)])])


def setup(log, antennas, session, single_target, trigger, keepalive_ms=5000):
    """The known-state sequence the session runs after a successful ConnectionAttemptEvent."""
    events = [(0, False), (1, True), (2, False), (3, True), (4, True), (5, False), (6, False), (7, False), (8, True)]
    steps = [
        (GET_READER_CAPABILITIES_Message, dict(RequestedData=0), GET_READER_CAPABILITIES_RESPONSE_Message),
        (SET_READER_CONFIG_Message, dict(ResetToFactoryDefault=False, Parameters=[
            ReaderEventNotificationSpec_Parameter(Parameters=[
                EventNotificationState_Parameter(EventType=t, NotificationState=on) for t, on in events]),
            KeepaliveSpec_Parameter(KeepaliveTriggerType=KeepaliveTriggerType.Periodic, PeriodicTriggerValue=keepalive_ms)]),
         SET_READER_CONFIG_RESPONSE_Message),
        (DELETE_ACCESSSPEC_Message, dict(AccessSpecID=0), DELETE_ACCESSSPEC_RESPONSE_Message),
        (DELETE_ROSPEC_Message, dict(ROSpecID=0), DELETE_ROSPEC_RESPONSE_Message),
        (ADD_ROSPEC_Message, dict(Parameters=[rospec(antennas, session, single_target, trigger)]), ADD_ROSPEC_RESPONSE_Message),
        (ENABLE_ROSPEC_Message, dict(ROSpecID=1), ENABLE_ROSPEC_RESPONSE_Message),
        (START_ROSPEC_Message, dict(ROSpecID=1), START_ROSPEC_RESPONSE_Message),
    ]
    for req, fields, resp in steps:
        mid = log.take_id()
        log.at(0.01).tx(enc(req(MessageID=mid, **fields)))
        log.at(0.02).rx(enc(resp(MessageID=mid, Parameters=[status_ok()])))


def tag(epc, antenna=None, rssi=None, channel=None, first=None, last=None, count=None, uptime=False, extra=()):
    ps = [EPC_96_Parameter(EPC=epc) if isinstance(epc, int) else EPCData_Parameter(EPC=epc)]
    if antenna is not None: ps.append(AntennaID_Parameter(AntennaID=antenna))
    if rssi is not None: ps.append(PeakRSSI_Parameter(PeakRSSI=rssi))
    if channel is not None: ps.append(ChannelIndex_Parameter(ChannelIndex=channel))
    if first is not None:
        ps.append((FirstSeenTimestampUptime_Parameter if uptime else FirstSeenTimestampUTC_Parameter)(Microseconds=first))
    if last is not None:
        ps.append((LastSeenTimestampUptime_Parameter if uptime else LastSeenTimestampUTC_Parameter)(Microseconds=last))
    if count is not None: ps.append(TagSeenCount_Parameter(TagCount=count))
    ps.extend(extra)
    return TagReportData_Parameter(Parameters=ps)


def report(mid, tags, extra=()):
    return enc(RO_ACCESS_REPORT_Message(MessageID=mid, Parameters=list(tags) + list(extra)))


def reader_event(mid, t_us, *events, uptime=False):
    stamp = (Uptime_Parameter if uptime else UTCTimestamp_Parameter)(Microseconds=t_us)
    return enc(READER_EVENT_NOTIFICATION_Message(MessageID=mid, Parameters=[
        ReaderEventNotificationData_Parameter(Parameters=[stamp] + list(events))]))


def keepalive(log, mid):
    log.rx(enc(KEEPALIVE_Message(MessageID=mid)))
    log.at(0.001).tx(enc(KEEPALIVE_ACK_Message(MessageID=mid)))


def gpo(log, port, high, status=StatusCode.M_Success, why=''):
    """One feedback step: the host asks for GPO `port` on/off, the session
    sends it in its own SET_READER_CONFIG (next message id), the reader answers."""
    log.mark(f"gpo {port} {'on' if high else 'off'}")
    mid = log.take_id()
    log.tx(enc(SET_READER_CONFIG_Message(MessageID=mid, ResetToFactoryDefault=False, Parameters=[
        GPOWriteData_Parameter(GPOPortNumber=port, GPOData=high)])))
    log.at(0.01).rx(enc(SET_READER_CONFIG_RESPONSE_Message(MessageID=mid, Parameters=[
        LLRPStatus_Parameter(StatusCode=status, ErrorDescription=why)])))


def shutdown(log):
    log.at(0.5).mark('stop')
    log.tx(enc(STOP_ROSPEC_Message(MessageID=log.take_id(), ROSpecID=1)))
    mid = log.take_id()
    log.tx(enc(CLOSE_CONNECTION_Message(MessageID=mid)))
    log.at(0.05).rx(enc(CLOSE_CONNECTION_RESPONSE_Message(MessageID=mid, Parameters=[status_ok()])))


SGTIN = [0x3074257BF7194E4000001A85, 0x3074257BF7194E4000001A86, 0x3074257BF7194E4000001A87, 0x30340242201D8840009EFDB7]
SSCC_128 = bytes.fromhex('3114257BF400000000000000ABCD0000')  # 128-bit EPC bank contents via EPCData
GIAI_202 = bytes.fromhex('3814257BF7194E4000001A85112233445566778899AABBCCDD00')  # 208 bits in EPCData


def normal():
    log = Log('llrp-impinj-r700-normal', 'Impinj R700 Octane 8.2 (synthesised)',
              'preset=presence antennas=1,2 report=tags:1 keepalive=5000')
    log.rx(enc(connection_event(ConnectionAttemptStatusType.Success, T0)))
    setup(log, [1, 2], session=0, single_target=False, trigger=('tags', 1))
    t = T0 + 1_000_000
    for i, epc in enumerate(SGTIN):
        log.at(0.1).rx(report(1000 + i, [tag(epc, antenna=1 + i % 2, rssi=-50 - i, channel=3 + i,
                                             first=t + i * 1000, last=t + i * 1000 + 500, count=1 + i)]))
    log.at(0.1).rx(report(1010, [tag(SSCC_128, antenna=2, rssi=-61, channel=9, first=t + 9000, last=t + 9500, count=2),
                                 tag(GIAI_202, antenna=1, rssi=-70, channel=1, first=t + 9100, last=t + 9100, count=1),
                                 tag(SGTIN[0], antenna=2, rssi=-48, channel=2, first=t + 9200, last=t + 9900, count=7)]))
    log.at(2.0)
    keepalive(log, 2001)
    log.at(0.3).rx(reader_event(3001, t + 3_000_000, GPIEvent_Parameter(GPIPortNumber=1, GPIEvent=True)))
    log.at(0.2).rx(reader_event(3002, t + 3_200_000, AntennaEvent_Parameter(EventType=AntennaEventType.Antenna_Disconnected, AntennaID=2)))
    log.at(0.1).rx(report(1011, [tag(SGTIN[1], antenna=1, rssi=-52, channel=4, first=t + 3_300_000, last=t + 3_300_500, count=1)]))
    log.at(0.4).rx(reader_event(3003, t + 3_700_000, GPIEvent_Parameter(GPIPortNumber=1, GPIEvent=False)))
    log.at(1.5)
    keepalive(log, 2002)
    shutdown(log)
    log.write()


def noisy():
    log = Log('llrp-zebra-fx9600-noisy', 'Zebra FX9600 3.10 (synthesised, with injected faults)',
              'preset=cycle-count antennas=1,2,3,4 report=tags:16 keepalive=5000')
    log.rx(enc(connection_event(ConnectionAttemptStatusType.Success, T0)))
    setup(log, [1, 2, 3, 4], session=2, single_target=True, trigger=('tags', 16))
    t = T0 + 5_000_000
    vendor = Custom_Parameter(VendorIdentifier=161, ParameterSubtype=7, Data=BitStream(bytes=b'\x01\x02\x03\x04'))
    # Vendor (Custom) parameters inside TagReportData and at message level: skipped.
    log.at(0.1).rx(report(1100, [tag(SGTIN[0], antenna=3, rssi=-58, channel=5, first=t, last=t + 10, count=2, extra=[vendor]),
                                 tag(SGTIN[1], antenna=4, rssi=-66, channel=6, first=t + 20, last=t + 30, count=1)],
                          extra=[vendor]))
    # A whole CUSTOM_MESSAGE from the vendor: skipped.
    log.at(0.1).rx(enc(CUSTOM_MESSAGE_Message(MessageID=1101, VendorIdentifier=161, MessageSubtype=3,
                                              Data=BitStream(bytes=b'\xde\xad\xbe\xef'))))
    # Garbage between messages (a reader console banner), then a good report.
    log.at(0.1).rx(b'\r\nFX9600 login: \x00\xff\xfe')
    log.at(0.01).rx(report(1102, [tag(SGTIN[2], antenna=1, rssi=-40, channel=7, first=t + 40, last=t + 50, count=4)]))
    # Impossible message length (5 < header size) in an otherwise good header.
    bad = bytearray(enc(KEEPALIVE_Message(MessageID=1103)))
    bad[2:6] = (5).to_bytes(4, 'big')
    log.at(0.1).rx(bytes(bad))
    log.at(0.01).rx(report(1104, [tag(SGTIN[3], antenna=2, rssi=-71, channel=8, first=t + 60, last=t + 70, count=1)]))
    # TagReportData with a TLV whose length overruns it (EPCData claims 200 bytes).
    good = report(1105, [tag(SGTIN[0], antenna=1, rssi=-45, first=t + 80, last=t + 90, count=3)])
    broken = bytearray(report(1106, [tag(SSCC_128, antenna=1, rssi=-45)]))
    broken[16:18] = (200).to_bytes(2, "big")  # EPCData TLV length, inside TagReportData
    log.at(0.1).rx(bytes(broken))
    log.at(0.01).rx(good)
    # An EPC longer than 256 bits (496-bit EPC bank): error, read dropped, next tag kept.
    log.at(0.1).rx(report(1107, [tag(bytes(range(62)), antenna=2, rssi=-50),
                                 tag(SGTIN[1], antenna=2, rssi=-51, first=t + 100, last=t + 110, count=1)]))
    # Unknown TV parameter type (0x7E) inside a TagReportData: rest of it unreadable.
    unk = bytearray(report(1108, [tag(SGTIN[2], antenna=1, rssi=-44)]))
    unk[-2] = 0x80 | 0x7E  # replaces the PeakRSSI TV type
    log.at(0.1).rx(bytes(unk))
    # Unknown TLV parameter at message level (type 900): skipped by length.
    unk_tlv = bytearray(report(1109, [tag(SGTIN[3], antenna=4, rssi=-60, first=t + 120, last=t + 130, count=5)]))
    unk_tlv += bytes.fromhex('0384000801020304')
    unk_tlv[2:6] = len(unk_tlv).to_bytes(4, 'big')
    log.at(0.1).rx(bytes(unk_tlv))
    log.at(0.5)
    keepalive(log, 2101)
    # A report split across TCP segments at awkward points.
    split = report(1110, [tag(SGTIN[0], antenna=1, rssi=-49, first=t + 200, last=t + 210, count=1),
                          tag(SGTIN[1], antenna=2, rssi=-53, first=t + 220, last=t + 230, count=1)])
    log.at(0.1).rx(split[:3])
    log.at(0.01).rx(split[3:25])
    log.at(0.01).rx(split[25:])
    # The reader dies mid-message: truncated, then the connection drops.
    log.at(0.1).rx(report(1111, [tag(SGTIN[2], antenna=3, rssi=-55)])[:17])
    log.at(0.2).mark('close')
    log.write()


def edge():
    log = Log('llrp-impinj-r420-edge', 'Impinj Speedway R420 Octane 7.6 (synthesised)',
              'preset=cycle-count antennas= report=sweep:1000 keepalive=5000')
    # 1: the reader still holds our pre-crash session.
    log.rx(enc(connection_event(ConnectionAttemptStatusType.Failed_A_Client_Initiated_Connection_Already_Exists, T0)))
    log.at(0.05).mark('close')
    # 2: after backoff (1 s) the stale session is gone.
    log.at(2.0).rx(enc(connection_event(ConnectionAttemptStatusType.Success, T0 + 2_000_000)))
    setup(log, [], session=2, single_target=True, trigger=('sweep', 1000))
    t = T0 + 3_000_000
    log.at(1.0).rx(reader_event(3100, t, ROSpecEvent_Parameter(EventType=0, ROSpecID=1, PreemptingROSpecID=0)))
    log.at(0.9).rx(report(1200, [tag(SGTIN[0], antenna=1, rssi=-57, channel=12, first=t, last=t + 800_000, count=9),
                                 tag(SGTIN[1], antenna=2, rssi=-63, channel=12, first=t + 5000, last=t + 700_000, count=4)]))
    log.at(1.0)
    keepalive(log, 2201)
    log.at(5.0)
    keepalive(log, 2202)
    # Then silence: the network goes away. 3 keepalive periods later the link is dead.
    log.at(20.0).rx(enc(KEEPALIVE_Message(MessageID=2203)))  # arrives too late: dropped
    log.at(0.5).mark('close')
    # 3: reconnect (backoff restarted at 1 s after the good session); reader boot clock only.
    log.at(2.0).rx(enc(connection_event(ConnectionAttemptStatusType.Success, T0 + 40_000_000)))
    setup(log, [], session=2, single_target=True, trigger=('sweep', 1000))
    log.at(1.0).rx(report(1300, [tag(SGTIN[2], antenna=1, rssi=-59, channel=3, first=61_000_000, last=61_900_000,
                                     count=6, uptime=True)]))
    log.at(0.5).rx(reader_event(3101, 62_000_000, ReaderExceptionEvent_Parameter(Message='antenna 3 VSWR high'), uptime=True))
    # A second client tries to connect: informational on our session.
    log.at(0.5).rx(reader_event(3102, 62_500_000, ConnectionAttemptEvent_Parameter(
        Status=ConnectionAttemptStatusType.Another_Connection_Attempted), uptime=True))
    # Reader reboots: it announces the close, then drops the socket.
    log.at(0.5).rx(reader_event(3103, 63_000_000, ConnectionCloseEvent_Parameter(), uptime=True))
    log.at(0.01).mark('close')
    log.write()


def feedback():
    log = Log('llrp-impinj-r700-feedback', 'Impinj R700 Octane 8.2 (synthesised)',
              'preset=presence antennas=1 report=tags:1 keepalive=5000')
    log.rx(enc(connection_event(ConnectionAttemptStatusType.Success, T0)))
    setup(log, [1], session=0, single_target=False, trigger=('tags', 1))
    t = T0 + 1_000_000
    log.at(0.1).rx(report(1000, [tag(SGTIN[0], antenna=1, rssi=-50, first=t, last=t + 500, count=1)]))
    # Accepted: the lamp on GPO 1 for 200 ms.
    log.at(0.005)
    gpo(log, 1, True)
    log.at(0.2)
    gpo(log, 1, False)
    # A tag report arrives between a write and its response: both are taken as they come.
    log.at(0.1).mark('gpo 2 on')
    mid = log.take_id()
    log.tx(enc(SET_READER_CONFIG_Message(MessageID=mid, ResetToFactoryDefault=False, Parameters=[
        GPOWriteData_Parameter(GPOPortNumber=2, GPOData=True)])))
    log.at(0.002).rx(report(1001, [tag(SGTIN[1], antenna=1, rssi=-55, first=t + 400_000, last=t + 400_000, count=1)]))
    log.at(0.008).rx(enc(SET_READER_CONFIG_RESPONSE_Message(MessageID=mid, Parameters=[status_ok()])))
    # A port the reader lacks: refused; logged, the session runs on.
    log.at(0.5)
    gpo(log, 9, True, StatusCode.M_FieldError, 'GPOPortNumber 9 out of range')
    log.at(0.1).rx(report(1002, [tag(SGTIN[2], antenna=1, rssi=-52, first=t + 1_000_000, last=t + 1_000_100, count=2)]))
    log.at(1.0)
    keepalive(log, 2001)
    shutdown(log)
    log.write()


if __name__ == '__main__':
    feedback()
    normal()
    noisy()
    edge()
