import CLinuxShims
import Foundation
import ScanModel

/// A scanner or reader that exists only as the master side of a
/// pseudo-terminal: the daemon opens the slave path exactly as it would open
/// /dev/ttyACM0, and this side writes what the real device would send. Used
/// by `scanledger simulate`, the demo and the daemon tests, so none of them
/// need hardware. Kind `llrp` is a network reader instead: an
/// `LLRPReaderEmulator` on a loopback port.
public final class SimulatedDevice {
    public enum Kind: String, Sendable, CaseIterable { case line, mercury, tsl, llrp }

    public let name: String
    public let kind: Kind
    /// The slave side, e.g. /dev/pts/7: what a config's `port` points at;
    /// for `llrp`, `127.0.0.1:PORT`: what a config's `host` points at.
    public let path: String
    private var master: FileDescriptor?
    private var slave: FileDescriptor?
    /// The reader behind an `llrp` device.
    public let reader: LLRPReaderEmulator?
    /// Bytes the host wrote to the device (commands), kept for inspection.
    public private(set) var received: [UInt8] = []

    /// `port` is the loopback port of an `llrp` device (0: any free one).
    public init(name: String, kind: Kind, port: UInt16 = 0) throws {
        if kind == .llrp {
            let reader = try LLRPReaderEmulator(port: port)
            self.name = name; self.kind = kind; self.reader = reader
            path = reader.address
            return
        }
        reader = nil
        var m: Int32 = -1, s: Int32 = -1
        var buffer = [CChar](repeating: 0, count: 128)
        do throws(Errno) {
            try valueOrErrno("openpty") { CLinuxShims_openpty(&m, &s, &buffer, buffer.count) }
            try FileDescriptor(rawValue: m).setNonBlocking(what: "pty master")
        } catch {
            if m >= 0 { FileDescriptor(rawValue: m).close(); FileDescriptor(rawValue: s).close() }
            throw SimulationError("\(name): \(error)")
        }
        self.name = name
        self.kind = kind
        self.master = FileDescriptor(rawValue: m)
        self.slave = FileDescriptor(rawValue: s)
        self.path = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        master.closeOnce()
        slave.closeOnce()
        reader?.stop()
    }

    /// Waits until another process has the slave open (the daemon connected).
    /// While nobody holds the slave, the master polls POLLHUP; so we drop our
    /// own slave descriptor and watch for the hang-up to clear.
    public func waitUntilOpened(timeout: Duration) -> Bool {
        if let reader {
            let c = timeout.components
            return reader.waitUntilInventorying(timeout: Double(c.seconds) + Double(c.attoseconds) / 1e18)
        }
        slave.closeOnce()
        guard let master else { return false }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let revents = (try? master.poll(events: Int16(POLLIN), timeoutMs: 20)) ?? 0
            drainCommands()
            if revents & Int16(POLLHUP) == 0 { return true }
            usleep(20_000)
        }
        return false
    }

    /// Reads and keeps whatever the host sent (init/start/feedback commands).
    @discardableResult
    public func drainCommands() -> Int {
        guard let master else { return 0 }
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { (try? master.read(into: $0, what: "pty master")) ?? 0 }
            if n <= 0 { return total }
            received.append(contentsOf: chunk[0..<n])
            total += n
        }
    }

    /// Writes raw bytes, waiting out a full pty buffer.
    public func write(_ bytes: [UInt8]) throws {
        guard let master else { throw SimulationError("\(name): an LLRP reader takes tags, not raw bytes") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in Result { () throws(Errno) in try master.write(raw, what: path) } }
            switch written {
            case .success(let n): offset += n
            case .failure(let error) where error.wouldBlock: drainCommands(); usleep(1000)  // the host has not read yet
            case .failure(let error): throw SimulationError("\(name): \(error)")
            }
        }
    }

    /// A barcode as a serial scanner in line mode sends it: data then CR.
    public func scan(_ data: [UInt8]) throws {
        switch kind {
        case .line: try write(data + [0x0D])
        case .tsl: try write(Array("BC: ".utf8) + data + Array("\r\n".utf8))
        case .mercury, .llrp: throw SimulationError("\(name): an RFID reader cannot scan barcodes")
        }
    }

    /// Tag reads as the device reports them: Mercury streamed 0x22 records,
    /// or TSL inventory lines (EP:/RI:) closed by OK:.
    public func tags(_ epcs: [EPC], antenna: UInt8 = 1, rssi: Int8 = -55, count: UInt8 = 1) throws {
        switch kind {
        case .mercury:
            var bytes: [UInt8] = []
            for epc in epcs { bytes += SimulatedFrames.mercuryTagRecord(epc, antenna: antenna, rssi: rssi, count: count) }
            try write(bytes)
        case .tsl:
            var text = ""
            for epc in epcs { text += "EP: \(epc.hex)\r\nRI: \(rssi)\r\n" }
            try write(Array((text + "OK:\r\n\r\n").utf8))
        case .llrp:
            guard let reader, reader.report(epcs, antenna: UInt16(antenna), rssi: rssi, count: UInt16(count)) else {
                throw SimulationError("\(name): no client is inventorying on \(path) (use `open \(name)` first)")
            }
        case .line:
            throw SimulationError("\(name): a line-mode scanner cannot read tags")
        }
    }

    /// A handheld's trigger (TSL `SW:` lines).
    public func trigger(pressed: Bool) throws {
        guard kind == .tsl else { throw SimulationError("\(name): only a TSL handheld has a trigger") }
        try write(Array((pressed ? "SW: single\r\n" : "SW: off\r\n").utf8))
    }

    /// What a streaming Mercury reader sends when no tag is in the field
    /// (an LLRP reader sends its KEEPALIVEs by itself).
    public func keepalive() throws {
        guard kind == .mercury else { return }
        try write(MercuryProtocol.reply(MercuryProtocol.Opcode.readTagIDMultiple, status: MercuryProtocol.Status.noTagsFound))
    }
}

public struct SimulationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Device byte streams built from the protocol layouts the drivers parse.
public enum SimulatedFrames {
    /// One streamed tag record (reply to 0x22 inside continuous read 0x2F)
    /// with the standard metadata: read count, RSSI, antenna, frequency,
    /// timestamp, protocol; the EPC follows its PC word and precedes the
    /// tag's own CRC-16, as on the air.
    public static func mercuryTagRecord(_ epc: EPC, antenna: UInt8, rssi: Int8, count: UInt8) -> [UInt8] {
        let flags = MercuryProtocol.Metadata.standard.rawValue
        let epcBytes = epc.bytes
        let pc = UInt16(epcBytes.count / 2) << 11          // EPC length in words, bits 15–11
        var data: [UInt8] = [0x10, 0x00, 0x1B, UInt8(flags >> 8), UInt8(flags & 0xFF), 0x01]
        data += [count, UInt8(bitPattern: rssi), antenna << 4 | antenna]
        data += [0x0D, 0xF5, 0x68]                          // 915.8 MHz in kHz
        data += [0x00, 0x00, 0x00, 0x00]                    // reader timestamp (ms): unused
        data += [0x05]                                      // Gen2
        let bits = (2 + epcBytes.count + 2) * 8
        data += [UInt8(bits >> 8), UInt8(bits & 0xFF), UInt8(pc >> 8), UInt8(pc & 0xFF)]
        data += epcBytes
        data += [0x00, 0x00]                                // tag CRC: not checked by readers' hosts
        return MercuryProtocol.reply(MercuryProtocol.Opcode.readTagIDMultiple, status: MercuryProtocol.Status.ok, data)
    }
}
