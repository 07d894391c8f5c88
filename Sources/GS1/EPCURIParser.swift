/// Parses pure identity EPC URIs (`urn:epc:id:sgtin:0614141.812345.6789`)
/// for the identity types this module encodes, with the TDS syntax rules.
public enum EPCURIParser {
    /// The parsed identity, independent of any binary scheme.
    public struct PureIdentity: Sendable, Equatable {
        public var kind: EPCIdentityKind
        public var companyPrefix: String
        /// Second component (empty for GIAI, whose asset reference is `serial`).
        public var reference: String
        /// Serial / extension / asset reference, unescaped; nil for SSCC/GSRN/GSRNP.
        public var serial: String?
    }

    public static func parse(_ uri: String) -> Result<PureIdentity, EPCError> {
        func fail(_ m: String) -> Result<PureIdentity, EPCError> { .failure(EPCError(.invalidURI, m + " in \"\(uri)\"")) }
        let prefix = "urn:epc:id:"
        guard uri.hasPrefix(prefix) else { return fail("EPC pure identity URI must start with \(prefix)") }
        let rest = uri.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return fail("missing scheme name") }
        guard let kind = EPCIdentityKind(rawValue: String(rest[..<colon])) else {
            return fail("unsupported EPC scheme '\(rest[..<colon])'")
        }
        let parts = rest[rest.index(after: colon)...].split(separator: ".", omittingEmptySubsequences: false)
        let hasSerial: Bool, hasReference: Bool
        switch kind {
        case .sscc, .gsrn, .gsrnp: hasSerial = false; hasReference = true
        case .giai: hasSerial = true; hasReference = false
        default: hasSerial = true; hasReference = true
        }
        let expected = 1 + (hasReference ? 1 : 0) + (hasSerial ? 1 : 0)
        // Serial components may contain '.', so join everything after the fixed parts.
        guard parts.count >= expected, hasSerial || parts.count == expected else {
            return fail("expected \(expected) dot-separated components")
        }
        let cp = String(parts[0])
        guard cp.utf8.count >= 6, cp.utf8.count <= 12, EPCText.allDigits(cp) else {
            return fail("company prefix must be 6 to 12 digits")
        }
        var identity = PureIdentity(kind: kind, companyPrefix: cp, reference: "", serial: nil)
        if hasReference {
            let ref = String(parts[1])
            guard ref.isEmpty || EPCText.allDigits(ref) else { return fail("reference must be digits") }
            let total: Int
            switch kind {
            case .sgtin: total = 13
            case .sscc, .gsrn, .gsrnp: total = 17
            default: total = 12
            }
            guard cp.utf8.count + ref.utf8.count == total else {
                return fail("company prefix and reference must have \(total) digits together")
            }
            identity.reference = ref
        }
        if hasSerial {
            let raw = parts[(expected - 1)...].joined(separator: ".")
            guard let serial = EPCText.uriUnescaped(Substring(raw)), !serial.isEmpty else {
                return fail("serial is empty, badly escaped, or outside GS1 character set 82")
            }
            let maxLength: Int
            switch kind {
            case .sgtin, .sgln: maxLength = 20
            case .grai: maxLength = 16
            case .gdti: maxLength = 17
            case .sgcn: maxLength = 12
            default: maxLength = 30 - cp.utf8.count  // GIAI
            }
            guard serial.utf8.count <= maxLength else { return fail("serial longer than \(maxLength) characters") }
            if kind == .sgcn, !EPCText.allDigits(serial) { return fail("SGCN serial must be digits") }
            identity.serial = serial
        }
        return .success(identity)
    }
}

extension EPCURIParser.PureIdentity {
    /// Element string for the identity, as TDS maps it.
    public var elementString: String { fields(scheme: defaultScheme, filter: 0).elementString }
    /// The GS1 key (GTIN-14, SSCC-18, GLN, …).
    public var gs1Key: String { fields(scheme: defaultScheme, filter: 0).gs1Key }

    var defaultScheme: EPCScheme {
        switch kind {
        case .sgtin: return .sgtin198
        case .sscc: return .sscc96
        case .sgln: return .sgln195
        case .grai: return .grai170
        case .giai: return .giai202
        case .gsrn: return .gsrn96
        case .gsrnp: return .gsrnp96
        case .gdti: return .gdti174
        case .sgcn: return .sgcn96
        }
    }

    func fields(scheme: EPCScheme, filter: Int) -> EPCFields {
        var f = EPCFields(scheme: scheme, filter: filter)
        f.companyPrefix = companyPrefix; f.reference = reference; f.serial = serial
        return f
    }
}
