import ScanModel

/// A dock door: open a receipt by ASN/PO or pallet SSCC, scan or read what
/// arrives, close to post ONE receipt @supplier → dock with a discrepancy report.
/// PARTIAL instead of CLOSE posts what came and keeps the ASN open: the next
/// receipt of it expects only what is still outstanding.
///
/// Opening by a pallet's SSCC also receives that pallet's announced contents:
/// the label was scanned because the pallet is at the door.
public final class ReceivingStation: SessionStation {
    struct Pending: Codable {
        var units: [ReceivedUnit]
        var codes: [FeedbackCode]
        var ssccs: [String]
        var message: String
    }
    struct State: Codable {
        var session: UInt64
        var asn: String
        var asnLines: [ASNLine]
        var lastActivity: Int64
        var units: [ReceivedUnit] = []
        var ssccs: [String] = []
        var pending: Pending?
        /// Units due for inspection and their answers (nil in sessions saved before inspection existed).
        var inspections: [Inspection]?
    }
    /// The hot-path journal entry: units (and pallets) accepted by one input.
    struct Added: Codable {
        var units: [ReceivedUnit]
        var ssccs: [String]
        var lastActivity: Int64
        /// Inspections these units made due.
        var inspections: [Inspection]?
    }
    /// In-memory lookups over accepted units, so a check costs O(1) in the
    /// session's size (a portal can receive thousands of tags). Never persisted.
    struct Index {
        var units = SeenUnits()
        var quantities: [ItemCode: [String?: Int]] = [:]
        var allocation = Allocation(lineCount: 0)
        var lines: [ASNLine] = []
        /// How many inspections are answered (answers go in order).
        var inspected = 0
        init(_ state: State? = nil) {
            lines = state?.asnLines ?? []
            allocation = Allocation(lineCount: lines.count)
            for u in state?.units ?? [] { add(u) }
            inspected = state?.inspections?.firstIndex { $0.result == nil } ?? state?.inspections?.count ?? 0
        }
        mutating func add(_ u: ReceivedUnit) {
            allocation.add(u, lines: lines)
            units.insert(item: u.item, serial: u.serial, epc: u.epc)
            quantities[u.item, default: [:]][u.lot, default: 0] += u.quantity
        }
        func hasSerial(_ item: ItemCode, _ serial: String) -> Bool { units.contains(item: item, serial: serial) }
    }

    public let config: ReceivingConfig
    public var name: String { config.station }
    let deps: StationDependencies
    let session: StationSession<State, Added>
    var state: State? { session.state }
    var index = Index()
    /// The report of the last receipt closed by this station.
    public private(set) var lastReport: ReceiptReport?

    /// Resumes a session saved before a restart, if there is one.
    public init(config: ReceivingConfig, dependencies: StationDependencies) throws {
        self.config = config
        self.deps = dependencies
        self.session = try StationSession(station: config.station, store: dependencies.sessions, clocks: dependencies.clocks,
                                          timed: [\.lastActivity]) { s, added in
            s.units += added.units; s.ssccs += added.ssccs; s.lastActivity = added.lastActivity
            if let due = added.inspections { s.inspections = (s.inspections ?? []) + due }
        }
        self.index = Index(session.state)
        session.onClose = { [unowned self] in self.index = Index() }
    }

    public var openASN: String? { state?.asn }
    /// The discrepancy report as it stands now (nil when no receipt is open).
    public var currentReport: ReceiptReport? { state.map { report($0, seq: nil) } }

    func report(_ s: State, seq: LedgerSequence?) -> ReceiptReport {
        Self.withInspections(index.allocation.report(asn: s.asn, lines: s.asnLines, seq: seq),
                             asnLines: s.asnLines, inspections: Self.inspections(s))
    }

    /// The units received so far (for tests and the lead's diagnostics).
    var receivedUnits: [ReceivedUnit] { state?.units ?? [] }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "receiving") }
        let report = index.allocation.report(asn: s.asn, lines: s.asnLines, seq: nil)
        var lines = report.lines.map { StationViewLine(item: $0.item, lot: $0.lot, expected: $0.expected, scanned: $0.received) }
        lines += report.unexpected.map { StationViewLine(item: $0.item, lot: $0.lot, expected: nil, scanned: $0.received) }
        let prompt = s.pending == nil ? inspectionPrompt : nil
        var v = StationView(station: name, workflow: "receiving", state: s.pending != nil ? "waiting-override" : prompt != nil ? "inspection-due" : "open",
                            document: s.asn, location: config.dock, lines: lines, lastError: session.lastError)
        v.prompt = prompt
        return v
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        if case .idleTick = input { return idle(at: time, posted: &posted) }
        if case .tagDeparted = input { return .ok(.ignored, "departure ignored at receiving") }
        if case .command(let c) = input, c == config.commands.override { return acceptPending(at: time) }
        // Anything but an override drops a waiting exception: it was refused.
        if state?.pending != nil, var s = state {
            s.pending = nil
            if let refused = session.save(s) { return refused }
        }
        switch input {
        case .document(let number): return open(number: number, at: time)
        case .logisticUnit(let sscc): return pallet(sscc.digits, at: time)
        case .tradeItem(let scan):
            guard state != nil else { return noReceipt() }
            let unit = ReceivedUnit(item: ItemCode(gtin: scan.gtin), lot: scan.lot, expiry: scan.expiry?.lastValidDay,
                                    serial: scan.serial, epc: nil, sscc: nil, quantity: scan.quantity ?? 1)
            return receive([unit], ssccs: [], atomic: true, at: time)
        case .tag(let tag), .tagArrived(_, let tag):
            return receiveTags([tag], at: time)
        case .cycleReport(let report):
            return receiveTags(report.current.map(\.tag), at: time)
        case .reason(let code) where state != nil && dueInspection != nil:
            return answerInspection(reason: code, at: time)
        case .command(let c):
            if c == config.commands.pass { return answerInspection(reason: nil, at: time) }
            if c == config.commands.close { return close(at: time, posted: &posted) }
            if c == config.commands.partial { return close(at: time, posted: &posted, partial: true) }
            if c == config.commands.cancel {
                guard state != nil else { return .error(.nothingToDo, "no receipt open") }
                do { try abandon() } catch { return notSaved(error) }
                return .warning(.cancelled, "receipt cancelled, nothing posted")
            }
            return .error(.unknownCommand, "command \(c) is not used at receiving")
        case .location(let l):
            return .error(.wrongMoment, "location \(l) scanned: receiving posts to \(config.dock), scan an item")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        case .idleTick, .tagDeparted:
            return .ok(.ignored, "")
        }
    }

    private func noReceipt() -> Feedback {
        .error(.wrongMoment, "no receipt open: scan the ASN/PO or a pallet label first")
    }

    // MARK: opening

    private func open(number: String, at time: Microseconds) -> Feedback {
        if let s = state {
            return s.asn == number ? .warning(.accepted, "receipt \(number) is already open")
                                   : .error(.wrongMoment, "receipt \(s.asn) is open: close it before opening \(number)")
        }
        let asn: ASN?
        do { asn = try deps.expected.asn(number: number) } catch { return unavailable(error) }
        guard let asn else { return .error(.unknownDocument, "no ASN/PO \(number) in the expected data") }
        return start(asn, at: time)
    }

    private func start(_ asn: ASN, at time: Microseconds) -> Feedback {
        if case .done(let seq) = asn.status {
            return .error(.documentDone, "ASN \(asn.number) was already received (ledger seq \(seq))")
        }
        let lines = asn.outstanding
        do {
            let n = try deps.sessions.nextSessionNumber(station: name)
            let s = State(session: n, asn: asn.number, asnLines: lines, lastActivity: time.value, ssccs: asn.receivedSSCCs)
            if let refused = session.save(s) { return refused }
            index = Index(s)
        } catch { return notSaved(error) }
        session.clearError()
        guard case .partial(let earlier) = asn.status else {
            return .ok(.opened, "receipt \(asn.number) open: \(asn.lines.count) lines expected")
        }
        let units = lines.reduce(0) { $0 + $1.quantity }
        return .ok(.opened, "receipt \(asn.number) reopened after \(earlier.count) partial receipt(s): \(units) units on \(lines.filter { $0.quantity > 0 }.count) lines outstanding")
    }

    private func pallet(_ sscc: String, at time: Microseconds) -> Feedback {
        if state == nil {
            let asn: ASN?
            do { asn = try deps.expected.asn(containingSSCC: sscc) } catch { return unavailable(error) }
            guard let asn else { return .error(.unexpectedSSCC, "pallet \(sscc) is not on any open ASN") }
            if asn.receivedSSCCs.contains(sscc) {
                return .error(.duplicateSSCC, "pallet \(sscc) was already received with an earlier part of ASN \(asn.number)")
            }
            let opened = start(asn, at: time)
            if opened.isError { return opened }
        }
        guard let s = state else { return noReceipt() }
        if s.ssccs.contains(sscc) { return .error(.duplicateSSCC, "pallet \(sscc) was already received") }
        let contents = s.asnLines.filter { $0.sscc == sscc }
        guard !contents.isEmpty else { return .error(.unexpectedSSCC, "pallet \(sscc) is not announced on ASN \(s.asn)") }
        let units = contents.map {
            ReceivedUnit(item: $0.item, lot: $0.lot, expiry: $0.expiry, serial: nil, epc: nil, sscc: sscc, quantity: $0.quantity)
        }
        return receive(units, ssccs: [sscc], atomic: true, at: time)
    }

    private func receiveTags(_ tags: [EPCTag], at time: Microseconds) -> Feedback {
        guard state != nil else { return noReceipt() }
        var units: [ReceivedUnit] = []
        var unknown = 0
        for tag in tags {
            guard let gtin = tag.gtin, let serial = tag.serial else { unknown += 1; continue }
            units.append(ReceivedUnit(item: ItemCode(gtin: gtin), lot: nil, expiry: nil, serial: serial,
                                      epc: tag.epc.hex, sscc: nil, quantity: 1))
        }
        if units.isEmpty {
            return unknown > 0 ? .error(.unknownEPC, "tag is not an SGTIN: cannot tell which item it is")
                               : .ok(.ignored, "no tags")
        }
        let feedback = receive(units, ssccs: [], atomic: tags.count == 1, at: time)
        if unknown > 0, !feedback.isError {
            return .warning(.unknownEPC, feedback.message + "; \(unknown) tag(s) not SGTIN, ignored")
        }
        return feedback
    }

    // MARK: checks

    struct ASNView { let number: String; let lines: [ASNLine] }
    enum Verdict { case accept, exception([FeedbackCode], String), refuse(Feedback) }

    /// Checks units in order (each against the session plus those before it).
    /// Atomic batches (a scan, a pallet) are taken or refused as one.
    private func receive(_ units: [ReceivedUnit], ssccs: [String], atomic: Bool, at time: Microseconds) -> Feedback {
        // Only the ASN is borrowed: holding the whole state here would make the
        // in-place append below copy every unit received so far.
        guard let asn = state.map({ ASNView(number: $0.asn, lines: $0.asnLines) }) else { return noReceipt() }
        var accepted: [ReceivedUnit] = []
        var waiting: [ReceivedUnit] = []
        var batch = Index()
        var codes: [FeedbackCode] = []
        var messages: [String] = []
        var refusals: [Feedback] = []
        for var unit in units {
            switch check(&unit, asn: asn, batch: batch, at: time) {
            case .accept: accepted.append(unit); batch.add(unit)
            case .exception(let c, let m):
                waiting.append(unit); batch.add(unit)
                for code in c where !codes.contains(code) { codes.append(code) }
                messages.append(m)
            case .refuse(let f): refusals.append(f)
            }
        }
        if atomic, let first = refusals.first { return first }
        if atomic, !waiting.isEmpty { waiting = accepted + waiting; accepted = [] }
        if waiting.isEmpty, !accepted.isEmpty {
            // Common case: append a small journal entry, then grow the state in place.
            let due = inspectionsDue(for: accepted)
            let added = Added(units: accepted, ssccs: ssccs, lastActivity: time.value, inspections: due.isEmpty ? nil : due)
            if let refused = session.append(added) { return refused }
            for u in accepted { index.add(u) }
            if !due.isEmpty, let prompt = inspectionPrompt {
                let qty = accepted.reduce(0) { $0 + $1.quantity }
                return .warning(.inspectionDue, "received \(qty) × \(accepted.first?.item.code ?? ""); \(prompt)")
            }
        } else if !waiting.isEmpty, var next = state {
            next.units += accepted
            let due = inspectionsDue(for: accepted)
            if !due.isEmpty { next.inspections = Self.inspections(next) + due }
            next.pending = Pending(units: waiting, codes: codes, ssccs: ssccs, message: messages.joined(separator: "; "))
            next.lastActivity = time.value
            if let refused = session.save(next) { return refused }
            for u in accepted { index.add(u) }
            let main = codes.first ?? .unexpectedItem
            return .error(main, messages.joined(separator: "; ") + " — scan \(config.commands.override) to accept anyway")
        }
        if let first = refusals.first {
            return accepted.isEmpty ? first : .warning(first.code, "\(accepted.count) received; refused: \(first.message)")
        }
        let qty = accepted.reduce(0) { $0 + $1.quantity }
        return .ok(.accepted, "received \(qty) × \(accepted.first?.item.code ?? "")")
    }

    private func acceptPending(at time: Microseconds) -> Feedback {
        guard var s = state, let p = s.pending else { return .error(.nothingToDo, "nothing waiting for an override") }
        let reason = deps.attribution.reason
        let units = p.units.map { var u = $0; u.overrides = p.codes; u.overrideReason = reason; return u }
        let due = inspectionsDue(for: units)
        if !due.isEmpty { s.inspections = Self.inspections(s) + due }
        s.units += units
        s.ssccs += p.ssccs
        s.pending = nil
        s.lastActivity = time.value
        if let refused = session.save(s) { return refused }
        for u in units { index.add(u) }
        let prompt = due.isEmpty ? "" : inspectionPrompt.map { "; \($0)" } ?? ""
        return .warning(.overridden, "accepted by override\(reason.map { " (reason \($0))" } ?? ""): \(p.message)\(prompt)")
    }

    // MARK: closing

    private func idle(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let timeout = config.idleTimeout, let idle = session.elapsed(since: \.lastActivity, at: time), idle >= timeout.value,
              inspectionBlocksClose() == nil else {
            return .ok(.ignored, "")
        }
        return close(at: time, posted: &posted)
    }

    private func close(at time: Microseconds, posted: inout [LedgerSequence], partial: Bool = false) -> Feedback {
        guard let s = state else { return .error(.nothingToDo, "no receipt open") }
        if let blocked = inspectionBlocksClose() { return blocked }
        if s.units.isEmpty {
            lastReport = ReceivingMatcher.report(asn: s.asn, lines: s.asnLines, units: [], seq: nil)
            do { try abandon() } catch { return notSaved(error) }
            return .warning(.nothingToDo, "nothing received: receipt \(s.asn) closed without posting")
        }
        let inspections = Self.inspections(s)
        let planned = report(s, seq: nil)
        let lines = Self.postingLines(units: s.units, inspections: inspections, dock: config.dock)
        var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "receipt", session: s.session),
                                     kind: .receipt, ref: s.asn, station: name, eventTime: .device(time), lines: lines)
        // The reasons given for overrides travel with the receipt that posts what they let in.
        let reasons = Set(s.units.compactMap(\.overrideReason)).sorted()
        request.reason = reasons.isEmpty ? nil : reasons.joined(separator: ",")
        request.journal = ReceiptJournal.inspectionEntries(inspections, asn: s.asn, station: name, time: time)
            + ReceiptJournal.entries(planned, station: name, time: time, partial: partial)
        // The ASN as this receipt leaves it, marked in the receipt's own
        // transaction where the store allows (else after it, see postClosing).
        let counts = planned.lines.map(\.received)
        let document: PostingDocument?
        do {
            let asn = try deps.expected.asn(number: s.asn)
            if partial {
                document = try asn.flatMap { try deps.expected.postingDocument(
                    asn: $0.afterPartialReceipt(seq: .none, counts: counts, ssccs: s.ssccs), sequencePath: DocumentStatus.latestPartialSequencePath) }
            } else {
                document = try asn.flatMap { a in
                    var done = a
                    done.status = .done(seq: .none)
                    return try deps.expected.postingDocument(asn: done, sequencePath: DocumentStatus.doneSequencePath)
                }
            }
        } catch { return unavailable(error) }
        let result = session.postClosing(request, document: document, mark: { seq in
            if partial, let asn = try deps.expected.asn(number: s.asn) {
                try deps.expected.store(asns: [asn.afterPartialReceipt(seq: seq, counts: counts, ssccs: s.ssccs)], orders: [])
            } else {
                try deps.expected.markASN(s.asn, status: .done(seq: seq))
            }
        }, to: deps.ledger)
        switch result {
        case .refused(let f): return f
        case .notClosed(let seq, let error):
            posted.append(seq)
            lastReport = planned.posted(as: seq)
            let command = partial ? config.commands.partial : config.commands.close
            return .error(.sessionNotSaved, "receipt \(s.asn) posted (seq \(seq)) but its status was not saved (\(error)): scan \(command) again")
        case .closed(let seq):
            posted.append(seq)
            // (from before the close: closing drops the allocation the report reads)
            let report = planned.posted(as: seq)
            lastReport = report
            if partial {
                let outstanding = report.lines.reduce(0) { $0 + $1.short }
                return .ok(.posted, "receipt \(s.asn) posted (seq \(seq)) as a partial delivery; \(outstanding) units still outstanding on the ASN")
            }
            let short = report.lines.reduce(0) { $0 + $1.short }
            let over = report.lines.reduce(0) { $0 + $1.over }
            let unexpected = report.unexpected.reduce(0) { $0 + $1.received }
            let summary = "receipt \(s.asn) posted (seq \(seq))"
            let held = report.held.map { "; quarantined \($0.quarantined), damaged \($0.damaged)" } ?? ""
            if report.isExact && held.isEmpty { return .done(.posted, summary + ", as announced") }
            return .warning(.posted, summary + (report.isExact ? ", as announced" : ": short \(short), over \(over), unexpected \(unexpected)") + held)
        }
    }
}
