import ScanModel

/// Barcode debounce and command barcodes. A presentation scanner re-reads
/// the code held in front of it many times a second: identical data from the
/// same scanner within the window (measured from its latest read, so a code
/// held still stays one scan) is dropped and counted. A few distinct codes
/// are remembered per scanner so A B A within the window is still one A.
struct ScanDebouncer {
    static let remembered = 8

    struct Recent {
        var data: [UInt8]
        var lastSeen: Int64
    }

    struct ScannerState {
        var debounce: Int64?
        var zone: Int?
        var recent: [Recent] = []
    }

    private var scanners: [UInt16: ScannerState] = [:]

    init(scanners configs: [ScannerConfig], zoneNames: [String: Int]) throws(PipelineConfigError) {
        for (i, s) in configs.enumerated() {
            guard scanners[s.device.value] == nil else {
                throw PipelineConfigError(key: "scanners[\(i)].device", "device \(s.device.value) is configured twice")
            }
            if let d = s.debounce, d.value <= 0 {
                throw PipelineConfigError(key: "scanners[\(i)].debounce", "must be positive (omit it to turn debounce off)")
            }
            var zone: Int? = nil
            if let name = s.zone {
                guard let zi = zoneNames[name] else {
                    throw PipelineConfigError(key: "scanners[\(i)].zone", "no zone named '\(name)'")
                }
                zone = zi
            }
            scanners[s.device.value] = ScannerState(debounce: s.debounce?.value, zone: zone)
        }
    }

    /// The zone whose command barcodes this scanner may scan.
    func zone(of device: DeviceIndex) -> Int? { scanners[device.value]?.zone }

    /// True when the scan is new; false when it repeats a recent identical scan.
    mutating func accept(_ scan: Scan, at t: Int64) -> Bool {
        guard var state = scanners[scan.device.value], let window = state.debounce else { return true }
        defer { scanners[scan.device.value] = state }
        if let k = state.recent.firstIndex(where: { $0.data == scan.data }) {
            let repeated = satSub(t, state.recent[k].lastSeen) < window && t >= state.recent[k].lastSeen
            state.recent[k].lastSeen = max(state.recent[k].lastSeen, t)
            return !repeated
        }
        if state.recent.count >= ScanDebouncer.remembered {
            // Forget the code seen longest ago.
            if let oldest = state.recent.indices.min(by: { state.recent[$0].lastSeen < state.recent[$1].lastSeen }) {
                state.recent.remove(at: oldest)
            }
        }
        state.recent.append(Recent(data: scan.data, lastSeen: t))
        return true
    }
}

extension Pipeline {
    /// Feeds scans: debounced per scanner, command barcodes act on their
    /// zone's cycle, the rest come out as `.scan` events. Returns how many
    /// were consumed (fewer only at the outbox limit, as for tag reads).
    @discardableResult
    public func ingest(scans: [Scan]) -> Int {
        for (i, scan) in scans.enumerated() {
            if outbox.count >= outboxLimit {
                globalCounters.backpressureStops += 1
                return i
            }
            globalCounters.scansIn &+= 1
            let t = config.timestamps == .host ? now.value : pipelineTime(ofWall: scan.time.value)
            if let zi = scanDebouncer.zone(of: scan.device), let c = zoneStates[zi].cycle?.config {
                if let start = c.startBarcode, start == scan.data {
                    globalCounters.commandScans &+= 1
                    command(.start, zone: zones[zi], atPipelineTime: t)
                    continue
                }
                if let stop = c.stopBarcode, stop == scan.data {
                    globalCounters.commandScans &+= 1
                    command(.stop, zone: zones[zi], atPipelineTime: t)
                    continue
                }
            }
            guard scanDebouncer.accept(scan, at: t) else {
                globalCounters.scansDebounced &+= 1
                continue
            }
            var out = scan
            out.time = Microseconds(t)
            emit(.scan(out))
        }
        return scans.count
    }
}
