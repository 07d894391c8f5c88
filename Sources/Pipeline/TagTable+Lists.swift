// The two intrusive lists threaded through the rows: the timing wheel that
// drives expiry, and the idle list (oldest first) that eviction takes from.
//
// Wheel: a read only moves `lastSeen`; it never touches the wheel. A row sits
// in one bucket; when the bucket fires the caller recomputes the row's real
// deadline and either expires it or re-files it. So a read costs nothing
// here and a tick costs the size of one bucket, whatever the number of tags.

extension TagTable {
    /// Deadline (µs) → tick, rounding up so a row never fires early.
    @inline(__always)
    func tick(for deadline: Int64) -> Int64 {
        let q = deadline / tickMicros
        return deadline > 0 && deadline % tickMicros != 0 ? q + 1 : q
    }

    /// Time up to which expiry has been processed.
    var processedTime: Int64 { processedTick.multipliedReportingOverflow(by: tickMicros).overflow ? .max : processedTick * tickMicros }

    /// Files `row` to fire at or after `deadline` (re-filing it if it was filed).
    func schedule(_ row: Int32, at deadline: Int64) {
        wheelUnlink(row)
        if deadline <= processedTime {
            // Already due (a late read, zero retention, or a clock jump):
            // the in-flight list is drained before `expire` returns or resumes.
            return wheelInsert(row, bucket: inFlightBucket)
        }
        var t = tick(for: deadline)
        if t <= processedTick { t = processedTick + 1 }
        if t - processedTick < Int64(wheelSlotCount) {
            wheelInsert(row, bucket: Int(t & wheelMask))
        } else {
            // Far out (long retention): park it by revolution; it is re-filed
            // into the first level when its revolution begins, so a long
            // deadline costs one extra visit instead of one per revolution.
            wheelInsert(row, bucket: wheelSlotCount + Int((t >> wheelShift) & wheelMask))
        }
    }

    @inline(__always)
    private func wheelInsert(_ row: Int32, bucket: Int) {
        let head = wheelHeads[bucket]
        let r = hot(row)
        r.pointee.wheelNext = head
        r.pointee.wheelPrev = Int32(-2 - bucket)
        if head >= 0 { hot(head).pointee.wheelPrev = row }
        wheelHeads[bucket] = row
    }

    func wheelUnlink(_ row: Int32) {
        let r = hot(row)
        let prev = r.pointee.wheelPrev
        if prev == -1 { return }
        let next = r.pointee.wheelNext
        if prev >= 0 { hot(prev).pointee.wheelNext = next } else { wheelHeads[Int(-2 - prev)] = next }
        if next >= 0 { hot(next).pointee.wheelPrev = prev }
        r.pointee.wheelPrev = -1
        r.pointee.wheelNext = -1
    }

    /// Moves a whole bucket onto the in-flight list: O(1) when that list is
    /// empty (the usual case), else row by row.
    private func spliceIntoInFlight(_ bucket: Int) {
        let first = wheelHeads[bucket]
        guard first >= 0 else { return }
        wheelHeads[bucket] = -1
        if wheelHeads[inFlightBucket] < 0 {
            wheelHeads[inFlightBucket] = first
            hot(first).pointee.wheelPrev = Int32(-2 - inFlightBucket)
            return
        }
        var row = first
        while row >= 0 {
            let next = hot(row).pointee.wheelNext
            hot(row).pointee.wheelPrev = -1
            hot(row).pointee.wheelNext = -1
            wheelInsert(row, bucket: inFlightBucket)
            row = next
        }
    }

    /// Processes ticks up to `targetTick`, handing each filed row to `visit`
    /// (already unlinked; it must re-file or remove it). Returns false when
    /// `shouldStop` asked to pause; calling again resumes where it stopped.
    func expire(upTo targetTick: Int64, shouldStop: () -> Bool, visit: (Int32) -> Void) -> Bool {
        while true {
            while wheelHeads[inFlightBucket] >= 0 {
                if shouldStop() { return false }
                let row = wheelHeads[inFlightBucket]
                wheelUnlink(row)
                visit(row)
            }
            if processedTick >= targetTick { return true }
            if targetTick - processedTick > Int64(wheelSlotCount) {
                // A clock jump longer than the first level: every bucket is
                // due for a look at once; rows re-filed land after the target.
                processedTick = targetTick
                for b in 0..<(2 * wheelSlotCount) { spliceIntoInFlight(b) }
            } else {
                processedTick += 1
                if processedTick & wheelMask == 0 {
                    spliceIntoInFlight(wheelSlotCount + Int((processedTick >> wheelShift) & wheelMask))
                }
                spliceIntoInFlight(Int(processedTick & wheelMask))
            }
        }
    }

    // MARK: idle list

    func idleAppend(_ row: Int32) {
        let c = cold(row)
        c.pointee.idlePrev = idleTail
        c.pointee.idleNext = -1
        if idleTail >= 0 { cold(idleTail).pointee.idleNext = row } else { idleHead = row }
        idleTail = row
        idleCount += 1
    }

    func idleUnlink(_ row: Int32) {
        guard hot(row).pointee.state == RowState.idle else { return }
        let c = cold(row)
        let prev = c.pointee.idlePrev, next = c.pointee.idleNext
        if prev >= 0 { cold(prev).pointee.idleNext = next } else if idleHead == row { idleHead = next } else { return }
        if next >= 0 { cold(next).pointee.idlePrev = prev } else { idleTail = prev }
        c.pointee.idlePrev = -1
        c.pointee.idleNext = -1
        idleCount -= 1
    }
}
