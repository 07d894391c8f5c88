import ScanModel

/// The CSV and JSON shapes of expected-data files (rules in ExpectedImport).
extension ExpectedImport {
    /// Maps header names (with aliases) to column indexes; unknown columns are errors.
    static func header(_ row: [Positioned<String>], known: [String: String], required: [String], file: String) throws -> [String: Int] {
        var columns: [String: Int] = [:]
        for (i, f) in row.enumerated() {
            let name = f.value.trimmingSpaces.lowercased()
            guard let canonical = known[name] else {
                let names = Set(known.values).sorted().joined(separator: ", ")
                throw ImportError(file: file, line: f.line, column: f.column, message: "unknown column '\(f.value)' (known: \(names))")
            }
            if columns[canonical] != nil {
                throw ImportError(file: file, line: f.line, column: f.column, message: "column '\(canonical)' appears twice")
            }
            columns[canonical] = i
        }
        for r in required where columns[r] == nil {
            throw ImportError(file: file, line: row.first?.line ?? 1, column: 1, message: "header has no '\(r)' column")
        }
        return columns
    }

    static func csvRows(_ data: [UInt8], file: String, known: [String: String], required: [String])
        throws -> [(get: (String) -> Positioned<String>?, first: Positioned<String>)] {
        let rows = try ImportText.csvRows(data, file: file)
        guard let head = rows.first else { throw ImportError(file: file, line: 1, column: 1, message: "file is empty: a header row is expected") }
        let columns = try header(head, known: known, required: required, file: file)
        var out: [(get: (String) -> Positioned<String>?, first: Positioned<String>)] = []
        for row in rows.dropFirst() {
            guard let first = row.first else { continue }
            if row.count != head.count {
                throw ImportError(file: file, line: first.line, column: first.column, message: "row has \(row.count) fields, the header has \(head.count)")
            }
            for r in required {
                if let i = columns[r], row[i].value.trimmingSpaces.isEmpty {
                    throw ImportError(file: file, line: row[i].line, column: row[i].column, message: "\(r) is empty")
                }
            }
            out.append(({ name in columns[name].map { row[$0] } }, first))
        }
        if out.isEmpty { throw ImportError(file: file, line: head[0].line, column: 1, message: "no data rows after the header") }
        return out
    }

    static func asnsFromCSV(_ data: [UInt8], file: String) throws -> [(ASN, Positioned<String>)] {
        let known = ["asn": "asn", "po": "asn", "item": "item", "qty": "qty", "quantity": "qty",
                     "lot": "lot", "expiry": "expiry", "sscc": "sscc"]
        var order: [String] = []
        var byNumber: [String: (ASN, Positioned<String>)] = [:]
        for row in try csvRows(data, file: file, known: known, required: ["asn", "item", "qty"]) {
            guard let a = row.get("asn"), let i = row.get("item"), let q = row.get("qty") else { continue }
            let number = a.value.trimmingSpaces
            let line = ASNLine(item: try item(i, file: file), quantity: try quantity(q, file: file), lot: optional(row.get("lot")),
                               expiry: try row.get("expiry").flatMap { try expiry($0, file: file) },
                               sscc: try row.get("sscc").flatMap { try sscc($0, file: file) })
            if byNumber[number] == nil { order.append(number); byNumber[number] = (ASN(number: number, lines: []), a) }
            byNumber[number]?.0.lines.append(line)
        }
        let asns = order.compactMap { byNumber[$0] }
        try validate(asns: asns, file: file)
        return asns
    }

    static func ordersFromCSV(_ data: [UInt8], file: String) throws -> [(PackOrder, Positioned<String>)] {
        let known = ["order": "order", "tote": "tote", "item": "item", "qty": "qty", "quantity": "qty", "serials": "serials", "serial": "serials",
                     "ship_by": "ship_by", "carrier": "carrier", "service": "service", "priority": "priority"]
        var order: [String] = []
        var byNumber: [String: (PackOrder, Positioned<String>)] = [:]
        for row in try csvRows(data, file: file, known: known, required: ["order", "item", "qty"]) {
            guard let o = row.get("order"), let i = row.get("item"), let q = row.get("qty") else { continue }
            let number = o.value.trimmingSpaces
            let tote = optional(row.get("tote"))
            let line = PackOrderLine(item: try item(i, file: file), quantity: try quantity(q, file: file), serials: serials(row.get("serials")))
            if var existing = byNumber[number] {
                if let tote, let had = existing.0.tote, had != tote, let t = row.get("tote") {
                    throw ImportError(file: file, line: t.line, column: t.column, message: "order \(number) has tote \(had) on an earlier row, \(tote) here")
                }
                existing.0.tote = existing.0.tote ?? tote
                existing.0.lines.append(line)
                byNumber[number] = existing
            } else {
                order.append(number)
                byNumber[number] = (PackOrder(number: number, tote: tote, lines: [line]), o)
            }
            // Scheduling fields may sit on any row of the order; a later row fills what an earlier one left empty.
            try schedule(&byNumber[number]!.0, get: row.get, file: file)
        }
        let orders = order.compactMap { byNumber[$0] }
        for (o, at) in orders { try validate(order: o, at: at, file: file) }
        return orders
    }

    // MARK: JSON

    static func fail(_ n: JSONNode, _ file: String, _ message: String) -> ImportError {
        ImportError(file: file, at: n.position, message: message)
    }

    /// The documents array: the top level, or the named member of a top-level object.
    static func documents(_ root: JSONNode, member: String, file: String) throws -> [JSONNode] {
        switch root.value {
        case .array(let items): return items
        case .object:
            guard let m = root[member] else { throw fail(root, file, "object has no '\(member)' array") }
            guard case .array(let items) = m.value else { throw fail(m, file, "'\(member)' must be an array") }
            return items
        default: throw fail(root, file, "expected an array of documents or {\"\(member)\": [...]}")
        }
    }

    /// Members of an object as text fields with positions; numbers keep their text.
    static func fields(_ n: JSONNode, allowed: Set<String>, file: String)
        throws -> (text: [String: Positioned<String>], nodes: [String: JSONNode]) {
        guard case .object(let members) = n.value else { throw fail(n, file, "expected an object, found \(n.value.kindDescription)") }
        var text: [String: Positioned<String>] = [:]
        var nodes: [String: JSONNode] = [:]
        for m in members {
            guard allowed.contains(m.key) else {
                throw ImportError(file: file, at: m.keyPosition,
                                  message: "unknown member '\(m.key)' (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            nodes[m.key] = m.value
            switch m.value.value {
            case .string(let s): text[m.key] = Positioned(s, at: m.value.position)
            case .number(let n): text[m.key] = Positioned(n.text, at: m.value.position)
            default: break
            }
        }
        return (text, nodes)
    }

    static func required(_ f: [String: Positioned<String>], _ name: String, in n: JSONNode, file: String) throws -> Positioned<String> {
        guard let v = f[name], !v.value.trimmingSpaces.isEmpty else { throw fail(n, file, "'\(name)' is missing or empty") }
        return v
    }

    static func lineNodes(_ nodes: [String: JSONNode], in n: JSONNode, file: String) throws -> [JSONNode] {
        guard let l = nodes["lines"] else { throw fail(n, file, "'lines' is missing") }
        guard case .array(let items) = l.value, !items.isEmpty else { throw fail(l, file, "'lines' must be a non-empty array") }
        return items
    }
    static func asnsFromJSON(_ data: [UInt8], file: String) throws -> [(ASN, Positioned<String>)] {
        var out: [(ASN, Positioned<String>)] = []
        var numbers = Set<String>()
        for doc in try documents(try ImportText.json(data, file: file), member: "asns", file: file) {
            let (f, nodes) = try fields(doc, allowed: ["asn", "po", "supplier", "lines"], file: file)
            let number = try f["asn"] ?? required(f, "po", in: doc, file: file)
            guard numbers.insert(number.value).inserted else { throw fail(doc, file, "ASN \(number.value) appears twice") }
            var lines: [ASNLine] = []
            for ln in try lineNodes(nodes, in: doc, file: file) {
                let (lf, _) = try fields(ln, allowed: ["item", "qty", "quantity", "lot", "expiry", "sscc"], file: file)
                let q = try lf["qty"] ?? required(lf, "quantity", in: ln, file: file)
                lines.append(ASNLine(item: try item(try required(lf, "item", in: ln, file: file), file: file),
                                     quantity: try quantity(q, file: file), lot: optional(lf["lot"]),
                                     expiry: try lf["expiry"].flatMap { try expiry($0, file: file) },
                                     sscc: try lf["sscc"].flatMap { try sscc($0, file: file) }))
            }
            out.append((ASN(number: number.value, lines: lines), number))
        }
        try validate(asns: out, file: file)
        return out
    }

    static func ordersFromJSON(_ data: [UInt8], file: String) throws -> [(PackOrder, Positioned<String>)] {
        var out: [(PackOrder, Positioned<String>)] = []
        var numbers = Set<String>()
        for doc in try documents(try ImportText.json(data, file: file), member: "orders", file: file) {
            let (f, nodes) = try fields(doc, allowed: ["order", "tote", "lines", "ship_by", "carrier", "service", "priority"], file: file)
            try checkOrderMemberTypes(nodes, file: file)
            let number = try required(f, "order", in: doc, file: file)
            guard numbers.insert(number.value).inserted else { throw fail(doc, file, "order \(number.value) appears twice") }
            var lines: [PackOrderLine] = []
            for ln in try lineNodes(nodes, in: doc, file: file) {
                let (lf, ln2) = try fields(ln, allowed: ["item", "qty", "quantity", "serials"], file: file)
                let q = try lf["qty"] ?? required(lf, "quantity", in: ln, file: file)
                var serials: [String] = []
                if let s = ln2["serials"] {
                    guard case .array(let items) = s.value else { throw fail(s, file, "'serials' must be an array of strings") }
                    for i in items {
                        guard case .string(let v) = i.value else { throw fail(i, file, "a serial must be a string") }
                        serials.append(v)
                    }
                }
                lines.append(PackOrderLine(item: try item(try required(lf, "item", in: ln, file: file), file: file),
                                           quantity: try quantity(q, file: file), serials: serials))
            }
            var o = PackOrder(number: number.value, tote: optional(f["tote"]), lines: lines)
            try schedule(&o, get: { f[$0] }, file: file)
            try validate(order: o, at: number, file: file)
            out.append((o, number))
        }
        return out
    }
}
