import ScanModel

// Assignment groups: zones that see the same tags (adjacent dock doors). A
// tag is announced in at most one zone of a group; other zones keep smoothing
// it silently and may take it over by the group's policy on a later read.

extension Pipeline {
    func tryAnnounce(_ z: ZoneRuntime, _ row: Int32, _ r: UnsafeMutablePointer<HotRow>,
                     read: TagRead, at t: Int64, hash h: UInt64) {
        guard z.group >= 0 else { return announce(z, row, r, read: read, at: t) }
        let group = groups[z.group]
        for other in group.zones where other != z.id.index {
            let o = zoneStates[other]
            let orow = o.table.find(read.epc, hash: h)
            guard orow >= 0 else { continue }
            let or = o.table.hot(orow)
            guard or.pointee.flags & RowFlag.announced != 0 else { continue }
            switch group.policy {
            case .firstZone:
                return
            case .strongestRSSI(let hysteresis, let staleAfter):
                let ownerStale = satSub(t, or.pointee.lastSeen) >= staleAfter.value
                let mine = r.pointee.recentRSSI, theirs = or.pointee.recentRSSI
                let stronger = !mine.isNaN && !theirs.isNaN && mine > theirs + hysteresis
                guard ownerStale || stronger else { return }
                depart(o, orow, at: t, reason: .reassigned(to: z.id))
                z.counters.reassignments &+= 1
            }
        }
        announce(z, row, r, read: read, at: t)
    }
}
