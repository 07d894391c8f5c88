import Foundation
import ScanModel

/// Parsers for `scanledger import asn|orders|rmas FILE`: CSV with a header row, or
/// JSON. All or nothing: the first problem throws an `ImportError` naming
/// file:line:column, and nothing is returned.
///
/// ASN CSV columns: asn (or po), item, qty (or quantity); optional lot,
/// expiry (YYYY-MM-DD), sscc. One row per line; rows of one ASN are grouped.
/// ASN JSON: `[{"asn": "…", "lines": [{"item", "qty", "lot", "expiry", "sscc"}]}]`
/// or `{"asns": [...]}`.
///
/// RMA CSV columns: rma, order, item, qty (or quantity); optional lot,
/// serial. RMA JSON: `[{"rma": "…", "order": "…", "lines": [{"item", "qty",
/// "lot", "serial"}]}]` or `{"rmas": [...]}`.
///
/// Orders CSV columns: order, item, qty (or quantity); optional tote,
/// serials (separated by ';' or spaces), ship_by (YYYY-MM-DD), carrier,
/// service, priority (0–999, higher first). Orders JSON:
/// `[{"order": "…", "tote": "…", "ship_by": "…", "carrier": "…", "service": "…",
/// "priority": 5, "lines": [{"item", "qty", "serials": [...]}]}]` or `{"orders": [...]}`.
public enum ExpectedImport {
    public enum Format: Sendable { case csv, json }

    /// JSON when the name ends in .json or the content starts with '[' or '{'.
    public static func detectFormat(file: String, data: [UInt8]) -> Format {
        if file.lowercased().hasSuffix(".json") { return .json }
        if file.lowercased().hasSuffix(".csv") { return .csv }
        let first = data.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{") ? .json : .csv
    }

    public static func parseASNs(_ data: [UInt8], file: String) throws -> [ASN] {
        try positionedASNs(data, file: file).map(\.0)
    }

    public static func parseOrders(_ data: [UInt8], file: String) throws -> [PackOrder] {
        try positionedOrders(data, file: file).map(\.0)
    }

    static func positionedASNs(_ data: [UInt8], file: String) throws -> [(ASN, Positioned<String>)] {
        detectFormat(file: file, data: data) == .json ? try asnsFromJSON(data, file: file) : try asnsFromCSV(data, file: file)
    }

    static func positionedRMAs(_ data: [UInt8], file: String) throws -> [(RMA, Positioned<String>)] {
        detectFormat(file: file, data: data) == .json ? try rmasFromJSON(data, file: file) : try rmasFromCSV(data, file: file)
    }

    public static func parseRMAs(_ data: [UInt8], file: String) throws -> [RMA] {
        try positionedRMAs(data, file: file).map(\.0)
    }

    static func positionedOrders(_ data: [UInt8], file: String) throws -> [(PackOrder, Positioned<String>)] {
        detectFormat(file: file, data: data) == .json ? try ordersFromJSON(data, file: file) : try ordersFromCSV(data, file: file)
    }

    public enum Kind: String, Sendable { case asn, orders, rmas }

    /// `scanledger import asn|orders FILE`: reads, parses and stores the whole
    /// file, or nothing. A document that was already received/packed is not
    /// replaced (that would let it be received twice): the file is refused.
    /// Returns how many documents were stored.
    @discardableResult
    public static func importFile(_ kind: Kind, path: String, into store: ExpectedDataStore) throws -> Int {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw ImportError(file: path, line: 1, column: 1, message: "cannot read the file (missing or no permission)")
        }
        let data = [UInt8](contents)
        switch kind {
        case .asn:
            let asns = try positionedASNs(data, file: path)
            for (asn, at) in asns {
                if let old = try store.asn(number: asn.number) {
                    if case .done(let seq) = old.status {
                        throw ImportError(file: path, line: at.line, column: at.column, message: "ASN \(asn.number) was already received (ledger seq \(seq)); not replaced")
                    }
                    if case .partial(let seqs) = old.status {
                        throw ImportError(file: path, line: at.line, column: at.column,
                                          message: "ASN \(asn.number) is partly received (ledger seq \(seqs.map(String.init).joined(separator: ", "))); not replaced")
                    }
                }
            }
            try store.store(asns: asns.map(\.0), orders: [])
            return asns.count
        case .orders:
            let orders = try positionedOrders(data, file: path)
            for (order, at) in orders {
                if let old = try store.order(numberOrTote: order.number), old.number == order.number, case .done(let seq) = old.status {
                    throw ImportError(file: path, line: at.line, column: at.column, message: "order \(order.number) was already packed (ledger seq \(seq)); not replaced")
                }
            }
            try store.store(asns: [], orders: orders.map(\.0))
            return orders.count
        case .rmas:
            let rmas = try positionedRMAs(data, file: path)
            for (rma, at) in rmas {
                // Replacing a received RMA would let it be received twice.
                if let old = try store.rma(number: rma.number), case .done(let seq) = old.status {
                    throw ImportError(file: path, line: at.line, column: at.column, message: "RMA \(rma.number) was already returned (ledger seq \(seq)); not replaced")
                }
            }
            try store.store(rmas: rmas.map(\.0))
            return rmas.count
        }
    }

    // MARK: field rules shared by CSV and JSON

    static func item(_ f: Positioned<String>, file: String) throws -> ItemCode {
        let t = f.value.trimmingSpaces
        guard !t.isEmpty else { throw ImportError(file: file, line: f.line, column: f.column, message: "item is empty") }
        if t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && [8, 12, 13, 14].contains(t.utf8.count) {
            guard let g = GTIN(t) else {
                throw ImportError(file: file, line: f.line, column: f.column, message: "item \(t) looks like a GTIN but its check digit is wrong")
            }
            return ItemCode(gtin: g)
        }
        return ItemCode(t)
    }

    static func quantity(_ f: Positioned<String>, file: String) throws -> Int {
        let t = f.value.trimmingSpaces
        guard let q = Int(t), q > 0, q <= maxScanQuantity else {
            throw ImportError(file: file, line: f.line, column: f.column, message: "qty must be a whole number from 1 to \(maxScanQuantity), not '\(t)'")
        }
        return q
    }

    static func expiry(_ f: Positioned<String>, file: String) throws -> CivilDate? {
        let t = f.value.trimmingSpaces
        if t.isEmpty { return nil }
        guard let d = CivilDate(iso: t) else {
            throw ImportError(file: file, line: f.line, column: f.column, message: "expiry must be a date YYYY-MM-DD, not '\(t)'")
        }
        return d
    }

    static func sscc(_ f: Positioned<String>, file: String) throws -> String? {
        let t = f.value.trimmingSpaces
        if t.isEmpty { return nil }
        guard let s = SSCC(t) else {
            throw ImportError(file: file, line: f.line, column: f.column, message: "sscc must be 18 digits with a valid check digit, not '\(t)'")
        }
        return s.digits
    }

    static func optional(_ f: Positioned<String>?) -> String? {
        guard let t = f?.value.trimmingSpaces, !t.isEmpty else { return nil }
        return t
    }

    static func serials(_ f: Positioned<String>?) -> [String] {
        guard let f else { return [] }
        return f.value.split(whereSeparator: { $0 == ";" || $0 == " " }).map(String.init)
    }

    /// Checks done on whole documents, whatever the format.
    static func validate(asns: [(ASN, Positioned<String>)], file: String) throws {
        var ssccOwner: [String: String] = [:]
        for (asn, at) in asns {
            for s in asn.ssccs {
                if let other = ssccOwner[s], other != asn.number {
                    throw ImportError(file: file, line: at.line, column: at.column, message: "sscc \(s) is announced on both ASN \(other) and \(asn.number)")
                }
                ssccOwner[s] = asn.number
            }
        }
    }

    static func validate(order: PackOrder, at: Positioned<String>, file: String) throws {
        var seen = Set<String>()
        for line in order.lines {
            if line.serials.count > line.quantity {
                throw ImportError(file: file, line: at.line, column: at.column,
                                  message: "order \(order.number): \(line.serials.count) serials listed for \(line.quantity) × \(line.item)")
            }
            for s in line.serials where !seen.insert("\(line.item.code)\u{0}\(s)").inserted {
                throw ImportError(file: file, line: at.line, column: at.column, message: "order \(order.number): serial \(s) of \(line.item) listed twice")
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
