import ScanModel

/// The CSV and JSON shapes of RMA files (rules in ExpectedImport): one RMA
/// names the order it returns and the lines the customer may send back.
extension ExpectedImport {
    static func rmasFromCSV(_ data: [UInt8], file: String) throws -> [(RMA, Positioned<String>)] {
        let known = ["rma": "rma", "order": "order", "item": "item", "qty": "qty", "quantity": "qty", "lot": "lot", "serial": "serial"]
        var numbers: [String] = []
        var byNumber: [String: (RMA, Positioned<String>)] = [:]
        for row in try csvRows(data, file: file, known: known, required: ["rma", "order", "item", "qty"]) {
            guard let r = row.get("rma"), let o = row.get("order"), let i = row.get("item"), let q = row.get("qty") else { continue }
            let number = r.value.trimmingSpaces, order = o.value.trimmingSpaces
            let line = RMALine(item: try item(i, file: file), quantity: try quantity(q, file: file),
                               lot: optional(row.get("lot")), serial: optional(row.get("serial")))
            if let existing = byNumber[number] {
                // Rows of one RMA are grouped; they must agree on its order.
                guard existing.0.order == order else {
                    throw ImportError(file: file, line: o.line, column: o.column, message: "RMA \(number) is for order \(existing.0.order) on an earlier row, \(order) here")
                }
            } else {
                numbers.append(number)
                byNumber[number] = (RMA(number: number, order: order, lines: []), r)
            }
            byNumber[number]?.0.lines.append(line)
        }
        let rmas = numbers.compactMap { byNumber[$0] }
        for (r, at) in rmas { try validate(rma: r, at: at, file: file) }
        return rmas
    }

    static func rmasFromJSON(_ data: [UInt8], file: String) throws -> [(RMA, Positioned<String>)] {
        var out: [(RMA, Positioned<String>)] = []
        var numbers = Set<String>()
        for doc in try documents(try ImportText.json(data, file: file), member: "rmas", file: file) {
            let (f, nodes) = try fields(doc, allowed: ["rma", "order", "lines"], file: file)
            let number = try required(f, "rma", in: doc, file: file)
            let order = try required(f, "order", in: doc, file: file)
            guard numbers.insert(number.value).inserted else { throw fail(doc, file, "RMA \(number.value) appears twice") }
            var lines: [RMALine] = []
            for ln in try lineNodes(nodes, in: doc, file: file) {
                let (lf, _) = try fields(ln, allowed: ["item", "qty", "quantity", "lot", "serial"], file: file)
                let q = try lf["qty"] ?? required(lf, "quantity", in: ln, file: file)
                lines.append(RMALine(item: try item(try required(lf, "item", in: ln, file: file), file: file),
                                     quantity: try quantity(q, file: file), lot: optional(lf["lot"]), serial: optional(lf["serial"])))
            }
            let rma = RMA(number: number.value, order: order.value.trimmingSpaces, lines: lines)
            try validate(rma: rma, at: number, file: file)
            out.append((rma, number))
        }
        return out
    }

    /// A serial is one unit, and the same serial cannot come back twice.
    static func validate(rma: RMA, at: Positioned<String>, file: String) throws {
        var seen = Set<String>()
        for line in rma.lines {
            guard let s = line.serial else { continue }
            if line.quantity != 1 {
                throw ImportError(file: file, line: at.line, column: at.column, message: "RMA \(rma.number): serial \(s) of \(line.item) must have qty 1, not \(line.quantity)")
            }
            if !seen.insert("\(line.item.code)\u{0}\(s)").inserted {
                throw ImportError(file: file, line: at.line, column: at.column, message: "RMA \(rma.number): serial \(s) of \(line.item) listed twice")
            }
        }
    }
}
