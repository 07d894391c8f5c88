import ScanModel

// Inspection at receiving (issue 15): some received units are due for
// inspection; the receiver answers PASS or a reason code (fail). A failed unit
// is posted by the receipt to the quarantine or damaged location instead of
// the dock, and journaled (`inspection-failed`) with the posting.

/// Which units of an item are inspected.
public enum InspectionRule: Hashable, Sendable {
    case none
    /// Every Nth unit of the item in a receipt: units N, 2N, 3N …, counted by
    /// quantity in the order received, all lots of the item together. A scan
    /// of quantity 12 with N = 5 makes two units due.
    case sampleEvery(Int)
    case all

    /// How many of the units `before + 1 … before + quantity` are due.
    func due(before: Int, quantity: Int) -> Int {
        switch self {
        case .none: return 0
        case .all: return quantity
        case .sampleEvery(let n): return n <= 0 ? 0 : (before + quantity) / n - before / n
        }
    }
}

/// A receiving station's inspection rules and where failed units go.
public struct InspectionConfig: Hashable, Sendable {
    /// The site default, for items without a rule of their own.
    public var rule: InspectionRule = .none
    public var items: [ItemCode: InspectionRule] = [:]
    /// Where failed units go (reasons not in `damageReasons`).
    public var quarantine: LocationCode?
    /// Where units failed with one of `damageReasons` go.
    public var damaged: LocationCode?
    public var damageReasons: Set<String> = []
    /// CLOSE and PARTIAL are refused (`inspection-due`) while an inspection is unanswered.
    public var blocksClose = false
    public init() {}

    public func rule(for item: ItemCode) -> InspectionRule { items[item] ?? rule }
}

/// One unit due for inspection, and its answer once given.
struct Inspection: Codable, Hashable {
    enum Result: String, Codable { case passed, quarantined, damaged }
    /// The unit inspected (quantity 1) as it was received.
    var unit: ReceivedUnit
    var result: Result?
    var reason: String?
    var destination: LocationCode?

    init(_ u: ReceivedUnit) {
        unit = ReceivedUnit(item: u.item, lot: u.lot, expiry: u.expiry, serial: u.serial, epc: u.epc, sscc: u.sscc, quantity: 1)
    }
    var item: ItemCode { unit.item }
    var lot: String? { unit.lot }
    var serial: String? { unit.serial }

    var isFailed: Bool { result == .quarantined || result == .damaged }

    var label: String {
        "\(item)" + (lot.map { " lot \($0)" } ?? "") + (serial.map { " serial \($0)" } ?? "")
    }
}

extension ReceivingStation {
    /// The inspections of a receipt (older saved sessions have none).
    static func inspections(_ s: State) -> [Inspection] { s.inspections ?? [] }

    /// The first unanswered inspection: answers go in order, so the
    /// unanswered ones are always the tail of the list.
    var dueInspection: Inspection? {
        guard let s = state, let list = s.inspections, index.inspected < list.count else { return nil }
        return list[index.inspected]
    }

    var dueCount: Int { (state?.inspections?.count ?? 0) - index.inspected }

    /// What to tell the receiver while an inspection is due.
    var inspectionPrompt: String? {
        guard let due = dueInspection else { return nil }
        let more = dueCount > 1 ? " (\(dueCount) due)" : ""
        return "inspect 1 × \(due.label): scan \(config.commands.pass) or a reason code\(more)"
    }

    /// The inspections that `units` (about to be accepted, in order) make due.
    func inspectionsDue(for units: [ReceivedUnit]) -> [Inspection] {
        var before: [ItemCode: Int] = [:]
        var out: [Inspection] = []
        for u in units {
            let rule = config.inspection.rule(for: u.item)
            if rule == .none { continue }
            let b = before[u.item] ?? (index.quantities[u.item]?.values.reduce(0, +) ?? 0)
            for _ in 0..<rule.due(before: b, quantity: u.quantity) { out.append(Inspection(u)) }
            before[u.item] = b + u.quantity
        }
        return out
    }

    /// PASS, or a reason code (fail), for the first due inspection.
    func answerInspection(reason: String?, at time: Microseconds) -> Feedback {
        guard var s = state, var list = s.inspections, index.inspected < list.count else {
            return reason.map { unrecognizedBarcode("RSN:\($0)") } ?? .error(.nothingToDo, "no inspection is due")
        }
        var answer = list[index.inspected]
        if let reason {
            let damaged = config.inspection.damageReasons.contains(reason)
            guard let destination = damaged ? config.inspection.damaged : config.inspection.quarantine else {
                return .error(.wrongMoment, "\(name) has no \(damaged ? "damaged_location" : "quarantine_location"): \(answer.label) cannot be failed here")
            }
            answer.result = damaged ? .damaged : .quarantined
            answer.reason = reason
            answer.destination = destination
        } else {
            answer.result = .passed
        }
        list[index.inspected] = answer
        s.inspections = list
        s.lastActivity = time.value
        if let refused = session.save(s) { return refused }
        index.inspected += 1
        let next = inspectionPrompt.map { "; next: \($0)" } ?? ""
        guard let destination = answer.destination else {
            return .ok(.inspectionAnswered, "\(answer.label) passed inspection\(next)")
        }
        return .warning(.inspectionAnswered, "\(answer.label) failed inspection (reason \(reason ?? "")): set it aside for \(destination)\(next)")
    }

    /// The refusal of CLOSE/PARTIAL while inspections are due and the rules say they block it.
    func inspectionBlocksClose() -> Feedback? {
        guard config.inspection.blocksClose, let prompt = inspectionPrompt else { return nil }
        return .error(.inspectionDue, "receipt \(state?.asn ?? "") cannot close yet: \(prompt)")
    }

    /// The receipt's lines: every unit supplier → dock, except failed units,
    /// which go supplier → their quarantine or damaged location.
    static func postingLines(units: [ReceivedUnit], inspections: [Inspection], dock: LocationCode) -> [PostingLine] {
        struct Key: Hashable { let item: ItemCode; let lot: String?; let serial: String? }
        var held: [PostingLine] = []
        var failed: [Key: Int64] = [:]
        for i in inspections where i.isFailed {
            guard let to = i.destination else { continue }
            held.append(PostingLine(item: i.item, qty: 1, from: VirtualLocation.supplier, to: to, lot: i.lot, serial: i.serial, expiry: i.unit.expiry))
            failed[Key(item: i.item, lot: i.lot, serial: i.serial), default: 0] += 1
        }
        var lines = aggregate(units.map {
            PostingLine(item: $0.item, qty: Int64($0.quantity), from: VirtualLocation.supplier, to: dock,
                        lot: $0.lot, serial: $0.serial, expiry: $0.expiry)
        })
        for i in lines.indices {
            let k = Key(item: lines[i].item, lot: lines[i].lot, serial: lines[i].serial)
            lines[i].qty -= failed[k] ?? 0
        }
        return lines.filter { $0.qty > 0 } + aggregate(held)
    }

    /// The report with the failed units counted on the ASN lines they were received against.
    static func withInspections(_ report: ReceiptReport, asnLines: [ASNLine], inspections: [Inspection]) -> ReceiptReport {
        var r = report
        for i in inspections where i.isFailed {
            let candidates = ReceivingMatcher.candidates(for: i.unit, in: asnLines).filter { $0 < r.lines.count }
            func count(_ line: inout DiscrepancyLine) {
                if i.result == .damaged { line.damaged += 1 } else { line.quarantined += 1 }
            }
            if let at = candidates.first(where: { r.lines[$0].accepted > 0 }) ?? candidates.last {
                count(&r.lines[at])
            } else if let at = r.unexpected.firstIndex(where: { $0.item == i.item && $0.lot == i.lot }) {
                count(&r.unexpected[at])
            }
        }
        return r
    }
}

/// A station that takes a reason code as an answer of its own at times (a
/// failed inspection): `AttendedStation` checks the code against the
/// station's `reasons` and hands it on instead of keeping it for an override.
protocol ReasonTaking {
    var takesReasonNow: Bool { get }
}

extension ReceivingStation: ReasonTaking {
    /// An inspection is due and no exception waits for an override (a reason
    /// scanned then is for the override).
    var takesReasonNow: Bool { state?.pending == nil && dueInspection != nil }
}
