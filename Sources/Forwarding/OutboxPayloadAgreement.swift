import ScanModel

/// Why the forwarder keeps its own payload reader next to the kernel's JSON
/// reader: it runs for every forwarded posting and copies unescaped values
/// straight from the payload into the COPY buffer, where the kernel reader
/// builds a tree of Strings first. Two readers may only coexist if they
/// agree, so this states the contract and checks it (a test over generated
/// and mutated payloads, and the `outbox-payload-agreement` fuzz target):
/// on every strictly valid JSON document, the fast reader reads the same
/// fields, or refuses exactly the documents whose shape it cannot store
/// (a non-object, a known field that is not a string, integer or null, a
/// `\u0000`). On invalid JSON the fast reader may be laxer (the ledger only
/// writes canonical payloads), but must never trap.
public enum OutboxPayloadAgreement {
    /// A field as both readers see it.
    enum Scalar: Equatable { case null, text(String), integer(Int64) }

    struct Projection: Equatable {
        var fields: [String: Scalar] = [:]
        var entries: [[String: Scalar]] = []
    }

    static let postingFields: Set<String> = ["kind", "ref", "station", "device", "sscc", "time", "reverses", "operator", "reason"]
    static let entryFields: Set<String> = ["location", "item", "lot", "serial", "epc", "expiry", "qty"]

    /// Nil when the readers agree on `bytes` (or the bytes are not strict
    /// JSON), else what differs.
    public static func disagreement(_ bytes: [UInt8]) -> String? {
        guard let root = try? JSONReader.parse(bytes, file: "payload", maxDepth: 256),
              !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil } // the ledger writes no byte order mark
        let expected = project(root)
        let actual = bytes.withUnsafeBufferPointer { fastRead($0) }
        switch (expected, actual) {
        case (nil, nil): return nil
        case (let e?, let a?) where e == a: return nil
        default: return "kernel reader: \(expected.map { "\($0)" } ?? "refused"); outbox reader: \(actual.map { "\($0)" } ?? "refused")"
        }
    }

    /// What the fast reader must make of a strictly valid document (nil: refuse it).
    static func project(_ root: JSONNode) -> Projection? {
        guard case .object(let members) = root.value, !containsNUL(root) else { return nil }
        var out = Projection()
        for m in members {
            // The fast reader cannot tell an absent field from null, so null is left out on both sides.
            if postingFields.contains(m.key) {
                guard let v = scalar(m.value) else { return nil }
                out.fields[m.key] = v == .null ? nil : v
            } else if m.key == "entries" {
                switch m.value.value {
                case .null: out.entries = []
                case .array(let items):
                    out.entries = []
                    for item in items {
                        guard case .object(let entryMembers) = item.value else { return nil }
                        var entry: [String: Scalar] = [:]
                        for em in entryMembers where entryFields.contains(em.key) {
                            guard let v = scalar(em.value) else { return nil }
                            entry[em.key] = v == .null ? nil : v
                        }
                        out.entries.append(entry)
                    }
                default: return nil
                }
            }
        }
        return out
    }

    static func scalar(_ node: JSONNode) -> Scalar? {
        switch node.value {
        case .null: return .null
        case .string(let s): return .text(s)
        case .number(let n): return n.int64.map(Scalar.integer)
        default: return nil
        }
    }

    /// `\u0000` anywhere (keys too): PostgreSQL text cannot hold it, so the fast reader refuses the payload.
    static func containsNUL(_ node: JSONNode) -> Bool {
        switch node.value {
        case .string(let s): return s.utf8.contains(0)
        case .array(let items): return items.contains(where: containsNUL)
        case .object(let members): return members.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        default: return false
        }
    }

    /// The fast reader's fields in the same form.
    static func fastRead(_ payload: UnsafeBufferPointer<UInt8>) -> Projection? {
        guard let fields = try? OutboxPayloadReader.read(payload) else { return nil }
        func value(_ v: OutboxPayloadReader.Value) -> Scalar {
            switch v {
            case .null: return .null
            case .integer(let i): return .integer(i)
            case .string:
                var bytes: [UInt8] = []
                guard (try? OutboxPayloadReader.decode(v, in: payload, into: &bytes)) != nil else { return .text("(decode failed)") }
                return .text(String(decoding: bytes, as: UTF8.self))
            }
        }
        var out = Projection()
        let posting: [(String, OutboxPayloadReader.Value)] = [("kind", fields.kind), ("ref", fields.ref), ("station", fields.station),
            ("device", fields.device), ("sscc", fields.sscc), ("time", fields.time), ("reverses", fields.reverses),
            ("operator", fields.operatorID), ("reason", fields.reason)]
        for (name, v) in posting where v != .null { out.fields[name] = value(v) }
        for e in fields.entries {
            var entry: [String: Scalar] = [:]
            for (name, v) in [("location", e.location), ("item", e.item), ("lot", e.lot), ("serial", e.serial),
                              ("epc", e.epc), ("expiry", e.expiry), ("qty", e.qty)] where v != .null {
                entry[name] = value(v)
            }
            out.entries.append(entry)
        }
        return out
    }

}
