import Foundation
import Ledger
import ScanModel

/// One JSON line of `scanledger post` input into a `PostingRequest`:
/// {"key","kind","ref","time","station","device","sscc","operator","reason","lines":[{"item","qty","from","to","lot","serial","epc","expiry"}]}
/// A `release` or `scrap` needs "reason" and "operator" (the ledger refuses it without).
/// Errors say which field and at which column.
enum PostingLineParser {
    struct Bad: Error { var key: String?; var message: String }

    static let postableKinds: [PostingKind] = [.receipt, .move, .adjustment, .pack, .ship, .release, .scrap, .return]
    static let postingFields: Set<String> = ["key", "kind", "ref", "time", "station", "device", "sscc", "operator", "reason", "lines"]
    static let lineFields: Set<String> = ["item", "qty", "from", "to", "lot", "serial", "epc", "expiry"]

    static func parse(_ line: String, autoCreate: Bool) -> Result<PostingRequest, Bad> {
        let root: JSONNode
        do { root = try JSONReader.parse(line, file: "") } catch {
            return .failure(Bad(key: nil, message: "not valid JSON (column \(error.position.column): \(error.message))"))
        }
        guard case .object(let pairs) = root.value else { return .failure(Bad(key: nil, message: "expected a JSON object")) }
        var key: String? = nil
        if case .string(let s)? = root["key"]?.value { key = s }
        do {
            return .success(try request(pairs, key: key, autoCreate: autoCreate))
        } catch {
            return .failure(Bad(key: key, message: error.message))
        }
    }

    private static func request(_ pairs: [JSONMember], key: String?, autoCreate: Bool) throws(Bad) -> PostingRequest {
        let fields = try strings(pairs, allowed: postingFields, context: "", key: key)
        guard let key, !key.isEmpty else { throw Bad(key: nil, message: "\"key\" (a non-empty string) is required") }
        guard let kindText = fields["kind"], let kind = PostingKind(rawValue: kindText), postableKinds.contains(kind) else {
            throw Bad(key: key, message: "\"kind\" must be one of \(postableKinds.map(\.rawValue).joined(separator: ", ")); use `scanledger reverse` for reversals")
        }
        guard let linesNode = pairs.first(where: { $0.key == "lines" })?.value, case .array(let rawLines) = linesNode.value, !rawLines.isEmpty else {
            throw Bad(key: key, message: "\"lines\" must be a non-empty array")
        }
        var lines: [PostingLine] = []
        for (i, raw) in rawLines.enumerated() {
            let at = "lines[\(i)]"
            guard case .object(let l) = raw.value else { throw Bad(key: key, message: "column \(raw.position.column): \(at) must be an object") }
            let text = try strings(l, allowed: lineFields, context: at + ".", key: key)
            guard let item = text["item"] else { throw Bad(key: key, message: "\(at).item (GTIN or SKU) is required") }
            guard let from = text["from"], let to = text["to"] else { throw Bad(key: key, message: "\(at): \"from\" and \"to\" locations are required") }
            guard from != to else { throw Bad(key: key, message: "\(at): \"from\" and \"to\" are both \(from)") }
            guard let qtyNode = l.first(where: { $0.key == "qty" })?.value, case .number(let n) = qtyNode.value, let qty = n.int64, qty > 0 else {
                throw Bad(key: key, message: "\(at).qty must be a positive whole number")
            }
            var expiry: CivilDate? = nil
            if let text = text["expiry"] {
                guard let date = CivilDate(iso: text) else { throw Bad(key: key, message: "\(at).expiry '\(text)' must be a date YYYY-MM-DD") }
                expiry = date
            }
            lines.append(PostingLine(item: ItemCode(item), qty: qty, from: LocationCode(from), to: LocationCode(to), lot: text["lot"],
                                     serial: text["serial"], epc: text["epc"], expiry: expiry))
        }
        var request = PostingRequest(key: key, kind: kind, ref: fields["ref"], station: fields["station"], device: fields["device"],
                                     eventTime: fields["time"].map(PostingTime.written), sscc: fields["sscc"], lines: lines, autoCreate: autoCreate)
        request.operatorID = fields["operator"]
        request.reason = fields["reason"]
        return request
    }

    /// The string-valued fields of an object; unknown fields and non-strings are errors.
    private static func strings(_ pairs: [JSONMember], allowed: Set<String>, context: String, key: String?) throws(Bad) -> [String: String] {
        var out: [String: String] = [:]
        for member in pairs {
            let name = member.key, value = member.value
            guard allowed.contains(name) else {
                throw Bad(key: key, message: "column \(value.position.column): unknown field '\(context)\(name)'")
            }
            switch value.value {
            case .string(let s): out[name] = s
            case .null: break
            default:
                if name == "qty" || name == "lines" { continue }
                throw Bad(key: key, message: "column \(value.position.column): \(context)\(name) must be a string")
            }
        }
        return out
    }
}
