import ScanModel

/// Who is at a station and why they overrode: the station's rules for
/// operators and reason codes.
public struct AttendanceConfig: Hashable, Sendable {
    /// Refuse scans until an operator has signed in with a badge.
    public var requireOperator = false
    /// Sign the operator out after this long without a scan from them.
    public var idleSignOut: Microseconds? = nil
    /// Overrides need a reason code scanned first.
    public var requireReason = false
    /// The reason codes this station takes (empty: any).
    public var reasons: [String] = []
    /// `HOLD-LOT` may put a lot on hold here (signed-in operator and reason required).
    public var lotHoldByScan = false
    public init() {}
}

/// What the station is doing on behalf of whom, for the input being handled:
/// read by `StampingGateway` (every posting records device and operator) and
/// by stations that keep a reason with what they accepted. Confined to the
/// station's queue like the station itself.
public final class Attribution {
    public internal(set) var device: String?
    public internal(set) var operatorID: String?
    /// The reason code given for the override being handled, if any.
    public internal(set) var reason: String?
    public init() {}
}

/// A posting gateway that writes who and where on every posting (and on the
/// journal entries it carries) from the station's `Attribution`.
public final class StampingGateway: PostingGateway {
    let inner: PostingGateway
    let attribution: Attribution
    public init(_ inner: PostingGateway, attribution: Attribution) { self.inner = inner; self.attribution = attribution }

    public func post(_ request: PostingRequest) throws -> PostingOutcome {
        var r = request
        r.device = r.device ?? attribution.device
        r.operatorID = r.operatorID ?? attribution.operatorID
        r.reason = r.reason ?? attribution.reason
        for i in r.journal.indices {
            r.journal[i].device = r.journal[i].device ?? r.device
            r.journal[i].operatorID = r.journal[i].operatorID ?? r.operatorID
        }
        return try inner.post(r)
    }
}
