/// Just enough of a HID report descriptor walk to find a HID POS scanner by
/// its usage page (0x8C, Bar Code Scanner) instead of a VID:PID list.
public enum HIDReportDescriptor {
    public static let barCodeScannerUsagePage: UInt32 = 0x8C

    /// Every Usage Page (global item, tag 0) the descriptor declares, in
    /// order. Malformed descriptors end the walk; nothing traps.
    public static func usagePages(_ d: [UInt8]) -> [UInt32] {
        var pages: [UInt32] = []
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
            let type = (prefix >> 2) & 3, tag = prefix >> 4
            if type == 1 && tag == 0 {
                var v: UInt32 = 0
                for k in 0..<size { v |= UInt32(d[i + 1 + k]) << (8 * UInt32(k)) } // little-endian
                pages.append(v)
            }
            i += 1 + size
        }
        return pages
    }

    public static func isBarCodeScanner(_ d: [UInt8]) -> Bool {
        usagePages(d).contains(barCodeScannerUsagePage)
    }
}
