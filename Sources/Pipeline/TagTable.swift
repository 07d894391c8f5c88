import ScanModel

// Per-zone tag storage: rows in fixed-size chunks (so growing never moves a
// row and memory tracks the number of tags, not a doubled capacity) and an
// open-addressing index keyed by the EPC words. No String, no generic
// Hashable, no allocation per read: the only allocations are a new chunk
// every 4096 tags and an index rehash when it passes 70 % load.

/// Row states. `free` rows are on the free list.
enum RowState {
    static let free: UInt8 = 0
    static let glimpsed: UInt8 = 1
    static let observed: UInt8 = 2
    /// Lost or glimpse-expired: kept for `retention`, first to be evicted.
    static let idle: UInt8 = 3
}

enum RowFlag {
    /// `arrived` was emitted and `departed` not yet.
    static let announced: UInt8 = 1
    /// Idle past its retention but kept (out of the wheel) until the open
    /// cycle that saw it ends.
    static let heldForCycle: UInt8 = 2
}

/// The fields touched on every read: exactly one 64-byte cache line.
struct HotRow {
    var key0: UInt64
    var key1: UInt64
    var lastSeen: Int64
    /// Reads since the current glimpse began (saturating).
    var readCount: UInt32
    /// Cycle the cycle fields belong to; 0 = none.
    var cycleEpoch: UInt32
    var cycleReads: UInt32
    /// −∞ when no RSSI was reported in the cycle.
    var cyclePeak: Float
    /// Moving average of RSSI (assignment groups); NaN until one is reported.
    var recentRSSI: Float
    /// Moving average of µs between reads (adaptive window); 0 = unknown.
    var meanInterval: Float
    var wheelNext: Int32
    /// −1: not in the wheel; ≤ −2: list head of bucket (−2 − prev); else previous row.
    var wheelPrev: Int32
    var bitCount: UInt16
    var state: UInt8
    var flags: UInt8
    var lastAntenna: UInt16
    var lastDevice: UInt16
}

/// Fields touched only on state changes.
struct ColdRow {
    /// Glimpse start while glimpsed/observed; the time it went idle while idle.
    var since: Int64
    var cycleFirst: Int64
    var idleNext: Int32
    var idlePrev: Int32
}

/// EPC words beyond the first 128 bits (only for EPCs longer than 128 bits).
struct WideWords { var w2: UInt64; var w3: UInt64 }

final class TagTable {
    static let chunkShift = 12
    static let chunkRows = 1 << chunkShift

    let maxRows: Int
    /// Live rows (any state but free).
    @exclusivity(unchecked) private(set) var count = 0

    private let maxChunks: Int
    private var chunkCount = 0
    private let hotChunks: UnsafeMutablePointer<UnsafeMutablePointer<HotRow>>
    private let coldChunks: UnsafeMutablePointer<UnsafeMutablePointer<ColdRow>>
    /// Allocated on first use per chunk; most deployments never need one.
    private let wideChunks: UnsafeMutablePointer<UnsafeMutablePointer<WideWords>?>
    @exclusivity(unchecked) private var nextFresh: Int32 = 0
    @exclusivity(unchecked) private var freeHead: Int32 = -1

    /// Index slots: high 32 bits = low 32 bits of the hash, low 32 = row + 1; 0 = empty.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var slotMask: Int
    @exclusivity(unchecked) private var growAt: Int

    // Two-level timing wheel (see TagTable+Lists.swift): buckets
    // [0, slots) are ticks, [slots, 2·slots) whole revolutions of the first
    // level, and bucket 2·slots is the in-flight list being expired.
    let wheelHeads: UnsafeMutablePointer<Int32>
    let wheelSlotCount: Int
    let wheelShift: Int64
    let wheelMask: Int64
    let inFlightBucket: Int
    let tickMicros: Int64
    @exclusivity(unchecked) var processedTick: Int64

    // Idle rows, oldest first (evicted first at the limit).
    var idleHead: Int32 = -1
    var idleTail: Int32 = -1
    var idleCount = 0

    init(maxRows: Int, wheelSlots: Int, tickMicros: Int64, startTime: Int64) {
        self.maxRows = maxRows
        maxChunks = (maxRows + TagTable.chunkRows - 1) / TagTable.chunkRows
        hotChunks = .allocate(capacity: max(1, maxChunks))
        coldChunks = .allocate(capacity: max(1, maxChunks))
        wideChunks = .allocate(capacity: max(1, maxChunks))
        let initialSlots = 1024
        slots = .allocate(capacity: initialSlots)
        slots.initialize(repeating: 0, count: initialSlots)
        slotMask = initialSlots - 1
        growAt = initialSlots * 7 / 10
        wheelSlotCount = wheelSlots
        wheelShift = Int64(wheelSlots.trailingZeroBitCount)
        wheelMask = Int64(wheelSlots - 1)
        inFlightBucket = 2 * wheelSlots
        wheelHeads = .allocate(capacity: 2 * wheelSlots + 1)
        wheelHeads.initialize(repeating: -1, count: 2 * wheelSlots + 1)
        self.tickMicros = tickMicros
        processedTick = startTime / tickMicros
    }

    deinit {
        for c in 0..<chunkCount {
            UnsafeMutableRawPointer(hotChunks[c]).deallocate()
            coldChunks[c].deallocate()
        }
        for c in 0..<chunkCount { wideChunks[c]?.deallocate() }
        hotChunks.deallocate(); coldChunks.deallocate(); wideChunks.deallocate()
        slots.deallocate(); wheelHeads.deallocate()
    }

    /// Bytes held for rows, index and wheel (the figure behind bytes_per_tag).
    var bytesAllocated: Int {
        chunkCount * TagTable.chunkRows * (MemoryLayout<HotRow>.stride + MemoryLayout<ColdRow>.stride)
            + wideBytes
            + (slotMask + 1) * 8 + (2 * wheelSlotCount + 1) * 4
            + maxChunks * 3 * MemoryLayout<Int>.stride
    }

    var isFull: Bool { count >= maxRows }

    @inline(__always)
    func hot(_ row: Int32) -> UnsafeMutablePointer<HotRow> {
        hotChunks[Int(row) >> TagTable.chunkShift] + (Int(row) & (TagTable.chunkRows - 1))
    }

    @inline(__always)
    func cold(_ row: Int32) -> UnsafeMutablePointer<ColdRow> {
        coldChunks[Int(row) >> TagTable.chunkShift] + (Int(row) & (TagTable.chunkRows - 1))
    }

    // MARK: keys

    @inline(__always)
    static func hash(_ epc: EPC) -> UInt64 {
        // splitmix64-style finaliser over the words: sequential serials
        // (adjacent low bits) must spread over the whole index.
        var h = epc.w0 &* 0x9E37_79B9_7F4A_7C15
        h ^= epc.w1 &+ UInt64(epc.bitCount)
        if epc.bitCount > 128 {
            h = (h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB
            h ^= epc.w2 &+ (epc.w3 &* 0x9E37_79B9_7F4A_7C15)
        }
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    @inline(__always)
    private func rowMatches(_ row: Int32, _ epc: EPC) -> Bool {
        let r = hot(row)
        guard r.pointee.key0 == epc.w0, r.pointee.key1 == epc.w1, r.pointee.bitCount == epc.bitCount else {
            return false
        }
        if epc.bitCount <= 128 { return true }
        guard let wide = wideChunks[Int(row) >> TagTable.chunkShift] else { return false }
        let w = wide[Int(row) & (TagTable.chunkRows - 1)]
        return w.w2 == epc.w2 && w.w3 == epc.w3
    }

    func epc(of row: Int32) -> EPC {
        let r = hot(row).pointee
        var w2: UInt64 = 0, w3: UInt64 = 0
        if r.bitCount > 128, let wide = wideChunks[Int(row) >> TagTable.chunkShift] {
            let w = wide[Int(row) & (TagTable.chunkRows - 1)]
            w2 = w.w2; w3 = w.w3
        }
        return EPC(words: r.key0, r.key1, w2, w3, bitCount: Int(r.bitCount))
    }

    /// Cache warming for `Pipeline.ingest`: the index slot `epc` probes
    /// first. Called for a group of reads before processing them, so their
    /// cache misses overlap instead of stalling one after another.
    @inline(__always)
    func touchSlot(_ epc: EPC) -> UInt64 {
        slots[Int(truncatingIfNeeded: TagTable.hash(epc)) & slotMask]
    }

    /// Second step of cache warming: the row a slot value from `touchSlot` names.
    @inline(__always)
    func touchRow(slot s: UInt64) -> UInt64 {
        guard s != 0 else { return 0 }
        return hot(Int32(truncatingIfNeeded: s & 0xFFFF_FFFF) &- 1).pointee.key0
    }

    /// The row holding `epc`, or −1.
    @inline(__always)
    func find(_ epc: EPC, hash h: UInt64) -> Int32 {
        let fingerprint = h & 0xFFFF_FFFF
        var i = Int(truncatingIfNeeded: fingerprint) & slotMask
        while true {
            let s = slots[i]
            if s == 0 { return -1 }
            if s >> 32 == fingerprint {
                let row = Int32(truncatingIfNeeded: s & 0xFFFF_FFFF) &- 1
                if rowMatches(row, epc) { return row }
            }
            i = (i &+ 1) & slotMask
        }
    }

    /// Adds a row for `epc` (not present), or returns −1 when the table is
    /// full. The row is zeroed except its key; state `free` until the caller
    /// sets one.
    func insert(_ epc: EPC, hash h: UInt64) -> Int32 {
        guard count < maxRows else { return -1 }
        // Two rows for one EPC would split its reads and double its events.
        assert(find(epc, hash: h) < 0, "insert: the EPC already has a row")
        if count >= growAt { growIndex() }
        // Below 70 % load there is always a free slot: probing ends.
        assert(count < growAt && growAt <= slotMask, "insert: index load \(count)/\(slotMask + 1) above its limit")
        let row = allocateRow()
        let r = hot(row)
        r.initialize(to: HotRow(key0: epc.w0, key1: epc.w1, lastSeen: 0, readCount: 0, cycleEpoch: 0,
                                cycleReads: 0, cyclePeak: -.infinity, recentRSSI: .nan, meanInterval: 0,
                                wheelNext: -1, wheelPrev: -1, bitCount: epc.bitCount, state: RowState.free,
                                flags: 0, lastAntenna: 0, lastDevice: 0))
        cold(row).initialize(to: ColdRow(since: 0, cycleFirst: 0, idleNext: -1, idlePrev: -1))
        if epc.bitCount > 128 { storeWide(row, epc) }
        placeInIndex(row, hash: h)
        count += 1
        return row
    }

    /// Removes a row from the index and every list and puts it on the free list.
    func remove(_ row: Int32) {
        assert(count > 0 && hot(row).pointee.state != RowState.free, "remove: row \(row) is not in use")
        wheelUnlink(row)
        idleUnlink(row)
        removeFromIndex(row)
        let r = hot(row)
        r.pointee.state = RowState.free
        r.pointee.wheelNext = freeHead
        freeHead = row
        count -= 1
    }

    private func allocateRow() -> Int32 {
        if freeHead >= 0 {
            let row = freeHead
            freeHead = hot(row).pointee.wheelNext
            return row
        }
        let row = nextFresh
        if Int(row) >= chunkCount * TagTable.chunkRows {
            // Cache-line aligned, so each 64-byte row is exactly one line.
            hotChunks[chunkCount] = UnsafeMutableRawPointer
                .allocate(byteCount: TagTable.chunkRows * MemoryLayout<HotRow>.stride, alignment: 64)
                .bindMemory(to: HotRow.self, capacity: TagTable.chunkRows)
            coldChunks[chunkCount] = .allocate(capacity: TagTable.chunkRows)
            wideChunks[chunkCount] = nil
            chunkCount += 1
        }
        nextFresh += 1
        return row
    }

    private func storeWide(_ row: Int32, _ epc: EPC) {
        let c = Int(row) >> TagTable.chunkShift
        if wideChunks[c] == nil {
            wideChunks[c] = .allocate(capacity: TagTable.chunkRows)
            wideBytes += TagTable.chunkRows * MemoryLayout<WideWords>.stride
        }
        (wideChunks[c].unsafelyUnwrapped + (Int(row) & (TagTable.chunkRows - 1)))
            .initialize(to: WideWords(w2: epc.w2, w3: epc.w3))
    }
    private(set) var wideBytes = 0

    @inline(__always)
    private func placeInIndex(_ row: Int32, hash h: UInt64) {
        let fingerprint = h & 0xFFFF_FFFF
        var i = Int(truncatingIfNeeded: fingerprint) & slotMask
        while slots[i] != 0 { i = (i &+ 1) & slotMask }
        slots[i] = fingerprint << 32 | UInt64(UInt32(row) &+ 1)
    }

    private func growIndex() {
        let oldSlots = slots, oldCount = slotMask + 1
        let newCount = oldCount * 2
        slots = .allocate(capacity: newCount)
        slots.initialize(repeating: 0, count: newCount)
        slotMask = newCount - 1
        growAt = newCount * 7 / 10
        for i in 0..<oldCount where oldSlots[i] != 0 {
            // The stored low hash bits are the home slot for any size ≤ 2^32.
            var j = Int(truncatingIfNeeded: oldSlots[i] >> 32) & slotMask
            while slots[j] != 0 { j = (j &+ 1) & slotMask }
            slots[j] = oldSlots[i]
        }
        oldSlots.deallocate()
    }

    /// Backward-shift deletion keeps probe chains unbroken without tombstones.
    private func removeFromIndex(_ row: Int32) {
        let want = UInt64(UInt32(row) &+ 1)
        var i = Int(truncatingIfNeeded: TagTable.hash(epc(of: row)) & 0xFFFF_FFFF) & slotMask
        var probes = 0
        while slots[i] & 0xFFFF_FFFF != want {
            i = (i &+ 1) & slotMask
            probes += 1
            if probes > slotMask {
                // Every row in use is indexed; a missing one means the index is corrupt.
                assertionFailure("removeFromIndex: row \(row) is not in the index")
                return
            }
        }
        var hole = i
        var j = (i &+ 1) & slotMask
        while slots[j] != 0 {
            let home = Int(truncatingIfNeeded: slots[j] >> 32) & slotMask
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !homeBetween {
                slots[hole] = slots[j]
                hole = j
            }
            j = (j &+ 1) & slotMask
            assert(j != i, "removeFromIndex: the index has no free slot")
        }
        slots[hole] = 0
    }
}
