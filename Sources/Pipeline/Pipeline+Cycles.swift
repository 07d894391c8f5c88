import ScanModel

// Event cycles: every accepted read in an open cycle adds to its tag's
// per-cycle stats in the row (epoch-stamped, so starting a cycle clears
// nothing). At the end the touched rows become CURRENT, compared with the
// previous cycle's CURRENT for ADDITIONS and DELETIONS.

extension Pipeline {
    func startCycle(_ z: ZoneRuntime, at t: Int64) {
        guard var c = z.cycle else { return }
        c.epoch = c.epoch == .max ? 1 : c.epoch + 1
        c.startedAt = t
        c.lastNewTagAt = t
        c.touched.removeAll(keepingCapacity: true)
        c.evicted = 0
        c.refused = 0
        z.cycle = c
        z.cycleOpen = true
        z.cycleDeadline = c.deadline().time
    }

    @inline(__always)
    func recordCycleRead(_ z: ZoneRuntime, _ row: Int32, _ r: UnsafeMutablePointer<HotRow>,
                         read: TagRead, at t: Int64, reads: UInt32) {
        guard let epoch = z.cycle?.epoch else { return }
        if r.pointee.cycleEpoch != epoch {
            r.pointee.cycleEpoch = epoch
            r.pointee.cycleReads = 0
            r.pointee.cyclePeak = -.infinity
            z.table.cold(row).pointee.cycleFirst = t
            z.cycle?.touched.append(row)
            if let last = z.cycle?.lastNewTagAt, t > last {
                z.cycle?.lastNewTagAt = t
                if let d = z.cycle?.deadline().time { z.cycleDeadline = d }
            }
        } else if t < z.table.cold(row).pointee.cycleFirst {
            z.table.cold(row).pointee.cycleFirst = t
        }
        let (sum, overflow) = r.pointee.cycleReads.addingReportingOverflow(reads)
        r.pointee.cycleReads = overflow ? .max : sum
        if let rssi = read.rssi, rssi > r.pointee.cyclePeak { r.pointee.cyclePeak = rssi }
    }

    /// Ends (and, for continuous cycles, restarts) every cycle due before `t`.
    func endCyclesDue(_ z: ZoneRuntime, before t: Int64) {
        while z.cycleOpen, z.cycleDeadline <= t { endCycleAtDeadline(z) }
    }

    func endCycleAtDeadline(_ z: ZoneRuntime) {
        guard let c = z.cycle else { return }
        let (time, reason) = c.deadline()
        endCycle(z, at: time, reason: reason)
        if c.config.start == .continuous { startCycle(z, at: time) }
    }

    func endCycle(_ z: ZoneRuntime, at t: Int64, reason: CycleEndReason) {
        guard var c = z.cycle, z.cycleOpen else { return }
        let table = z.table
        c.touched.sort()
        var current: [TagCycleStats] = []
        current.reserveCapacity(c.touched.count)
        var last: Int32 = -1
        for row in c.touched where row != last {
            last = row
            let r = table.hot(row).pointee
            guard r.state != RowState.free, r.cycleEpoch == c.epoch else { continue }
            if r.flags & RowFlag.heldForCycle != 0 {
                // Kept only for this report; free after reading it.
                let stats = cycleStats(table, row)
                if r.cycleReads >= c.config.minReads { current.append(stats) }
                table.remove(row)
                noteRowFreed(z, at: t)
                continue
            }
            if r.cycleReads >= c.config.minReads { current.append(cycleStats(table, row)) }
        }
        current.sort { $0.epc < $1.epc }
        let (additions, deletions) = Pipeline.difference(previous: c.previous, current: current)
        c.sequence += 1
        let report = PipelineCycleReport(zone: z.id, sequence: c.sequence, startedAt: Microseconds(c.startedAt),
                                 endedAt: Microseconds(t), endReason: reason, current: current,
                                 additions: additions, deletions: deletions,
                                 evictedDuringCycle: c.evicted, refusedDuringCycle: c.refused)
        c.previous = current
        c.touched.removeAll(keepingCapacity: true)
        z.cycle = c
        z.cycleOpen = false
        z.cycleDeadline = .max
        z.counters.cycleReports &+= 1
        emit(.cycleReport(report))
    }

    private func cycleStats(_ table: TagTable, _ row: Int32) -> TagCycleStats {
        let r = table.hot(row).pointee
        return TagCycleStats(epc: table.epc(of: row), reads: r.cycleReads,
                             peakRSSI: r.cyclePeak == -.infinity ? nil : r.cyclePeak,
                             firstSeen: Microseconds(table.cold(row).pointee.cycleFirst),
                             lastSeen: Microseconds(r.lastSeen))
    }

    /// Merge of two EPC-sorted lists: tags only in `current` are additions,
    /// tags only in `previous` deletions (with their previous stats).
    static func difference(previous: [TagCycleStats], current: [TagCycleStats])
        -> (additions: [TagCycleStats], deletions: [TagCycleStats]) {
        var additions: [TagCycleStats] = [], deletions: [TagCycleStats] = []
        var i = 0, j = 0
        while i < previous.count || j < current.count {
            if j == current.count || (i < previous.count && previous[i].epc < current[j].epc) {
                deletions.append(previous[i]); i += 1
            } else if i == previous.count || current[j].epc < previous[i].epc {
                additions.append(current[j]); j += 1
            } else {
                i += 1; j += 1
            }
        }
        return (additions, deletions)
    }
}
