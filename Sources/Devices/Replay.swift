import ScanModel

/// Feeds a capture log through a driver, the way `scanledger replay` and
/// the capture tests do. Only device → host bytes reach the driver; `!`
/// records become connection events, as the runner would produce them
/// (`close` and `stop` end the connection like `disconnect`).
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
            case .event where r.gpoWrite != nil: continue   // host → reader, like '>'
            case .event:
                if r.event != "connect" {
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
/// to the named driver in pieces of shifting size, then whole to a second
/// instance, and traps if the two disagree: every driver must give the same
/// events however its input is split. Must never crash or hang otherwise.
/// Returns the number of events, or -1 for an unknown driver name.
@discardableResult
public func fuzzFeed(driver name: String, bytes: [UInt8]) -> Int {
    guard let split = DriverRegistry.make(name), let whole = DriverRegistry.make(name) else { return -1 }
    var a = EventBatch(), b = EventBatch()
    var i = 0
    var step = 1
    while i < bytes.count {
        let end = min(bytes.count, i + step)
        split.feed(Array(bytes[i..<end]), time: .zero, into: &a)
        i = end
        step = step % 61 + 7   // split points move so every parser state meets a boundary
    }
    split.flush(time: .zero, into: &a)
    whole.feed(bytes, time: .zero, into: &b)
    whole.flush(time: .zero, into: &b)
    if a.events != b.events {
        fatalError("driver \(name) gives different events for the same \(bytes.count) bytes split differently")
    }
    return a.count
}
