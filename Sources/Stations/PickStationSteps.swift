import ScanModel

// The scans of one stop: units, the tote that takes them, a short pick.
extension PickStation {
    func takeTags(_ tags: [EPCTag], at time: Microseconds) -> Feedback {
        guard let s = state else { return .error(.wrongMoment, "scan an order to start picking") }
        let units: [ScannedLine]
        switch newUnits(tags, besides: s.scanned, stock: deps.stock, putBack: "put it back") {
        case .refused(let refusal): return refusal
        case .units(let found): units = found
        }
        if units.isEmpty { return .ok(.ignored, "all tags already scanned at this stop") }
        return take(units, at: time)
    }

    /// Adds one scan (or one read of tags) to the stop, all or nothing.
    func take(_ units: [ScannedLine], at time: Microseconds) -> Feedback {
        guard var s = state, let t = s.task else { return .error(.wrongMoment, "scan an order to start picking") }
        if s.awaitingTote && !s.closedShort {
            return .error(.overPick, "the stop has its \(t.quantity) × \(t.item) already: put it back and \(Self.instruction(s))")
        }
        if s.awaitingTote { return .error(.wrongMoment, Self.instruction(s)) }
        guard s.atLocation else { return .error(.wrongMoment, "scan the location first: \(Self.instruction(s))") }
        var warning: String?
        for var u in units {
            guard u.quantity > 0, u.quantity <= maxScanQuantity else {
                return .error(.badQuantity, "quantity \(u.quantity) is not between 1 and \(maxScanQuantity)")
            }
            guard u.item == t.item else { return .error(.wrongItem, "\(u.item) is not the item here: pick \(t.item) at \(t.location)") }
            do {
                guard let record = try deps.master.item(u.item) else { return .error(.unknownItem, "item \(u.item) is not in the master data") }
                if record.tracking == .lot && u.lot == nil { return .error(.missingLot, "\(u.item) is lot-tracked: scan its lot (10)") }
                if record.tracking == .none { u.lot = nil }
                // Held before wrong: a recalled lot must be set aside, not just swapped.
                if let held = try deps.heldStockRefusal(item: u.item, lot: u.lot, from: t.location) { return held }
                if let lot = t.lot, u.lot != lot {
                    return .error(.wrongLot, "lot \(u.lot ?? "none") is not the planned one: pick lot \(lot) of \(t.item)")
                }
                if record.tracking == .serial {
                    guard let serial = u.serial else { return .error(.missingSerial, "\(u.item) is serialised: scan its serial (21)") }
                    if s.scanned.contains(where: { $0.item == u.item && $0.serial == serial }) {
                        return .error(.duplicateSerial, "serial \(serial) of \(u.item) is already scanned")
                    }
                    guard let p = try deps.stock.location(ofItem: u.item, serial: serial), p.location == t.location else {
                        return .error(.notInSource, "serial \(serial) of \(u.item) is not at \(t.location)")
                    }
                    u.quantity = 1
                } else { u.serial = nil }
                if let f = try fefoCheck(item: u.item, lot: u.lot) {
                    if config.fefoIsError { return .error(.fefo, f) }
                    warning = f
                }
            } catch { return unavailable(error) }
            if s.scannedQuantity + u.quantity > t.quantity {
                return .error(.overPick, "the stop needs \(t.quantity) × \(t.item), this would make \(s.scannedQuantity + u.quantity): put it back")
            }
            s.scanned.append(u)
        }
        s.lastActivity = time.value
        if let f = session.save(s) { return f }
        let progress = "\(s.scannedQuantity)/\(t.quantity) of \(t.item)"
        if let warning { return .warning(.fefo, "\(progress); \(warning)") }
        return .ok(.accepted, s.awaitingTote ? "\(progress): \(Self.instruction(s))" : progress)
    }

    /// The lot on hand in the pick area that expires before `lot`, as the
    /// operator's message; nil when `lot` is first out (or undated).
    func fefoCheck(item: ItemCode, lot: String?) throws -> String? {
        guard let lot, let expiries, let mine = try expiries.expiry(item: item, lot: lot) else { return nil }
        guard let earlier = PickPlanner.earlierExpiry(than: mine, item: item, lot: lot, in: try pickStock()) else { return nil }
        return "lot \(earlier.lot ?? "") at \(earlier.location) expires \(earlier.expiry.map { "\($0)" } ?? "") before lot \(lot) (\(mine)): first expiry first out"
    }

    /// The tote for the stop's order: binds it on first use, then posts the
    /// stop's units location → tote with the order's pending journal notes.
    func tote(_ code: String, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard var s = state, let t = s.task else { return .error(.wrongMoment, "scan an order to start picking") }
        guard s.awaitingTote, !s.scanned.isEmpty else { return .error(.wrongMoment, "tote \(code) scanned: \(Self.instruction(s))") }
        if let bound = s.plan.totes[t.order], bound != code {
            return .error(.wrongTote, "order \(t.order) goes into tote \(bound), not \(code)")
        }
        if let other = s.plan.totes.first(where: { $0.value == code && $0.key != t.order })?.key {
            return .error(.wrongTote, "tote \(code) holds order \(other): use the tote of order \(t.order)")
        }
        do {
            guard try deps.master.location(LocationCode(code)) != nil else {
                return .error(.unknownLocation, "tote \(code) is not a location in the ledger: import it, or take another tote")
            }
            if s.plan.totes[t.order] == nil {
                if let other = try deps.expected.order(numberOrTote: code), other.number != t.order, !Self.isDone(other) {
                    return .error(.wrongTote, "tote \(code) still carries order \(other.number): take an empty tote")
                }
                // The pack bench finds the order by this tote.
                guard var order = try deps.expected.order(numberOrTote: t.order) else {
                    return .error(.unknownDocument, "order \(t.order) is no longer in the expected data")
                }
                order.tote = code
                try deps.expected.store(asns: [], orders: [order])
                s.plan.totes[t.order] = code
            }
        } catch { return unavailable(error) }
        if !s.started.contains(t.order) {
            s.notes.append(PendingOrderNote(kind: .status, order: t.order, status: .picking, time: time.value))
            s.started.append(t.order)
        }
        if s.isLastStop(s.next, of: t.order) {
            s.notes.append(PendingOrderNote(kind: .status, order: t.order, status: .picked, time: time.value))
        }
        let lines = aggregate(s.scanned.map {
            PostingLine(item: $0.item, qty: Int64($0.quantity), from: t.location, to: LocationCode(code), lot: $0.lot, serial: $0.serial)
        })
        var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "pick", session: s.session, part: String(s.next)),
                                     kind: .move, ref: t.order, station: name, eventTime: .device(time), lines: lines)
        request.journal = s.notes.map { $0.entry(station: name) }
        let last = s.next + 1 == s.plan.tasks.count
        let result = last ? session.postClosing(request, to: deps.ledger) : submit(request, to: deps.ledger)
        switch result {
        case .refused(let f): return f
        case .committed(let seq):
            posted.append(seq)
            let units = s.scannedQuantity
            s.notes = []
            if last { return .done(.posted, "\(units) × \(t.item) into tote \(code) (seq \(seq)); pick list finished") }
            s = Self.advanced(s, picked: units, at: time)
            return session.save(s) ?? .ok(.posted, "\(units) × \(t.item) into tote \(code) (seq \(seq)); \(Self.instruction(s))")
        }
    }

    /// Short pick: the stop has no more. The missing units are backordered and
    /// the location becomes a cycle-count candidate; what was scanned still
    /// goes into the tote.
    func shortPick(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard var s = state, let t = s.task else { return .error(.nothingToDo, "no pick list open") }
        let missing = t.quantity - s.scannedQuantity
        guard missing > 0, !s.closedShort else { return .error(.nothingToDo, "nothing is missing at this stop: \(Self.instruction(s))") }
        s.notes.append(PendingOrderNote(kind: .backordered, order: t.order, item: t.item, lot: t.lot, quantity: missing, time: time.value))
        s.notes.append(PendingOrderNote(kind: .cycleCount, order: t.order, item: t.item, location: t.location, lot: t.lot,
                                        quantity: missing, time: time.value))
        s.lastActivity = time.value
        let message = "\(missing) × \(t.item) short at \(t.location): backordered on order \(t.order)"
        if !s.scanned.isEmpty {
            s.closedShort = true
            return session.save(s) ?? .warning(.shortPicked, "\(message); \(Self.instruction(s))")
        }
        if s.isLastStop(s.next, of: t.order) && s.started.contains(t.order) {
            s.notes.append(PendingOrderNote(kind: .status, order: t.order, status: .picked, time: time.value))
        }
        s = Self.advanced(s, picked: 0, at: time)
        if s.task == nil { return finish(s, at: time) ?? .warning(.shortPicked, "\(message); pick list finished") }
        return session.save(s) ?? .warning(.shortPicked, "\(message); \(Self.instruction(s))")
    }

    static func advanced(_ state: PickState, picked: Int, at time: Microseconds) -> PickState {
        var s = state
        if s.next < s.picked.count { s.picked[s.next] = picked }
        s.next += 1
        s.atLocation = false; s.scanned = []; s.closedShort = false; s.lastActivity = time.value
        return s
    }

    /// Ends a list with nothing left to post: notes still pending are
    /// written on their own, then the session closes. Nil when both succeeded.
    func finish(_ s: PickState, at time: Microseconds) -> Feedback? {
        if !s.notes.isEmpty {
            guard let journal else {
                return .error(.journalNotSaved, "this station has no journal: \(s.notes.count) order note(s) not recorded")
            }
            // Saved first, so a failed journal write leaves the notes to retry with the next scan.
            if let f = session.save(s) { return f }
            // Stamped here as the StampingGateway stamps the entries a posting carries.
            let entries = s.notes.map { note -> JournalEntry in
                var e = note.entry(station: name)
                e.device = deps.attribution.device; e.operatorID = deps.attribution.operatorID
                return e
            }
            do { try journal.record(entries) } catch {
                return .error(.journalNotSaved, "order notes not saved (\(error)); scan \(config.commands.shortPick) again")
            }
        }
        return session.save(nil)
    }

    static func isDone(_ order: PackOrder) -> Bool {
        if case .done = order.status { return true }
        return false
    }
}
