import Foundation
import ScanModel

// The skeleton every station shares: handle → state → outcome → feedback and
// journal. A station supplies its workflow (dispatch, view, what its state
// means); StationSession keeps the session on disk and in memory in step and
// turns one input into one event. New stations (inspection, returns, pick,
// ship) build on it instead of copying it.

/// One station's open session, saved before it is adopted: memory never runs
/// ahead of what a restart would load.
final class StationSession<State: Codable, Delta: Codable> {
    let station: String
    private let keeper: SessionKeeper<State, Delta>
    /// How a journal entry changes the state: used on load and on append, so
    /// the two cannot drift apart.
    private let replay: (inout State, Delta) -> Void
    private(set) var state: State? {
        didSet {
            restartIntervals()
            if state == nil { onClose() }
        }
    }
    /// The last error, shown in the view until the next session opens.
    private(set) var lastError: String?
    /// Drops what the station derived from the state (lookup indexes).
    var onClose: () -> Void = {}

    /// Nil: intervals are measured in the inputs' own time (tests, replays).
    private let clocks: IntervalClocks?
    /// The state's wall-time marks that timeouts measure from
    /// (`\.lastActivity`), each with the wall value seen and the monotonic
    /// instant it stands for, taken when the mark was set.
    private let timed: [KeyPath<State, Int64>]
    private var marks: [KeyPath<State, Int64>: (wall: Int64, monotonic: Microseconds)] = [:]

    init(station: String, store: SessionStore, clocks: IntervalClocks? = nil, timed: [KeyPath<State, Int64>] = [],
         replay: @escaping (inout State, Delta) -> Void = { _, _ in }) throws {
        self.station = station
        self.replay = replay
        self.clocks = clocks
        self.timed = timed
        keeper = SessionKeeper(station: station, store: store)
        state = try keeper.load(replay: replay)
        // A resumed session's marks were set before the restart: aged on the wall clock once.
        if let clocks, let state { for mark in timed { marks[mark] = (state[keyPath: mark], clocks.monotonicInstant(ofWall: state[keyPath: mark])) } }
    }

    /// Saves `next` as the session (nil closes it) and adopts it; on failure
    /// the state stays as it was and the operator is told to scan again.
    func save(_ next: State?) -> Feedback? {
        do { try keeper.save(next); state = next; return nil } catch { return notSaved(error) }
    }

    /// The hot path: appends one small journal entry, then applies it in memory.
    func append(_ delta: Delta) -> Feedback? {
        // Stations journal only inside an open session: its snapshot is what the entry extends.
        guard var next = state else { preconditionFailure("station \(station): journal entry without an open session") }
        do { try keeper.append(delta) } catch { return notSaved(error) }
        replay(&next, delta)
        state = next
        return nil
    }

    /// Posts the request that completes the session, closing the session in
    /// the posting's own transaction (`PostingRequest.closesSession`), so a
    /// committed posting never leaves its session behind; once committed the
    /// session is forgotten in memory whatever happens next. The store's own
    /// delete is repeated for stores that are not the ledger; its failure
    /// changes nothing that matters.
    func postClosing(_ request: PostingRequest, to ledger: PostingGateway) -> Submission {
        var closing = request
        closing.closesSession = station
        let result = submit(closing, to: ledger)
        if case .committed = result {
            state = nil
            try? keeper.save(nil)
        }
        return result
    }

    /// Posts the request that completes the session and marks the document
    /// it completes (an ASN, an order, an RMA). With `document` (the store is the
    /// ledger's database) the mark and the close commit in the posting's own
    /// transaction. Without, `mark` runs and the session closes after the
    /// posting; while either fails the session stays open, so the retry
    /// re-sends the same key (a duplicate) instead of posting twice.
    func postClosing(_ request: PostingRequest, document: PostingDocument?, mark: (LedgerSequence) throws -> Void,
                     to ledger: PostingGateway) -> ClosingSubmission {
        if let document {
            var marking = request
            marking.documents.append(document)
            return ClosingSubmission(postClosing(marking, to: ledger))
        }
        switch submit(request, to: ledger) {
        case .refused(let f): return .refused(f)
        case .committed(let seq):
            do { try mark(seq); try abandon() } catch { return .notClosed(seq: seq, error) }
            return .closed(seq: seq)
        }
    }

    /// Ends the session with the write that records what it came to (a
    /// count's result): `record(station)` closes the session in its own
    /// transaction where the store is the ledger's database; the store's
    /// own delete follows for stores that are not, as in `postClosing`.
    func close(recording record: (String) throws -> Void) throws {
        try record(station)
        state = nil
        try? keeper.save(nil)
    }

    /// Drops the session without posting.
    func abandon() throws {
        try keeper.save(nil)
        state = nil
    }

    /// How long ago the state's wall-time `mark` (one of `timed`) was set,
    /// in µs, for a timeout: on the monotonic clock when the station has one,
    /// so a step of the wall clock (an hour back, a day forward) moves no
    /// timeout; else in the inputs' own time. Nil without an open session.
    func elapsed(since mark: KeyPath<State, Int64>, at time: Microseconds) -> Int64? {
        guard let s = state else { return nil }
        let wall = s[keyPath: mark]
        guard let clocks else { return Stations.elapsed(from: wall, to: time) }
        assert(timed.contains(mark), "station \(station): a timeout measured from a mark the session does not track")
        let since = marks[mark].flatMap { $0.wall == wall ? $0.monotonic : nil } ?? clocks.monotonicInstant(ofWall: wall)
        return clocks.monotonic.now().value - since.value
    }

    /// A mark the state moved was set by the input being handled: it starts now.
    private func restartIntervals() {
        guard let clocks else { return }
        for mark in timed {
            guard let wall = state?[keyPath: mark] else { marks[mark] = nil; continue }
            if marks[mark]?.wall != wall { marks[mark] = (wall, clocks.monotonic.now()) }
        }
    }

    /// A new session starts with a clean view.
    func clearError() { lastError = nil }

    /// One input: the station's `dispatch` gives the feedback and appends the
    /// postings it committed; an error is remembered for the view.
    func event(at time: Microseconds, view: () -> StationView, _ dispatch: (inout [LedgerSequence]) -> Feedback) -> StationEvent {
        var posted: [LedgerSequence] = []
        let feedback = dispatch(&posted)
        if feedback.isError { lastError = feedback.message }
        return StationEvent(station: station, time: time, feedback: feedback, view: view(), postedSequences: posted)
    }

    /// The view of a station with no open session.
    func idleView(workflow: String) -> StationView {
        StationView(station: station, workflow: workflow, state: "idle", lastError: lastError)
    }
}

/// What posting a session's last request came to: posted and closed,
/// refused (nothing posted), or posted with the session still open.
enum ClosingSubmission {
    case closed(seq: LedgerSequence)
    case refused(Feedback)
    case notClosed(seq: LedgerSequence, Error)

    /// A session with no document to mark closed with its posting.
    init(_ s: Submission) {
        switch s {
        case .committed(let seq): self = .closed(seq: seq)
        case .refused(let f): self = .refused(f)
        }
    }
}

/// A station without journal entries: every change saves a snapshot.
struct NoDelta: Codable {}

/// Persists one station's session in the SessionStore: JSON snapshots, plus
/// JSON journal entries (`Delta`) replayed on load.
struct SessionKeeper<State: Codable, Delta: Codable> {
    let station: String
    let store: SessionStore

    func load(replay: (inout State, Delta) -> Void = { _, _ in }) throws -> State? {
        guard let saved = try store.loadSession(station: station) else { return nil }
        do {
            var state = try JSONDecoder().decode(State.self, from: saved.snapshot)
            for entry in saved.journal { replay(&state, try JSONDecoder().decode(Delta.self, from: entry)) }
            return state
        } catch {
            throw StationError(station: station, message: "saved session cannot be read (\(error)); abandon it to continue")
        }
    }

    /// Saves a snapshot (or removes the session, for nil). Callers change
    /// their in-memory state only after this succeeded, so memory never runs
    /// ahead of what a restart would see.
    func save(_ state: State?) throws {
        if let state {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try store.saveSession(station: station, snapshot: try encoder.encode(state))
        } else {
            try store.removeSession(station: station)
        }
    }

    func append(_ delta: Delta) throws {
        try store.appendToSession(station: station, entry: try JSONEncoder().encode(delta))
    }
}


/// A station built on `StationSession`: whether a session is open, dropping
/// it, and turning one input into one event are the same for every such
/// station, so they are written once here. A station supplies its session
/// and its workflow (`dispatch`); one with more to do per input (a count's
/// sweep effects) writes its own `handle` around the session.
protocol SessionStation: Station {
    associatedtype State: Codable
    associatedtype Delta: Codable
    var session: StationSession<State, Delta> { get }
    /// The station's workflow: the answer to one input, appending the
    /// postings it committed.
    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback
}

extension SessionStation {
    public var hasOpenSession: Bool { session.state != nil }
    public func abandon() throws { try session.abandon() }
    public func handle(_ input: StationInput, at time: Microseconds) -> StationEvent {
        session.event(at: time, view: { view }) { dispatch(input, at: time, posted: &$0) }
    }
}
