/// Just enough of a HID report descriptor walk to find a HID POS scanner by
/// its usage page (0x8C, Bar Code Scanner) instead of a VID:PID list.
public enum HIDReportDescriptor {
    public static let barCodeScannerUsagePage: UInt32 = 0x8C

    /// One short item: type (0 main, 1 global, 2 local), tag, how many data
    /// bytes it had, and the data as a little-endian value.
    struct Item { var type: UInt8, tag: UInt8, size: Int, value: UInt32 }

    /// The short items in order (long items skipped: nothing here reads
    /// them). Malformed descriptors end the walk; nothing traps.
    static func items(_ d: [UInt8]) -> [Item] {
        var out: [Item] = []
        var i = 0
        while i < d.count {
            let prefix = d[i]
            if prefix == 0xFE { // long item: size, tag, data
                guard i + 2 < d.count else { break }
                i += 3 + Int(d[i + 1])
                continue
            }
            let size = [0, 1, 2, 4][Int(prefix & 3)]
            guard i + 1 + size <= d.count else { break }
            var v: UInt32 = 0
            for k in 0..<size { v |= UInt32(d[i + 1 + k]) << (8 * UInt32(k)) }
            out.append(Item(type: (prefix >> 2) & 3, tag: prefix >> 4, size: size, value: v))
            i += 1 + size
        }
        return out
    }

    /// Every Usage Page (global item, tag 0) the descriptor declares, in order.
    public static func usagePages(_ d: [UInt8]) -> [UInt32] {
        items(d).filter { $0.type == 1 && $0.tag == 0 }.map(\.value)
    }

    public static func isBarCodeScanner(_ d: [UInt8]) -> Bool {
        usagePages(d).contains(barCodeScannerUsagePage)
    }
}

extension HIDReportDescriptor {
    /// One output field: `bitSize` bits at `bitOffset` of report `reportID`'s
    /// data (the bits after the report ID byte), meaning `usage`
    /// (page << 16 | id). Only variable, non-constant fields are listed:
    /// padding and array fields are not something a host can switch on.
    public struct OutputField: Hashable, Sendable {
        public var reportID: UInt8
        public var usage: UInt32
        public var bitOffset: Int
        public var bitSize: Int
    }

    /// The output reports a descriptor declares: their fields, and each
    /// report's data length in bytes (without the ID byte), so a report
    /// built from them has the size the device expects.
    public struct OutputReports: Hashable, Sendable {
        public var fields: [OutputField] = []
        public var lengths: [UInt8: Int] = [:]
        /// Whether reports carry an ID byte (any Report ID item); without,
        /// the ID is 0 and is not sent.
        public var usesReportIDs = false
    }

    /// Walks the items (HID 1.11 §6.2.2) keeping the global state (usage
    /// page, report size, count, ID, with push/pop) and the local usages,
    /// and lays out every Output main item. A malformed descriptor gives
    /// what was found before the damage; sizes are capped, nothing traps.
    public static func outputReports(_ d: [UInt8]) -> OutputReports {
        struct Globals { var page: UInt32 = 0, size = 0, count = 0, id: UInt8 = 0 }
        var g = Globals(), stack: [Globals] = []
        var usages: [UInt32] = [], usageMin: UInt32? = nil
        var bits: [UInt8: Int] = [:]
        var out = OutputReports()
        for item in items(d) {
            let v = item.value, tag = item.tag
            switch item.type {
            case 1: // global
                switch tag {
                case 0: g.page = v & 0xFFFF
                case 7: g.size = Int(min(v, 32))
                case 8: g.id = UInt8(truncatingIfNeeded: v); out.usesReportIDs = true
                case 9: g.count = Int(min(v, 1024))
                case 10: if stack.count < 16 { stack.append(g) }
                case 11: if let top = stack.popLast() { g = top }
                default: break
                }
            case 2: // local: a 4-byte usage names its own page
                let usage = item.size == 4 ? v : g.page << 16 | v
                switch tag {
                case 0: if usages.count < 1024 { usages.append(usage) }
                case 1: usageMin = usage
                case 2:
                    if let lo = usageMin, lo <= usage, usage - lo < 1024 { usages += Array(lo...usage) }
                    usageMin = nil
                default: break
                }
            case 0: // main
                if tag == 9 { // Output
                    let start = bits[g.id, default: 0]
                    let variable = v & 0x02 != 0, constant = v & 0x01 != 0
                    if variable && !constant && g.size > 0 {
                        for k in 0..<g.count where !usages.isEmpty {
                            out.fields.append(OutputField(reportID: g.id, usage: usages[min(k, usages.count - 1)],
                                                          bitOffset: start + k * g.size, bitSize: g.size))
                        }
                    }
                    bits[g.id] = start + g.size * g.count
                }
                usages.removeAll(); usageMin = nil
            default: break
            }
        }
        for (id, n) in bits { out.lengths[id] = (n + 7) / 8 }
        return out
    }
}
