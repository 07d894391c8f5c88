import ScanModel
@testable import Pipeline

/// An SGTIN-96-shaped EPC with serial `n`.
func tag(_ n: Int) -> EPC {
    EPC(hi: 0x3074_257B_F719_4E40, lo32: UInt32(truncatingIfNeeded: n))
}

func ms(_ v: Int64) -> Microseconds { .milliseconds(v) }

let reader = DeviceIndex(1)
let reader2 = DeviceIndex(2)

func read(_ epc: EPC, at t: Microseconds, device: DeviceIndex = reader, antenna: UInt16 = 1,
          rssi: Float? = -50, count: UInt32 = 1) -> TagRead {
    TagRead(epc: epc, device: device, antenna: antenna, rssi: rssi, count: count, time: t)
}

func zone(_ name: String = "dock-1", device: DeviceIndex = reader, antennas: [UInt16] = [],
          smoothing: SmoothingConfig = SmoothingConfig(), maxTags: Int = 100_000,
          presence: Bool = true, cycle: CycleConfig? = nil, floor: Float? = nil) -> ZoneConfig {
    ZoneConfig(name: name, readers: [ZoneReader(device: device, antennas: antennas, rssiFloor: floor)],
               smoothing: smoothing, maxTags: maxTags, reportsPresence: presence, cycle: cycle)
}

/// Drives a pipeline in virtual time and records every event.
final class Harness {
    let pipeline: Pipeline
    var events: [PipelineEvent] = []

    init(_ config: PipelineConfig) throws {
        pipeline = try Pipeline(config: config)
    }

    convenience init(zones: [ZoneConfig], groups: [AssignmentGroup] = [], scanners: [ScannerConfig] = []) throws {
        try self.init(PipelineConfig(zones: zones, groups: groups, scanners: scanners))
    }

    /// Advances to the read's time, then ingests it (how the service runs).
    func feed(_ reads: [TagRead]) {
        for r in reads {
            tick(to: r.time)
            var rest = ArraySlice([r])
            while !rest.isEmpty {
                let n = pipeline.ingest(batch: rest)
                rest = rest.dropFirst(n)
                drain()
            }
        }
    }

    func tick(to t: Microseconds) {
        while !pipeline.advance(to: t) { drain() }
        drain()
    }

    func drain() { pipeline.drainEvents { events.append($0) } }

    var arrivals: [TagArrival] { events.compactMap { if case .arrived(let a) = $0 { a } else { nil } } }
    var departures: [TagDeparture] { events.compactMap { if case .departed(let d) = $0 { d } else { nil } } }
    var reports: [PipelineCycleReport] { events.compactMap { if case .cycleReport(let r) = $0 { r } else { nil } } }
    var alarms: [PipelineAlarm] { events.compactMap { if case .alarm(let a) = $0 { a } else { nil } } }
    var scans: [Scan] { events.compactMap { if case .scan(let s) = $0 { s } else { nil } } }
    func counters(_ name: String) -> ZoneCounters? {
        pipeline.zone(named: name).map { pipeline.counters(for: $0) }
    }
}
