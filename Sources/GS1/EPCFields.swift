/// The decoded content of any EPC as digit/character strings: the common
/// form behind URIs, element strings and the encoders.
struct EPCFields: Equatable {
    var scheme: EPCScheme
    var filter: Int
    /// Partitioned schemes: company prefix and second field (zero-padded digits).
    var companyPrefix = ""
    var reference = ""
    /// Serial, GLN extension, or GIAI asset reference (unescaped); nil for SSCC/GSRN.
    var serial: String?
    /// '+' schemes: the key digits as encoded (GTIN-14, SSCC-18, GLN-13,
    /// 14-digit GRAI part with its leading 0, GSRN-18) or the whole GIAI.
    var key = ""
    /// DSGTIN+: the date AI ("11", "13", "15", "16", "17", "7006", "7007") and YYMMDD.
    var date: EPCElement?
    var aidcToggle = false
    /// +AIDC data that followed the EPC, in order.
    var additional: [EPCElement] = []

    var kind: EPCIdentityKind { scheme.identityKind }

    /// Primary GS1 key. GRAI keys omit the leading zero that AI 8003 carries.
    var gs1Key: String {
        if scheme.isPlus {
            return kind == .grai ? String(key.dropFirst()) + (serial ?? "") : key
        }
        // Built on bytes: this runs for every formatted read.
        let cp = companyPrefix.utf8, ref = reference.utf8
        var b: [UInt8] = []
        b.reserveCapacity(cp.count + ref.count + 2 + (serial?.utf8.count ?? 0))
        switch kind {
        case .sgtin, .sscc:
            // Indicator / extension digit moves in front of the company prefix.
            b.append(contentsOf: ref.prefix(1)); b.append(contentsOf: cp); b.append(contentsOf: ref.dropFirst())
            b.append(UInt8(0x30 + EPCText.checkDigit(b)))
        case .sgln, .gsrn, .gsrnp:
            b.append(contentsOf: cp); b.append(contentsOf: ref)
            b.append(UInt8(0x30 + EPCText.checkDigit(b)))
        case .grai, .gdti, .sgcn:
            b.append(contentsOf: cp); b.append(contentsOf: ref)
            b.append(UInt8(0x30 + EPCText.checkDigit(b)))
            if let serial { b.append(contentsOf: serial.utf8) }
        case .giai:
            b.append(contentsOf: cp)
            if let serial { b.append(contentsOf: serial.utf8) }
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// The element string as AI/value pairs.
    var elements: [EPCElement] { elements(key: gs1Key) }

    func elements(key: String) -> [EPCElement] {
        var out: [EPCElement] = []
        out.reserveCapacity(2 + additional.count)
        switch kind {
        case .sgtin:
            out.append(EPCElement("01", key))
            if let date { out.append(date) }
            if let serial { out.append(EPCElement("21", serial)) }
        case .sscc: out.append(EPCElement("00", key))
        case .sgln:
            out.append(EPCElement("414", key))
            // TDS: an SGLN extension of "0" means "no extension" – no AI 254.
            if let serial, serial != "0", !serial.isEmpty { out.append(EPCElement("254", serial)) }
        case .grai: out.append(EPCElement("8003", "0" + key))
        case .giai: out.append(EPCElement("8004", key))
        case .gsrn: out.append(EPCElement("8018", key))
        case .gsrnp: out.append(EPCElement("8017", key))
        case .gdti: out.append(EPCElement("253", key))
        case .sgcn: out.append(EPCElement("255", key))
        }
        if !additional.isEmpty { out += additional }
        return out
    }

    /// "cp.ref.serial" part of the EPC URIs (legacy schemes only).
    var uriBody: String {
        var s = companyPrefix
        switch kind {
        case .giai:
            s += "." + EPCText.uriEscaped(serial ?? "")
        case .sscc, .gsrn, .gsrnp:
            s += "." + reference
        default:
            s += "." + reference + "." + EPCText.uriEscaped(serial ?? "")
        }
        return s
    }

    var pureURI: String { scheme.isPlus ? digitalLinkURI : pureURI(body: uriBody) }
    var tagURI: String { scheme.isPlus ? digitalLinkURI : tagURI(body: uriBody) }
    func pureURI(body: String) -> String { "urn:epc:id:" + kind.rawValue + ":" + body }
    func tagURI(body: String) -> String { "urn:epc:tag:" + scheme.name + ":" + String(filter) + "." + body }

    /// GS1 Digital Link URI on id.gs1.org: primary key and key qualifiers in
    /// the path, dates and other attributes in the query.
    var digitalLinkURI: String { Self.digitalLinkURI(elements) }

    static func digitalLinkURI(_ elements: [EPCElement]) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(80)
        b.append(contentsOf: "https://id.gs1.org".utf8)
        func segment(_ e: EPCElement) {
            b.append(UInt8(ascii: "/")); b.append(contentsOf: e.ai.utf8); b.append(UInt8(ascii: "/"))
            EPCDigitalLink.appendPercentEncoded(&b, e.value)
        }
        // The primary key (always first) leads the path, then key qualifiers
        // in the order GS1 Digital Link fixes: 22, 10, 21 after a GTIN; 254
        // after a GLN. Everything else (dates, +AIDC data) is a query attribute.
        let primaryAI = elements.first?.ai ?? ""
        func rank(_ index: Int, _ ai: String) -> Int? {
            if index == 0 { return 0 }
            switch (primaryAI, ai) {
            case ("01", "22"), ("414", "254"): return 1
            case ("01", "10"): return 2
            case ("01", "21"): return 3
            default: return nil
            }
        }
        for r in 0...3 {
            for (i, e) in elements.enumerated() where rank(i, e.ai) == r { segment(e) }
        }
        var first = true
        for (i, e) in elements.enumerated() where rank(i, e.ai) == nil {
            b.append(UInt8(ascii: first ? "?" : "&")); first = false
            b.append(contentsOf: e.ai.utf8); b.append(UInt8(ascii: "="))
            EPCDigitalLink.appendPercentEncoded(&b, e.value)
        }
        return String(decoding: b, as: UTF8.self)
    }

    var elementString: String { Self.elementString(elements) }

    static func elementString(_ elements: [EPCElement]) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(48)
        for e in elements {
            b.append(UInt8(ascii: "(")); b.append(contentsOf: e.ai.utf8); b.append(UInt8(ascii: ")"))
            b.append(contentsOf: e.value.utf8)
        }
        return String(decoding: b, as: UTF8.self)
    }
}

enum EPCDigitalLink {
    /// Percent-encodes everything outside RFC 3986 unreserved characters.
    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func percentEncoded(_ value: String) -> String {
        if value.utf8.allSatisfy(isUnreserved) { return value }
        var out: [UInt8] = []
        appendPercentEncoded(&out, value)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendPercentEncoded(_ out: inout [UInt8], _ value: String) {
        if value.utf8.allSatisfy(isUnreserved) { out.append(contentsOf: value.utf8); return }
        let hex = EPCText.hexDigits
        for c in value.utf8 {
            if isUnreserved(c) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 0xF)])
            }
        }
    }
}
