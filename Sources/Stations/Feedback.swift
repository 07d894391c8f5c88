import ScanModel

/// A machine-readable reason, stable for scripts and the socket stream.
public struct FeedbackCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    // Accepted outcomes
    public static let accepted: FeedbackCode = "accepted"
    public static let opened: FeedbackCode = "opened"
    public static let posted: FeedbackCode = "posted"
    public static let undone: FeedbackCode = "undone"
    public static let cancelled: FeedbackCode = "cancelled"
    public static let overridden: FeedbackCode = "overridden"
    public static let countPending: FeedbackCode = "count-pending-approval"
    public static let ignored: FeedbackCode = "ignored"
    // Exceptions a receiving override can accept
    public static let unexpectedItem: FeedbackCode = "unexpected-item"
    public static let overReceipt: FeedbackCode = "over-receipt"
    public static let expired: FeedbackCode = "expired"
    public static let shortDated: FeedbackCode = "short-dated"
    // Refusals
    public static let missingLot: FeedbackCode = "missing-lot"
    public static let missingSerial: FeedbackCode = "missing-serial"
    public static let duplicateSerial: FeedbackCode = "duplicate-serial"
    public static let duplicateEPC: FeedbackCode = "duplicate-epc"
    public static let duplicateSSCC: FeedbackCode = "duplicate-sscc"
    public static let unexpectedSSCC: FeedbackCode = "unexpected-sscc"
    public static let unknownItem: FeedbackCode = "unknown-item"
    public static let unknownEPC: FeedbackCode = "unknown-epc"
    public static let unknownLocation: FeedbackCode = "unknown-location"
    public static let unknownDocument: FeedbackCode = "unknown-document"
    public static let unknownCommand: FeedbackCode = "unknown-command"
    public static let unknownBarcode: FeedbackCode = "unknown-barcode"
    public static let documentDone: FeedbackCode = "document-already-done"
    public static let badQuantity: FeedbackCode = "bad-quantity"
    public static let notInSource: FeedbackCode = "not-in-source"
    /// The stock is held (a quarantine or damaged location, a lot on hold):
    /// only a release or a scrap may take it.
    public static let heldStock: FeedbackCode = "held-stock"
    public static let sameLocation: FeedbackCode = "same-location"
    public static let wrongItemForOrder: FeedbackCode = "wrong-item-for-order"
    public static let overPack: FeedbackCode = "over-pack"
    public static let wrongSerial: FeedbackCode = "wrong-serial"
    public static let incomplete: FeedbackCode = "incomplete"
    // Returns: what cannot be a return of that order
    public static let notShipped: FeedbackCode = "not-shipped"
    public static let overReturn: FeedbackCode = "over-return"
    public static let alreadyReturned: FeedbackCode = "already-returned"
    /// A returned unit still waits for restock, quarantine or damaged.
    public static let dispositionRequired: FeedbackCode = "disposition-required"
    public static let wrongMoment: FeedbackCode = "wrong-moment"
    public static let nothingToDo: FeedbackCode = "nothing-to-do"
    public static let postingRejected: FeedbackCode = "posting-rejected"
    public static let ledgerUnavailable: FeedbackCode = "ledger-unavailable"
    public static let sessionNotSaved: FeedbackCode = "session-not-saved"
    /// The box's disk is full: the scan was not saved (nothing posted, the
    /// session unchanged). An error signal like every refusal; a supervisor
    /// has to free space, scanning again does not help until then.
    public static let storageFull: FeedbackCode = "storage-full"
    /// A carrier label that fails its format or check digit.
    public static let badTrackingNumber: FeedbackCode = "bad-tracking-number"
    /// A tracking number another carton already shipped with.
    public static let trackingReused: FeedbackCode = "tracking-reused"
    // Operators and reasons
    public static let signedIn: FeedbackCode = "operator-signed-in"
    public static let signedOut: FeedbackCode = "operator-signed-out"
    public static let operatorRequired: FeedbackCode = "operator-required"
    public static let reasonNoted: FeedbackCode = "reason-noted"
    public static let unknownReason: FeedbackCode = "unknown-reason"
    public static let reasonRequired: FeedbackCode = "reason-required"
    public static let journalNotSaved: FeedbackCode = "journal-not-saved"
    // Inspection at receiving
    /// A unit is due for inspection (a warning with the receipt's answer), or
    /// CLOSE is refused until the due inspections are answered (an error).
    public static let inspectionDue: FeedbackCode = "inspection-due"
    /// PASS or a reason code answered the due inspection.
    public static let inspectionAnswered: FeedbackCode = "inspection-answered"
    // Lot holds scanned at a station
    /// A lot was put on hold (or already was) by `HOLD-LOT`.
    public static let lotHeld: FeedbackCode = "lot-held"
}

/// The answer to one input: accepted (`ok`), accepted with something to note
/// (`warning`), refused (`error`, nothing changed), or accepted and the
/// document complete (`done`: receipt posted as announced, order packed,
/// count posted).
public enum Feedback: Hashable, Sendable {
    case ok(FeedbackCode, String)
    case warning(FeedbackCode, String)
    case error(FeedbackCode, String)
    case done(FeedbackCode, String)

    public var code: FeedbackCode {
        switch self { case .ok(let c, _), .warning(let c, _), .error(let c, _), .done(let c, _): return c }
    }
    public var message: String {
        switch self { case .ok(_, let m), .warning(_, let m), .error(_, let m), .done(_, let m): return m }
    }
    public var isError: Bool { if case .error = self { return true } else { return false } }
    /// What the operator's device signals (each device family maps it onto
    /// its own beeps, lights or outputs).
    public var outcome: FeedbackOutcome {
        switch self { case .ok: return .good; case .warning: return .warning; case .error: return .error; case .done: return .done }
    }
    public var severity: String {
        switch self { case .ok: return "ok"; case .warning: return "warning"; case .error: return "error"; case .done: return "done" }
    }
}

/// One line of what a station shows: expected against scanned.
public struct StationViewLine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var lot: String?
    public var expected: Int?
    public var scanned: Int
    public init(item: ItemCode, lot: String? = nil, expected: Int? = nil, scanned: Int) {
        self.item = item; self.lot = lot; self.expected = expected; self.scanned = scanned
    }
}

/// The station state streamed with every event and shown by `scanledger watch`.
public struct StationView: Hashable, Sendable {
    public var station: String
    public var workflow: String
    /// "idle", "open", "waiting-override", "counting", …
    public var state: String
    public var document: String?
    public var location: LocationCode?
    public var destination: LocationCode?
    public var lines: [StationViewLine]
    public var lastError: String?
    /// What the station asks of the operator now (an inspection that is due).
    public var prompt: String?

    public init(station: String, workflow: String, state: String, document: String? = nil,
                location: LocationCode? = nil, destination: LocationCode? = nil,
                lines: [StationViewLine] = [], lastError: String? = nil) {
        self.station = station; self.workflow = workflow; self.state = state; self.document = document
        self.location = location; self.destination = destination; self.lines = lines; self.lastError = lastError
    }

    /// Plain text for a terminal: one header line, then expected vs scanned.
    public func render() -> String {
        var header = "\(station) [\(workflow)] \(state)"
        if let document { header += " doc \(document)" }
        if let location { header += " at \(location)" }
        if let destination { header += " → \(destination)" }
        var out = [header]
        for l in lines {
            let lot = l.lot.map { " lot \($0)" } ?? ""
            let expected = l.expected.map { "\($0)" } ?? "-"
            let mark = l.expected.map { l.scanned == $0 ? "ok" : (l.scanned > $0 ? "OVER" : "short") } ?? "unexpected"
            out.append("  \(l.item)\(lot): \(l.scanned)/\(expected) \(mark)")
        }
        if let prompt { out.append("  \(prompt)") }
        if let lastError { out.append("  last error: \(lastError)") }
        return out.joined(separator: "\n")
    }
}

/// The result of one input, as the service streams it over its socket.
/// What a station asks of the rest of the service besides its answer. The
/// router carries it out; stations never see zones or the pipeline, and the
/// service never interprets a station's barcodes.
public enum StationEffect: Hashable, Sendable {
    /// Start a read cycle in the station's cycle zones (a sweep begins).
    case startReadCycle
    /// End the read cycle. Its report comes back as `.cycleReport`; when no
    /// cycle was open (say, after a restart) an empty report does.
    case stopReadCycle
}

public struct StationEvent: Hashable, Sendable {
    public var station: String
    public var time: Microseconds
    public var feedback: Feedback
    public var view: StationView
    /// Postings that this input caused and the ledger acknowledged (seq).
    public var postedSequences: [LedgerSequence]
    /// What the station asks the service to do next (the router carries it out).
    public var effects: [StationEffect]
    /// Who was signed in at the station when the input was handled.
    public var operatorID: String? = nil
    public init(station: String, time: Microseconds, feedback: Feedback, view: StationView, postedSequences: [LedgerSequence] = [],
                effects: [StationEffect] = []) {
        self.station = station; self.time = time; self.feedback = feedback; self.view = view; self.postedSequences = postedSequences
        self.effects = effects
    }
    public var accepted: Bool { !feedback.isError }
}
