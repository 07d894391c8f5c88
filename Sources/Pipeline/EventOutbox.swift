/// FIFO of events waiting for the consumer. The pipeline checks its length
/// before each read and each expiry; at `PipelineConfig.outboxLimit` it
/// stops consuming input (backpressure) instead of dropping anything. It can
/// exceed the limit only by the few events one read produces.
struct EventOutbox {
    private var items: [PipelineEvent] = []
    private var head = 0
    private(set) var highWater = 0

    var count: Int { items.count - head }

    mutating func append(_ event: PipelineEvent) {
        items.append(event)
        if count > highWater { highWater = count }
    }

    mutating func popFirst() -> PipelineEvent? {
        guard head < items.count else { return nil }
        let event = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= items.count {
            // Compact occasionally so popped events do not pin memory.
            items.removeFirst(head)
            head = 0
        }
        return event
    }
}

/// Saturating time arithmetic: read times come from devices and may be
/// anything; a wrapped deadline must not become a trap or a time in the past.
@inline(__always)
func satAdd(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : r
}

@inline(__always)
func satSub(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, overflow) = a.subtractingReportingOverflow(b)
    return overflow ? (b < 0 ? .max : .min) : r
}
