import ScanModel

public struct CountReviewError: Error, CustomStringConvertible, Sendable {
    public let id: String
    public let message: String
    public var description: String { "count \(id): \(message)" }
}

/// `scanledger counts list|show|approve|reject`: the review side of counts.
public final class CountReviews {
    private let store: CountReviewStore
    private let ledger: PostingGateway
    private let stock: StockLookup

    public init(store: CountReviewStore, ledger: PostingGateway, stock: StockLookup) {
        self.store = store; self.ledger = ledger; self.stock = stock
    }

    /// Results still waiting for a decision (pending or conflicting).
    public func open() throws -> [CountResult] {
        try store.all().filter {
            switch $0.status { case .pending, .conflicting: return true; default: return false }
        }
    }
    public func list() throws -> [CountResult] { try store.all() }
    public func show(id: String) throws -> CountResult? { try store.result(id: id) }

    /// Stock at the counted location changed after the snapshot?
    func conflict(of r: CountResult) throws -> LedgerSequence? {
        let last = try stock.lastChange(at: r.location)
        return last > r.snapshotSeq ? last : nil
    }

    /// Posts the adjustments. A conflicting count (stock moved after the
    /// snapshot) is refused unless `acceptConflict`; the result is marked so
    /// the reviewer sees why. Approving twice returns the first result.
    @discardableResult
    public func approve(id: String, acceptConflict: Bool = false) throws -> CountResult {
        guard var r = try store.result(id: id) else { throw CountReviewError(id: id, message: "no such count") }
        switch r.status {
        case .posted, .accurate: return r
        case .rejected(let why): throw CountReviewError(id: id, message: "was rejected (\(why)); count again")
        case .pending, .conflicting: break
        }
        if !acceptConflict, let last = try conflict(of: r) {
            r.status = .conflicting(lastChange: last)
            try store.save(r)
            throw CountReviewError(id: id, message: "stock at \(r.location) changed after the count (ledger seq \(last) > snapshot \(r.snapshotSeq)): recount, or approve explicitly despite the conflict")
        }
        r = try post(r)
        return r
    }

    public func reject(id: String, reason: String) throws {
        guard var r = try store.result(id: id) else { throw CountReviewError(id: id, message: "no such count") }
        if case .posted(let seq) = r.status { throw CountReviewError(id: id, message: "already posted (seq \(seq)); reverse it instead") }
        r.status = .rejected(reason: reason)
        try store.save(r)
    }

    /// Posts and records the outcome; also used by a station with auto-post.
    func post(_ input: CountResult) throws -> CountResult {
        var r = input
        if r.adjustments.isEmpty {
            r.status = .accurate
            try store.save(r)
            return r
        }
        switch submit(r.postingRequest(), to: ledger) {
        case .committed(let seq):
            r.status = .posted(seq: seq)
            try store.save(r)
            return r
        case .refused(let f):
            throw CountReviewError(id: r.id, message: f.message)
        }
    }
}
