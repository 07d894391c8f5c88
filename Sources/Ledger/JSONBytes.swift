import ScanModel

/// Appends JSON to a byte buffer: the posting path builds one document per
/// posting, and byte appends avoid the temporaries of String concatenation.
struct JSONBytes {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func quoted(_ value: String?) {
        guard var s = value else { raw("null"); return }
        let plain = s.withUTF8 { u -> Bool in
            guard !u.contains(where: JSONText.needsEscape) else { return false }
            bytes.append(0x22)
            bytes.append(contentsOf: u)
            bytes.append(0x22)
            return true
        }
        if !plain { bytes.append(contentsOf: JSONText.quote(s).utf8) }
    }

    mutating func int(_ v: Int64?) {
        guard let v else { raw("null"); return }
        if v >= 0 && v < 10 { bytes.append(0x30 + UInt8(v)); return }
        bytes.append(contentsOf: String(v).utf8)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
