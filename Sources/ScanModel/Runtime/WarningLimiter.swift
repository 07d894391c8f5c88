/// Lets a few warnings through per window and counts the rest, so a noisy
/// line cannot flood the log (or the disk) but nobody loses the fact that
/// there were problems. Devices log their problems through one each, a
/// station its queue overflows.
public struct WarningLimiter: Sendable {
    let perWindow: Int
    let window: Microseconds
    private var windowStart = Microseconds.zero
    private var shown = 0
    public private(set) var suppressed = 0

    public init(perWindow: Int = 5, window: Microseconds = .seconds(60)) {
        self.perWindow = perWindow; self.window = window
    }

    /// Whether to log a warning now; when a new window opens, also the
    /// number suppressed in the last one (to mention once).
    public mutating func admit(at now: Microseconds) -> (show: Bool, suppressedBefore: Int) {
        var before = 0
        if now - windowStart >= window || now < windowStart {
            before = suppressed
            windowStart = now; shown = 0; suppressed = 0
        }
        if shown < perWindow { shown += 1; return (true, before) }
        suppressed += 1
        return (false, before)
    }
}
