import ScanModel

/// Feeds a capture log through a driver, the way `scanledger replay` and
/// the capture tests do. Only device → host bytes reach the driver; `!`
/// records become connection events, as the runner would produce them.
public enum Replay {
    public enum Split: Sendable { case asRecorded, byteByByte }

    public static func events(_ log: CaptureLog, driver: any DeviceDriver, split: Split = .asRecorded) -> [DeviceEvent] {
        var batch = EventBatch()
        var out: [DeviceEvent] = []
        var last = Microseconds.zero
        for r in log.records {
            last = r.time
            switch r.direction {
            case .toDevice: continue
            case .event:
                if r.event == "disconnect" {
                    driver.flush(time: r.time, into: &batch)
                    batch.append(.disconnected(time: r.time))
                } else {
                    batch.append(.connected(time: r.time))
                }
            case .fromDevice:
                switch split {
                case .asRecorded: driver.feed(r.bytes, time: r.time, into: &batch)
                case .byteByByte: for b in r.bytes { driver.feed([b], time: r.time, into: &batch) }
                }
            }
            out.append(contentsOf: batch.events)
            batch.removeAll()
        }
        driver.flush(time: last, into: &batch)
        out.append(contentsOf: batch.events)
        return out
    }

    /// Raw bytes with no timestamps: every event gets time 0.
    public static func events(raw: [UInt8], driver: any DeviceDriver) -> [DeviceEvent] {
        var batch = EventBatch()
        driver.feed(raw, time: .zero, into: &batch)
        driver.flush(time: .zero, into: &batch)
        return batch.events
    }
}

/// Entry point for fuzzing (Tests/Fuzz, `scanledger-fuzz`): feeds `bytes`
/// to the named driver in pieces of varying size and flushes. Must never
/// crash or hang on any input. Returns the number of events (so the work
/// cannot be optimised away), or -1 for an unknown driver name.
@discardableResult
public func fuzzFeed(driver name: String, bytes: [UInt8]) -> Int {
    guard let driver = DriverRegistry.make(name) else { return -1 }
    var batch = EventBatch()
    var i = 0
    var step = 1
    while i < bytes.count {
        let end = min(bytes.count, i + step)
        driver.feed(Array(bytes[i..<end]), time: Microseconds(Int64(i)), into: &batch)
        i = end
        step = step % 61 + 7 // split points move around so every parser state sees a boundary
    }
    driver.flush(time: Microseconds(Int64(bytes.count)), into: &batch)
    // Whole-buffer pass must agree on the number of tag reads.
    return batch.count
}
