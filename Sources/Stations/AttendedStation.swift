import ScanModel

/// A station whose reason codes describe the next thing scanned (a returned
/// unit's customer reason), not an override: a reason goes with the next
/// input the operator scans, and is used up once the station accepts one.
public protocol TakesReasonWithNextInput: Station {}

/// A station with people at it: operators sign in with a badge and out by
/// command or when idle, overrides may need a reason code, and every outcome
/// that is not a plain accept goes into the station journal. The station
/// inside never sees badges or reason codes; its postings are stamped with
/// device and operator through `StampingGateway`, which shares `attribution`.
///
/// Entries that belong to a posting travel inside it (the station adds them,
/// so they commit together); here only outcomes that posted nothing are
/// recorded, on their own.
public final class AttendedStation {
    public let station: Station
    public let attribution: Attribution
    let config: AttendanceConfig
    let commands: CommandNames
    let journal: JournalSink?
    let lotHolds: LotHoldGateway?
    public private(set) var operatorID: String?
    /// The reason of a `HOLD-LOT` waiting for the lot to hold.
    var armedLotHold: String?
    /// The operator's last input, on `monotonic` when there is one (the
    /// sign-out idle time must not move with the wall clock), else in the
    /// inputs' own time.
    private var lastActivity = Microseconds.zero
    private let monotonic: (any MicrosecondClock)?
    private var pendingReason: String?
    /// Journal writes that failed (the host logs and counts them; the
    /// operator's answer stands, since what it reports already happened).
    public private(set) var journalFailures: [String] = []

    public init(station: Station, attribution: Attribution, config: AttendanceConfig, commands: CommandNames, journal: JournalSink?,
                lotHolds: LotHoldGateway? = nil, monotonic: (any MicrosecondClock)? = nil) {
        self.station = station; self.attribution = attribution; self.config = config; self.commands = commands; self.journal = journal
        self.lotHolds = lotHolds; self.monotonic = monotonic
    }

    public var name: String { station.name }

    public func takeJournalFailures() -> [String] { defer { journalFailures.removeAll() }; return journalFailures }

    public func handle(_ input: StationInput, at time: Microseconds, device: String?) -> StationEvent {
        attribution.device = device
        attribution.operatorID = operatorID
        attribution.reason = nil
        defer { attribution.device = nil; attribution.reason = nil }
        var event: StationEvent
        if let own = attend(input, at: time) {
            event = StationEvent(station: name, time: time, feedback: own, view: station.view)
        } else {
            event = station.handle(input, at: time)
            // A refused scan keeps the reason for the scan that replaces it.
            if station is TakesReasonWithNextInput, event.accepted, attribution.reason != nil { pendingReason = nil }
            if case .idleTick = input, let signedOut = idleSignOut(at: time), [.ignored, .nothingToDo].contains(event.feedback.code) {
                event.feedback = signedOut
            }
        }
        event.operatorID = operatorID ?? attribution.operatorID
        if event.postedSequences.isEmpty, let entry = entry(for: event, input: input, device: device) { record(entry) }
        return event
    }

    /// Badges, sign-out, reason codes and the rules about them; nil when the
    /// input is the station's.
    private func attend(_ input: StationInput, at time: Microseconds) -> Feedback? {
        if Self.isFromAnOperator(input) { lastActivity = monotonic?.now() ?? time }
        switch input {
        case .badge(let id):
            let previous = operatorID
            operatorID = id; attribution.operatorID = id
            return .ok(.signedIn, previous.map { "operator \(id) signed in at \(name) (replacing \($0))" } ?? "operator \(id) signed in at \(name)")
        case .command(let c) where c == commands.signOut:
            guard let id = operatorID else { return .error(.nothingToDo, "no operator is signed in at \(name)") }
            operatorID = nil; pendingReason = nil; armedLotHold = nil
            return .ok(.signedOut, "operator \(id) signed out of \(name)")
        case .reason(let code):
            if config.requireOperator && operatorID == nil { return operatorRequired() }
            guard config.reasons.isEmpty || config.reasons.contains(code) else {
                return .error(.unknownReason, "reason \(code) is not one of \(name)'s reasons (\(config.reasons.joined(separator: ", ")))")
            }
            // A station that takes the reason as an answer of its own (a failed inspection) gets it now.
            if let taker = station as? ReasonTaking, taker.takesReasonNow {
                attribution.reason = code
                return nil
            }
            pendingReason = code
            if station is TakesReasonWithNextInput { return .ok(.reasonNoted, "reason \(code) noted for the next scan") }
            return .ok(.reasonNoted, "reason \(code) noted: scan \(commands.override) to accept")
        case .command(let c) where c == commands.holdLot: return armLotHold()
        case _ where armedLotHold != nil && Self.isFromAnOperator(input): return holdLot(input)
        default:
            if config.requireOperator && operatorID == nil && Self.isFromAnOperator(input) { return operatorRequired() }
            if case .command(let c) = input, c == commands.override {
                if config.requireReason && pendingReason == nil {
                    return .error(.reasonRequired, "\(name) needs a reason for an override: scan a reason code (RSN:…), then \(commands.override)")
                }
                attribution.reason = pendingReason
                pendingReason = nil
            } else if station is TakesReasonWithNextInput, Self.isFromAnOperator(input) {
                attribution.reason = pendingReason
            }
            return nil
        }
    }

    /// The reason scanned last, used up by whoever takes it.
    func takePendingReason() -> String? {
        defer { pendingReason = nil }
        return pendingReason
    }

    private func operatorRequired() -> Feedback {
        .error(.operatorRequired, "\(name) needs a signed-in operator: scan your badge first")
    }

    /// Signs the operator out when idle too long; the answer to show if the
    /// station had nothing else to say.
    private func idleSignOut(at time: Microseconds) -> Feedback? {
        guard let id = operatorID, let idle = config.idleSignOut, (monotonic?.now() ?? time) - lastActivity >= idle else { return nil }
        operatorID = nil; pendingReason = nil; armedLotHold = nil
        let feedback = Feedback.ok(.signedOut, "operator \(id) signed out of \(name) after \(idle.value / 1_000_000) s idle")
        record(JournalEntry(time: time, station: name, operatorID: id, code: FeedbackCode.signedOut.rawValue, severity: .info,
                            message: feedback.message, detail: JSONText.object([("idle", "true")])))
        return feedback
    }

    /// Scans and commands come from a person; tag arrivals, cycle reports and
    /// idle ticks from fixed readers and clocks.
    static func isFromAnOperator(_ input: StationInput) -> Bool {
        switch input {
        case .tagArrived, .tagDeparted, .cycleReport, .idleTick: return false
        default: return true
        }
    }

    private func entry(for event: StationEvent, input: StationInput, device: String?) -> JournalEntry? {
        let severity: JournalSeverity
        switch event.feedback {
        case .ok(let code, _):
            // Plain accepts are not news; sign-ins and counts waiting for review are.
            guard code == .signedIn || code == .signedOut || code == .countPending else { return nil }
            if case .idleTick = input, code == .signedOut { return nil } // recorded by idleSignOut with its detail
            severity = .info
        case .warning: severity = .warning
        case .error: severity = .error
        case .done(let code, _):
            guard code != .lotHeld else { return nil } // the ledger journals the hold with it
            severity = .done
        }
        var detail = [("input", JSONText.quote(input.kindName))]
        if let value = Self.scannedText(input) { detail.append(("scanned", JSONText.quote(value))) }
        return JournalEntry(time: event.time, station: name, device: device, operatorID: event.operatorID,
                            code: event.feedback.code.rawValue, severity: severity, document: event.view.document,
                            reason: attribution.reason, message: event.feedback.message, detail: JSONText.object(detail))
    }

    private func record(_ entry: JournalEntry) {
        guard let journal else { return }
        do { try journal.record([entry]) } catch { journalFailures.append("journal entry \(entry.code) not saved: \(error)") }
    }

    /// What was scanned, for the journal's detail (its kind is `kindName`).
    static func scannedText(_ input: StationInput) -> String? {
        switch input {
        case .tradeItem(let s): return s.gtin.digits + (s.lot.map { " lot \($0)" } ?? "") + (s.serial.map { " serial \($0)" } ?? "")
        case .logisticUnit(let s): return s.digits
        case .location(let l): return l.code
        case .document(let d): return d
        case .command(let c): return c
        case .badge(let b): return b
        case .reason(let r): return r
        case .tag(let t), .tagArrived(_, let t), .tagDeparted(_, let t): return t.epc.hex
        case .unrecognized(let text): return text
        case .carrierLabel(let l): return l.text
        case .cycleReport, .idleTick: return nil
        }
    }
}
