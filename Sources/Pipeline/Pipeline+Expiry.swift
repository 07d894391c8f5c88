import ScanModel

// What happens when a row's bucket in the timing wheel fires. The row's
// deadline is recomputed from its current fields (reads since filing moved
// `lastSeen`); a row not yet due is simply filed again.

extension Pipeline {
    func expireRow(_ row: Int32, in z: ZoneRuntime) {
        let table = z.table
        let r = table.hot(row)
        let due = table.processedTime
        switch r.pointee.state {
        case RowState.glimpsed:
            let deadline = satAdd(r.pointee.lastSeen, z.glimpsedTimeout)
            guard deadline <= due else { return table.schedule(row, at: deadline) }
            z.counters.glimpsesExpired &+= 1
            goIdle(z, row, at: deadline)
        case RowState.observed:
            let deadline = satAdd(r.pointee.lastSeen, z.lostTimeout(for: r))
            guard deadline <= due else { return table.schedule(row, at: deadline) }
            depart(z, row, at: deadline, reason: .notSeen)
            goIdle(z, row, at: deadline)
        case RowState.idle:
            let deadline = satAdd(table.cold(row).pointee.since, z.retention)
            guard deadline <= due else { return table.schedule(row, at: deadline) }
            if z.cycleOpen, let c = z.cycle, r.pointee.cycleEpoch == c.epoch {
                // Its stats belong to the open cycle's report: keep the row
                // (still evictable) until the cycle ends, outside the wheel.
                r.pointee.flags |= RowFlag.heldForCycle
                return
            }
            table.remove(row)
            noteRowFreed(z, at: deadline)
        default:
            break
        }
    }

    func goIdle(_ z: ZoneRuntime, _ row: Int32, at t: Int64) {
        let r = z.table.hot(row)
        r.pointee.state = RowState.idle
        r.pointee.flags &= ~RowFlag.announced
        z.table.cold(row).pointee.since = t
        z.table.idleAppend(row)
        z.table.schedule(row, at: satAdd(t, z.retention))
    }
}
