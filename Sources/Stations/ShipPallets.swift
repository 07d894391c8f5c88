import ScanModel

// Pallet aggregation at a ship station with `pallets`: scan a pallet SSCC
// (one no pack posting used), then its cartons by their SSCCs, each
// followed by its own carrier label; CONFIRM ships the pallet. The ledger
// keeps one ship posting per carton, `ref` its order and `sscc` the carton,
// exactly as a loose carton ships, with the pallet SSCC in its `shipped`
// journal entry: a posting has one order and one SSCC, and a pallet may
// carry several orders, so per-carton postings keep `history --ref`, the
// "already shipped" check, reversals and `export shipments` the same for
// pallets and loose cartons; the ship notice adds the carton → pallet
// AggregationEvent. The postings share the session's number (key
// `station/ship/session/carton`), so a CONFIRM cut short by a crash is
// resumed by the next CONFIRM: cartons already out on this pallet are not
// posted again, and the last posting closes the session.

/// One carton on the pallet being built, with its label once scanned.
struct PalletCarton: Codable, Hashable {
    var carton: PackedCarton
    var label: CarrierLabel?
    var sscc: String { carton.sscc ?? "" }
}

/// The pallet being built in a ship session.
struct PalletLoad: Codable, Hashable {
    var sscc: String
    var cartons: [PalletCarton] = []
    /// The pallet's carrier: the first label's; every label on it must match.
    var carrier: String? { cartons.lazy.compactMap(\.label?.carrier).first }
}

extension FeedbackCode {
    /// A carton scanned onto a pallet that no pack posting filled.
    public static let notPacked: FeedbackCode = "not-packed"
    /// A carton that already left on another pallet, or is on one being built.
    public static let onOtherPallet: FeedbackCode = "on-other-pallet"
}

extension ShipStation {
    /// The labels of the open session: the loose carton's, or every carton's on the pallet.
    var labelsInSession: [CarrierLabel] {
        guard let s = session.state else { return [] }
        return s.pallet.map { $0.cartons.compactMap(\.label) } ?? s.label.map { [$0] } ?? []
    }

    /// The pallet workflow's answer, or nil to let the loose-carton workflow answer.
    func dispatchPallet(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback? {
        guard config.pallets else { return nil }
        guard let s = session.state, let pallet = s.pallet else {
            if case .logisticUnit(let sscc) = input, session.state == nil { return openPallet(sscc.digits, at: time) }
            return nil
        }
        let c = config.commands
        switch input {
        case .logisticUnit(let sscc): return addCarton(sscc.digits, to: pallet, in: s, at: time)
        case .carrierLabel(.valid(let label)): return attach(label, to: pallet, in: s, at: time)
        case .document(let d): return .error(.wrongMoment, "order \(d) scanned: cartons go onto pallet \(pallet.sscc) by their SSCC")
        case .command(let cmd) where cmd == c.confirm: return confirm(pallet, in: s, at: time, posted: &posted)
        case .command(let cmd) where cmd == c.undo: return undo(pallet, in: s, at: time)
        case .command(let cmd) where cmd == c.cancel: return cancel(pallet)
        default: return nil
        }
    }

    /// An SSCC no pack posting used opens a pallet; a carton's SSCC is
    /// left to the loose-carton workflow.
    private func openPallet(_ sscc: String, at time: Microseconds) -> Feedback? {
        do {
            if try shipments.packedCarton(sscc: sscc) != nil { return nil }
            if let gone = try pallets?.shipment(pallet: sscc) {
                return .error(.documentDone, "pallet \(sscc) already shipped (seq \(gone.seq)): label the new pallet with a new SSCC")
            }
            session.clearError()
            let n = try deps.sessions.nextSessionNumber(station: name)
            let placeholder = PackedCarton(seq: LedgerSequence(0), order: nil, sscc: sscc, lines: [])
            return session.save(State(session: n, carton: placeholder, lastActivity: time.value, pallet: PalletLoad(sscc: sscc)))
                ?? .ok(.opened, "pallet \(sscc) opened: scan its cartons, each followed by its carrier label")
        } catch { return unavailable(error) }
    }

    private func addCarton(_ sscc: String, to pallet: PalletLoad, in s: State, at time: Microseconds) -> Feedback {
        if sscc == pallet.sscc { return .warning(.accepted, "pallet \(sscc) is already open") }
        if pallet.cartons.contains(where: { $0.sscc == sscc }) { return .warning(.accepted, "carton \(sscc) is already on pallet \(pallet.sscc)") }
        if let last = pallet.cartons.last, last.label == nil {
            return .error(.incomplete, "carton \(last.sscc) has no carrier label yet: scan it before the next carton")
        }
        do {
            guard let packed = try shipments.packedCarton(sscc: sscc) else {
                return .error(.notPacked, "carton \(sscc) was not packed (no pack posting with this SSCC): pack it before it goes on a pallet")
            }
            if let done = try shipments.shipment(order: packed.order, sscc: sscc) {
                if let other = try pallets?.pallet(ofShipment: done.seq) {
                    return .error(.onOtherPallet, "carton \(sscc) already left on pallet \(other) (seq \(done.seq))")
                }
                return .error(.documentDone, "\(Self.describe(packed)) was already shipped (seq \(done.seq))")
            }
            let lines = packed.lines.filter { $0.to == config.packedLocation }
                .map { PostingLine(item: $0.item, qty: $0.qty, from: config.packedLocation, to: VirtualLocation.customer, lot: $0.lot, serial: $0.serial) }
            guard !lines.isEmpty else {
                return .error(.wrongMoment, "pack posting \(packed.seq) put nothing at \(config.packedLocation): ship it from its own station")
            }
            // Claimed before the session says so, released if the save fails.
            if let other = try floor.claim(carton: sscc, for: PalletClaim(pallet: pallet.sscc, station: name)) {
                return .error(.onOtherPallet, "carton \(sscc) is on pallet \(other.pallet) at \(other.station), not shipped yet: take it off there first")
            }
            var next = s
            next.pallet?.cartons.append(PalletCarton(carton: PackedCarton(seq: packed.seq, order: packed.order, sscc: sscc, lines: lines)))
            next.carton.lines = aggregate(next.pallet?.cartons.flatMap(\.carton.lines) ?? [])
            next.lastActivity = time.value
            let count = next.pallet?.cartons.count ?? 0
            if let notSaved = session.save(next) {
                try? floor.release(cartons: [sscc], pallet: pallet.sscc)
                return notSaved
            }
            return .ok(.accepted, "\(Self.describe(packed)) on pallet \(pallet.sscc) (\(count) carton\(count == 1 ? "" : "s")): scan its carrier label")
        } catch { return unavailable(error) }
    }

    private func attach(_ label: CarrierLabel, to pallet: PalletLoad, in s: State, at time: Microseconds) -> Feedback {
        guard let index = pallet.cartons.indices.last, pallet.cartons[index].label == nil else {
            return .error(.wrongMoment, "scan a carton's SSCC before its label (pallet \(pallet.sscc))")
        }
        let carton = pallet.cartons[index].carton
        if let twin = pallet.cartons.first(where: { $0.label?.carrier == label.carrier && $0.label?.tracking == label.tracking }) {
            return .error(.trackingReused, "\(label.carrier) \(label.tracking) is already on carton \(twin.sscc) of this pallet: print a new label")
        }
        if let carrier = pallet.carrier, !Self.sameCarrier(carrier, label.carrier) {
            return .error(.wrongCarrier, "pallet \(pallet.sscc) goes with \(carrier); \(label.carrier) \(label.tracking) cannot go on it")
        }
        if let refusal = carrierRefusal(label, for: Self.describe(carton)) { return refusal }
        if let refusal = reuse(of: label, by: carton) { return refusal }
        var next = s
        next.pallet?.cartons[index].label = label
        next.lastActivity = time.value
        return session.save(next) ?? .ok(.accepted, "\(label.carrier) \(label.tracking) on carton \(carton.sscc ?? ""): scan the next carton or \(config.commands.confirm)")
    }

    /// Takes back the last label, or else the last carton.
    private func undo(_ pallet: PalletLoad, in s: State, at time: Microseconds) -> Feedback {
        guard let last = pallet.cartons.last else { return .error(.nothingToDo, "pallet \(pallet.sscc) has no cartons: \(config.commands.cancel) closes it") }
        var next = s
        next.lastActivity = time.value
        if let label = last.label {
            next.pallet?.cartons[pallet.cartons.count - 1].label = nil
            return session.save(next) ?? .ok(.undone, "label \(label.tracking) taken back: scan carton \(last.sscc)'s carrier label")
        }
        next.pallet?.cartons.removeLast()
        next.carton.lines = aggregate(next.pallet?.cartons.flatMap(\.carton.lines) ?? [])
        if let notSaved = session.save(next) { return notSaved }
        // A claim left behind is harmless: the ledger store checks the session.
        try? floor.release(cartons: [last.sscc], pallet: pallet.sscc)
        return .ok(.undone, "carton \(last.sscc) taken off pallet \(pallet.sscc)")
    }

    /// Drops the pallet; cartons a cut-short CONFIRM already shipped stay
    /// shipped (the ledger holds them), and the operator is told which.
    private func cancel(_ pallet: PalletLoad) -> Feedback {
        do {
            var out: [String] = []
            for c in pallet.cartons {
                if let done = try shipments.shipment(order: c.carton.order, sscc: c.sscc),
                   try pallets?.pallet(ofShipment: done.seq) == pallet.sscc { out.append(c.sscc) }
            }
            if let f = session.save(nil) { return f }
            try? floor.release(cartons: pallet.cartons.map(\.sscc), pallet: pallet.sscc)
            guard !out.isEmpty else { return .warning(.cancelled, "pallet \(pallet.sscc) cancelled, nothing posted") }
            return .warning(.cancelled, "pallet \(pallet.sscc) cancelled; carton\(out.count == 1 ? "" : "s") \(out.joined(separator: ", ")) already shipped on it and stay\(out.count == 1 ? "s" : "") shipped")
        } catch { return unavailable(error) }
    }

    private func confirm(_ pallet: PalletLoad, in s: State, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        let confirm = config.commands.confirm
        guard !pallet.cartons.isEmpty else { return .error(.incomplete, "pallet \(pallet.sscc) has no cartons: scan them before \(confirm)") }
        if let bare = pallet.cartons.first(where: { $0.label == nil }) {
            return .error(.incomplete, "carton \(bare.sscc) on pallet \(pallet.sscc) has no carrier label: scan it before \(confirm)")
        }
        if let refusal = loadRefusal(at: confirm) { return refusal }
        var waiting: [(PalletCarton, CarrierLabel)] = []
        do {
            for c in pallet.cartons {
                guard let label = c.label else { continue }
                // Out already on this pallet: a CONFIRM cut short before it finished.
                if let done = try shipments.shipment(order: c.carton.order, sscc: c.sscc) {
                    if try pallets?.pallet(ofShipment: done.seq) == pallet.sscc { continue }
                    return .error(.documentDone, "\(Self.describe(c.carton)) was shipped meanwhile (seq \(done.seq)): \(config.commands.undo) it off the pallet")
                }
                // Checked again: another station may have shipped with it since the scan.
                if let refusal = reuse(of: label, by: c.carton) { return refusal }
                waiting.append((c, label))
            }
        } catch { return unavailable(error) }
        guard !waiting.isEmpty else {
            if let notSaved = session.save(nil) { return notSaved }
            try? floor.release(cartons: pallet.cartons.map(\.sscc), pallet: pallet.sscc)
            return .done(.posted, "pallet \(pallet.sscc) had already shipped")
        }
        for (i, (c, label)) in waiting.enumerated() {
            var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "ship", session: s.session, part: c.sscc),
                                         kind: .ship, ref: c.carton.order, station: name, eventTime: .device(time),
                                         sscc: c.sscc, lines: c.carton.lines)
            request.journal = [Self.shippedEntry(label, c.carton, station: name, at: time, pallet: pallet.sscc)]
            let result = i == waiting.count - 1 ? session.postClosing(request, to: deps.ledger) : submit(request, to: deps.ledger)
            switch result {
            case .committed(let seq): posted.append(seq)
            case .refused(let f):
                let out = posted.isEmpty ? "" : " (\(posted.count) carton\(posted.count == 1 ? "" : "s") already out; \(confirm) again finishes the pallet)"
                return .error(f.code, "carton \(c.sscc): \(f.message)\(out)")
            }
        }
        try? floor.release(cartons: pallet.cartons.map(\.sscc), pallet: pallet.sscc)
        let seqs = posted.map { String($0.value) }.joined(separator: ", ")
        let carrier = pallet.carrier ?? ""
        return .done(.posted, "pallet \(pallet.sscc) shipped \(carrier), \(pallet.cartons.count) carton\(pallet.cartons.count == 1 ? "" : "s") (seq \(seqs))")
    }

    /// A carton on a pallet being built (here or at another station) does not
    /// ship loose: it leaves with its pallet.
    func palletRefusal(_ carton: PackedCarton) throws -> Feedback? {
        guard let sscc = carton.sscc, let claim = try floor.pallet(holding: sscc) else { return nil }
        return .error(.onOtherPallet, "carton \(sscc) is on pallet \(claim.pallet) at \(claim.station): it ships with the pallet, or take it off there first")
    }

    /// The view of an open pallet: its cartons' lines, labelled or not.
    func palletView(_ s: State, _ pallet: PalletLoad) -> StationView {
        let lines = s.carton.lines.map { StationViewLine(item: $0.item, expected: Int($0.qty), scanned: Int($0.qty)) }
        let state = pallet.cartons.isEmpty ? "pallet-open" : pallet.cartons.last?.label == nil ? "pallet-awaiting-label" : "pallet-labelled"
        return StationView(station: name, workflow: "ship", state: state, document: pallet.sscc, location: config.packedLocation,
                           lines: lines, lastError: session.lastError)
    }
}
