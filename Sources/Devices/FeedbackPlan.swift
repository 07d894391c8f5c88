import ScanModel

/// What one feedback outcome means on the wire for one device: bytes to
/// write, each followed by a pause before the next (three spaced BELs, a GPO
/// switched on and, after its duration, off again). The device's runner
/// writes the steps in order between reads, so a pause never blocks the
/// device's input.
public struct FeedbackPlan: Hashable, Sendable {
    public struct Step: Hashable, Sendable {
        public var bytes: [UInt8]
        /// How long to wait after writing `bytes` before the next step.
        public var pauseAfter: Microseconds
        public init(_ bytes: [UInt8], pauseAfter: Microseconds = .zero) {
            self.bytes = bytes; self.pauseAfter = pauseAfter
        }
    }
    public var steps: [Step]
    public init(_ steps: [Step]) {
        precondition(!steps.isEmpty, "a feedback plan writes something")
        self.steps = steps
    }

    /// One write, no pause.
    public static func bytes(_ bytes: [UInt8]) -> FeedbackPlan { FeedbackPlan([Step(bytes)]) }

    /// The same bytes `count` times, `gap` apart (a generic scanner's beeps).
    public static func repeated(_ bytes: [UInt8], count: Int, gap: Microseconds) -> FeedbackPlan {
        precondition(count > 0)
        return FeedbackPlan((0..<count).map { Step(bytes, pauseAfter: $0 == count - 1 ? .zero : gap) })
    }
}

/// The plans a device uses, one per outcome (nil: the device cannot signal
/// that outcome). Resolved once per device from its driver's defaults and the
/// `feedback` configuration, so `send` only looks one up.
public struct FeedbackPlans: Hashable, Sendable {
    public var plans: [FeedbackOutcome: FeedbackPlan]
    public init(_ plans: [FeedbackOutcome: FeedbackPlan] = [:]) { self.plans = plans }
    public subscript(outcome: FeedbackOutcome) -> FeedbackPlan? { plans[outcome] }
    public var isEmpty: Bool { plans.isEmpty }
}

/// The steps still to write for one device, with when each is due. The
/// runner holds one under its lock: `send` appends, the device thread takes
/// what is due between reads and shortens its read wait to `nextDue`.
/// Plans play one after another; a flood of feedback is capped so a stuck
/// port cannot grow it without end (the oldest steps are dropped: the
/// operator needs the answer to the latest scan).
struct FeedbackQueue {
    static let maximumSteps = 64
    private var steps: [FeedbackPlan.Step] = []
    /// When the first pending step may be written.
    private(set) var nextDue: Microseconds? = nil
    private(set) var dropped: UInt64 = 0

    mutating func append(_ plan: FeedbackPlan, now: Microseconds) {
        if steps.isEmpty { nextDue = now }
        steps.append(contentsOf: plan.steps)
        if steps.count > Self.maximumSteps {
            let excess = steps.count - Self.maximumSteps
            steps.removeFirst(excess)
            dropped += UInt64(excess)
        }
    }

    /// The steps due at `now`, in order; stops at the first pause that has
    /// not yet passed.
    mutating func takeDue(now: Microseconds) -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let due = nextDue, due <= now, !steps.isEmpty {
            let step = steps.removeFirst()
            out.append(step.bytes)
            nextDue = steps.isEmpty ? nil : now + step.pauseAfter
        }
        return out
    }

    /// The wall clock stepped: the pause under way keeps its length.
    mutating func shift(by delta: Microseconds) { nextDue = nextDue.map { $0 + delta } }

    /// A new connection starts without the old one's half-played plans.
    mutating func removeAll() { steps.removeAll(); nextDue = nil }
}
