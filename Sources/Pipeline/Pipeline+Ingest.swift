import ScanModel

// The hot path: one pass over a batch of reads. Per read: route to a zone,
// check the RSSI floor, probe the zone's index, update one 64-byte row.
// Events (rare) are the only allocations.

extension Pipeline {
    /// Feeds a batch of reads. Returns how many were consumed: fewer than
    /// `batch.count` only when the outbox reached its limit — drain events,
    /// then call again with the rest (nothing was dropped).
    @discardableResult
    public func ingest(batch: UnsafeBufferPointer<TagRead>) -> Int {
        var cachedKey: UInt32 = .max
        var cachedZone: Int32 = ZoneRouting.noZone
        var cachedFloor: Float = -.infinity
        // Unmanaged: `zoneStates` keeps every zone alive; a strong local would
        // cost a retain and release per read.
        var zone: Unmanaged<ZoneRuntime>? = nil
        let hostTime = config.timestamps == .host
        let nowValue = now.value
        let offset = wallOffset, ceiling = readCeiling
        var i = 0
        var touchedUpTo = 0
        var touchSink: UInt64 = 0
        while i < batch.count {
            if i == touchedUpTo {
                touchedUpTo = min(batch.count, i + Pipeline.touchGroup)
                touchSink &+= warmCaches(batch, from: i, to: touchedUpTo)
            }
            if outbox.count >= outboxLimit {
                globalCounters.backpressureStops += 1
                prefetchSink = touchSink
                return i
            }
            let read = batch[i]
            i += 1
            let key = UInt32(read.device.value) << 16 | UInt32(read.antenna)
            if key != cachedKey {
                cachedKey = key
                let r = routing.route(device: read.device, antenna: read.antenna)
                cachedFloor = r.floor
                if r.zone != cachedZone {
                    cachedZone = r.zone
                    zone = r.zone >= 0 ? Unmanaged.passUnretained(zoneStates[Int(r.zone)]) : nil
                }
            }
            guard let zoneRef = zone else {
                globalCounters.unzonedReads &+= 1
                continue
            }
            let floor = cachedFloor
            zoneRef._withUnsafeGuaranteedRef { z in
                z.counters.readsIn &+= 1
                if let rssi = read.rssi, rssi < floor {
                    z.counters.readsBelowFloor &+= 1
                    return
                }
                let t: Int64
                if hostTime {
                    t = nowValue
                } else {
                    t = min(satSub(read.time.value, offset), ceiling)
                    let lag = satSub(nowValue, t)
                    z.counters.lag = Microseconds(lag > 0 ? lag : 0)
                }
                process(read, at: t, in: z)
            }
        }
        prefetchSink = touchSink
        return batch.count
    }

    static let touchGroup = 16

    /// Software pipelining: load the index slots of a group of reads (all
    /// independent loads, so their misses overlap), then the rows they name;
    /// processing then finds both in cache. Returns a value derived from the
    /// loads so the optimiser keeps them.
    @inline(__always)
    private func warmCaches(_ batch: UnsafeBufferPointer<TagRead>, from start: Int, to end: Int) -> UInt64 {
        var sink: UInt64 = 0
        withZoneTables(batch, start..<end) { k, table in
            let s = table?.touchSlot(batch[k].epc) ?? 0
            touchScratch[k - start] = s
            sink &+= s
        }
        withZoneTables(batch, start..<end) { k, table in
            sink &+= table?.touchRow(slot: touchScratch[k - start]) ?? 0
        }
        return sink
    }

    /// Calls `body` with each read's index and its zone's table (nil: no
    /// zone), looking the zone up only when the device or antenna changes:
    /// reads come in runs from one antenna.
    @inline(__always)
    private func withZoneTables(_ batch: UnsafeBufferPointer<TagRead>, _ range: Range<Int>, _ body: (Int, TagTable?) -> Void) {
        var key: UInt32 = .max
        var table: TagTable? = nil
        for k in range {
            let read = batch[k]
            let readKey = UInt32(read.device.value) << 16 | UInt32(read.antenna)
            if readKey != key {
                key = readKey
                let zone = routing.route(device: read.device, antenna: read.antenna).zone
                table = zone >= 0 ? zoneStates[Int(zone)].table : nil
            }
            body(k, table)
        }
    }

    @discardableResult
    public func ingest(batch: [TagRead]) -> Int {
        batch.withUnsafeBufferPointer { ingest(batch: $0) }
    }

    @discardableResult
    public func ingest(batch: ArraySlice<TagRead>) -> Int {
        batch.withUnsafeBufferPointer { ingest(batch: $0) }
    }

    @inline(__always)
    private func process(_ read: TagRead, at t: Int64, in z: ZoneRuntime) {
        // Cycles that should have ended before this read end first, so the
        // result does not depend on how often `advance` is called.
        if t >= z.cycleDeadline { endCyclesDue(z, before: t) }
        if !z.cycleOpen, let c = z.cycle, c.config.start == .firstRead { startCycle(z, at: t) }

        let table = z.table
        let epc = read.epc
        let h = TagTable.hash(epc)
        var row = table.find(epc, hash: h)
        let reads = read.count == 0 ? 1 : read.count
        let r: UnsafeMutablePointer<HotRow>
        if row < 0 {
            if table.isFull && !evictOldestIdle(z, at: t) {
                refuse(z, at: t)
                return
            }
            row = table.insert(epc, hash: h)
            guard row >= 0 else { return refuse(z, at: t) }
            r = table.hot(row)
            r.pointee.state = RowState.glimpsed
            r.pointee.lastSeen = t
            table.cold(row).pointee.since = t
            table.schedule(row, at: satAdd(t, z.glimpsedTimeout))
        } else {
            r = table.hot(row)
            let gap = satSub(t, r.pointee.lastSeen)
            switch r.pointee.state {
            case RowState.observed:
                let timeout = z.lostTimeout(for: r)
                if gap >= timeout {
                    // Lost between two reads before the wheel got to it.
                    depart(z, row, at: satAdd(r.pointee.lastSeen, timeout), reason: .notSeen)
                    restartGlimpse(table, row, r, at: t)
                } else if gap > 0 && z.adaptive {
                    updateMeanInterval(r, gap: gap, reads: reads)
                }
            case RowState.glimpsed:
                if gap >= z.glimpsedTimeout {
                    restartGlimpse(table, row, r, at: t)
                } else if gap > 0 && z.adaptive {
                    updateMeanInterval(r, gap: gap, reads: reads)
                }
            default: // idle: back in the field
                table.idleUnlink(row)
                r.pointee.flags &= ~RowFlag.heldForCycle
                restartGlimpse(table, row, r, at: t)
                table.schedule(row, at: satAdd(t, z.glimpsedTimeout))
            }
            if t > r.pointee.lastSeen { r.pointee.lastSeen = t }
        }
        let (sum, overflow) = r.pointee.readCount.addingReportingOverflow(reads)
        r.pointee.readCount = overflow ? .max : sum
        r.pointee.lastAntenna = read.antenna
        r.pointee.lastDevice = read.device.value
        if z.group >= 0, let rssi = read.rssi {
            let old = r.pointee.recentRSSI
            r.pointee.recentRSSI = old.isNaN ? rssi : old + 0.25 * (rssi - old)
        }

        if r.pointee.state == RowState.glimpsed {
            if r.pointee.readCount >= z.observedCount
                || satSub(t, table.cold(row).pointee.since) >= z.observedTime {
                r.pointee.state = RowState.observed
                // The row is filed for its glimpse deadline; when that fires
                // it is re-filed for the lost deadline. Re-file now only if
                // the lost deadline could be the earlier one.
                if z.adaptive || z.lostTimeout < z.glimpsedTimeout {
                    table.schedule(row, at: satAdd(r.pointee.lastSeen, z.lostTimeout(for: r)))
                }
            }
        }
        if r.pointee.state == RowState.observed, r.pointee.flags & RowFlag.announced == 0, z.reportsPresence {
            tryAnnounce(z, row, r, read: read, at: t, hash: h)
        }
        if z.cycleOpen { recordCycleRead(z, row, r, read: read, at: t, reads: reads) }
    }

    @inline(__always)
    private func restartGlimpse(_ table: TagTable, _ row: Int32, _ r: UnsafeMutablePointer<HotRow>, at t: Int64) {
        r.pointee.state = RowState.glimpsed
        r.pointee.readCount = 0
        r.pointee.meanInterval = 0
        r.pointee.recentRSSI = .nan
        r.pointee.lastSeen = t
        table.cold(row).pointee.since = t
    }

    @inline(__always)
    private func updateMeanInterval(_ r: UnsafeMutablePointer<HotRow>, gap: Int64, reads: UInt32) {
        // A merged report of n reads stands for n intervals.
        let interval = Float(gap) / Float(reads)
        let old = r.pointee.meanInterval
        r.pointee.meanInterval = old == 0 ? interval : old + 0.125 * (interval - old)
    }

    /// At the limit: the oldest idle row goes. False if there is none.
    private func evictOldestIdle(_ z: ZoneRuntime, at t: Int64) -> Bool {
        let victim = z.table.idleHead
        guard victim >= 0 else { return false }
        if z.cycleOpen, let c = z.cycle, z.table.hot(victim).pointee.cycleEpoch == c.epoch {
            z.cycle?.evicted += 1
        }
        z.table.remove(victim)
        z.counters.evictions &+= 1
        return true
    }

    private func refuse(_ z: ZoneRuntime, at t: Int64) {
        z.counters.refusedReads &+= 1
        if z.cycleOpen { z.cycle?.refused += 1 }
        guard !z.limitAlarmActive else { return }
        z.limitAlarmActive = true
        z.counters.alarms &+= 1
        emit(.alarm(PipelineAlarm(
            zone: z.id, kind: .tagLimitReached, time: Microseconds(t),
            message: "zone '\(z.id.name)' tracks its maximum of \(z.table.maxRows) tags and none is lost: "
                + "reads of new tags are refused until tags leave (raise maxTags or shorten lostTimeout)")))
    }

    /// Called whenever a row is freed: clears the limit alarm with hysteresis.
    func noteRowFreed(_ z: ZoneRuntime, at t: Int64) {
        guard z.limitAlarmActive, z.table.count * 10 < z.table.maxRows * 9 else { return }
        z.limitAlarmActive = false
        z.counters.alarms &+= 1
        emit(.alarm(PipelineAlarm(
            zone: z.id, kind: .tagLimitCleared, time: Microseconds(t),
            message: "zone '\(z.id.name)' is below 90 % of its \(z.table.maxRows)-tag limit again")))
    }

    func announce(_ z: ZoneRuntime, _ row: Int32, _ r: UnsafeMutablePointer<HotRow>, read: TagRead, at t: Int64) {
        r.pointee.flags |= RowFlag.announced
        z.counters.arrivals &+= 1
        emit(.arrived(TagArrival(zone: z.id, epc: read.epc, time: Microseconds(t),
                                 firstSeen: Microseconds(z.table.cold(row).pointee.since),
                                 device: read.device, antenna: read.antenna, rssi: read.rssi)))
    }

    /// Emits `departed` if the row had arrived; the row stays where it is.
    func depart(_ z: ZoneRuntime, _ row: Int32, at t: Int64, reason: DepartureReason) {
        let r = z.table.hot(row)
        guard r.pointee.flags & RowFlag.announced != 0 else { return }
        r.pointee.flags &= ~RowFlag.announced
        z.counters.departures &+= 1
        emit(.departed(TagDeparture(zone: z.id, epc: z.table.epc(of: row), time: Microseconds(t),
                                    lastSeen: Microseconds(r.pointee.lastSeen), reason: reason)))
    }
}
