import ScanModel

// Issue 18, clock steps: the service runs the pipeline on CLOCK_MONOTONIC so
// a wall-clock step (NTP, `date -s`) moves no dedup or departure window,
// while reads, scans and commands come in, and events go out, in wall time.
// `Pipeline.wallOffset` is the bridge; at 0 (tests, replays, simulations)
// nothing is converted and the pipeline runs on the readers' timebase.

extension Pipeline {
    /// Reads both clocks, sets `wallOffset` to wall − monotonic and returns
    /// the monotonic now (to `advance` to). The owner calls it before each
    /// batch: a wall step then changes the offset, never a window.
    @discardableResult
    public func synchronize(with clocks: IntervalClocks) -> Microseconds {
        let monotonic = clocks.monotonic.now()
        wallOffset = clocks.wall.now().value &- monotonic.value
        readCeiling = monotonic.value
        return monotonic
    }

    /// The pipeline time of a wall stamp handed in (read, scan, command),
    /// never later than the last `synchronize`.
    @inline(__always)
    func pipelineTime(ofWall t: Int64) -> Int64 { min(satSub(t, wallOffset), readCeiling) }
}

extension PipelineEvent {
    /// The event with every time moved by `offset` (pipeline → wall time).
    /// Events are rare; the cycle report's copies are its own allocation.
    func shifted(by offset: Int64) -> PipelineEvent {
        func s(_ t: Microseconds) -> Microseconds { Microseconds(satAdd(t.value, offset)) }
        func s(_ list: [TagCycleStats]) -> [TagCycleStats] {
            list.map { var x = $0; x.firstSeen = s(x.firstSeen); x.lastSeen = s(x.lastSeen); return x }
        }
        switch self {
        case .arrived(var a):
            a.time = s(a.time); a.firstSeen = s(a.firstSeen)
            return .arrived(a)
        case .departed(var d):
            d.time = s(d.time); d.lastSeen = s(d.lastSeen)
            return .departed(d)
        case .cycleReport(var r):
            r.startedAt = s(r.startedAt); r.endedAt = s(r.endedAt)
            r.current = s(r.current); r.additions = s(r.additions); r.deletions = s(r.deletions)
            return .cycleReport(r)
        case .scan(var x):
            x.time = s(x.time)
            return .scan(x)
        case .alarm(var a):
            a.time = s(a.time)
            return .alarm(a)
        }
    }
}
