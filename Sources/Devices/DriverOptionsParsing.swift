import ScanModel

extension DriverOptions {
    /// Parses driver options written as words, as in a capture log's
    /// `# Options:` line or `replay --options`: `stx-etx`,
    /// `strip-prefix=HEX`, `strip-suffix=HEX`, `terminators=HEX…`,
    /// `max-line=N`, `read-rate=N` (Mercury baud check), `report-size=N`
    /// (HID POS), `layout=us|de|fr` and `gs-substitute=HEX` (evdev).
    public init(parsing text: String, device: DeviceIndex = DeviceIndex(0)) throws(DeviceError) {
        self.init(device: device)
        for word in text.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0], value = parts.count > 1 ? parts[1] : nil
            func hexBytes() throws(DeviceError) -> [UInt8] {
                guard let v = value, v.count % 2 == 0 else { throw bad(word) }
                var out: [UInt8] = []
                var i = v.startIndex
                while i < v.endIndex {
                    let j = v.index(i, offsetBy: 2)
                    guard let b = UInt8(v[i..<j], radix: 16) else { throw bad(word) }
                    out.append(b); i = j
                }
                return out
            }
            func int() throws(DeviceError) -> Int {
                guard let v = value, let n = Int(v), n > 0 else { throw bad(word) }
                return n
            }
            switch key {
            case "stx-etx": line.stxEtx = true
            case "strip-prefix": line.stripPrefix = try hexBytes()
            case "strip-suffix": line.stripSuffix = try hexBytes()
            case "terminators": line.terminators = try hexBytes()
            case "max-line": line.maxLength = try int(); tsl.maxLineLength = line.maxLength
            case "read-rate": mercury.expectedReadRate = try int()
            case "report-size": hidposReportSize = try int()
            case "layout":
                guard let layout = value.flatMap(EvdevLayout.named) else { throw bad(word) }
                evdev.layout = layout
            case "gs-substitute":
                let b = try hexBytes()
                guard b.count == 1 else { throw bad(word) }
                evdev.gsSubstitute = b[0]
            default: throw bad(word)
            }
        }
    }
}

private func bad(_ word: Substring) -> DeviceError {
    .configuration("driver option '\(word)' is not one of stx-etx, strip-prefix=HEX, strip-suffix=HEX, terminators=HEX, max-line=N, read-rate=N, report-size=N, layout=us|de|fr, gs-substitute=HEX")
}
