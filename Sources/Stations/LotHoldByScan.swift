import ScanModel

/// A recall at the shelf: a signed-in operator scans a reason code, then
/// `HOLD-LOT`, then any unit of the lot (a barcode carrying its lot); every
/// unit of that lot, wherever it is, is refused by moves, picks and packs
/// until `scanledger release lot`. Only stations with `lot_hold_by_scan` take
/// it, since a hold stops picking across the whole site.
extension AttendedStation {
    func armLotHold() -> Feedback {
        guard config.lotHoldByScan, lotHolds != nil else {
            return .error(.unknownCommand, "\(commands.holdLot) is not enabled at \(name) (station key lot_hold_by_scan)")
        }
        guard operatorID != nil else { return .error(.operatorRequired, "a lot hold needs a signed-in operator: scan your badge first") }
        guard let reason = takePendingReason() else {
            return .error(.reasonRequired, "a lot hold needs a reason: scan a reason code (RSN:…), then \(commands.holdLot)")
        }
        armedLotHold = reason
        return .ok(.accepted, "scan a unit of the lot to hold (a barcode with its lot), or \(commands.cancel)")
    }

    /// The input after `HOLD-LOT`: the lot to hold, or `CANCEL`.
    func holdLot(_ input: StationInput) -> Feedback {
        guard let reason = armedLotHold, let lotHolds else { return .error(.nothingToDo, "no lot hold waits") }
        switch input {
        case .command(let c) where c == commands.cancel:
            armedLotHold = nil
            return .ok(.cancelled, "lot hold cancelled, nothing held")
        case .tradeItem(let scan):
            guard let lot = scan.lot else {
                return .error(.missingLot, "\(scan.gtin.digits) carries no lot (10): scan a barcode with the lot to hold, or \(commands.cancel)")
            }
            armedLotHold = nil
            let item = ItemCode(gtin: scan.gtin)
            do {
                guard try lotHolds.holdLot(item: item, lot: lot, reason: reason, operatorID: operatorID, station: name) else {
                    return .warning(.lotHeld, "lot \(lot) of \(item) was already on hold: its first hold stands")
                }
                return .done(.lotHeld, "lot \(lot) of \(item) is on hold (\(reason)): every unit is refused until it is released")
            } catch {
                return storageFullRefusal(error, "lot \(lot) of \(item) not held")
                    ?? .error(.postingRejected, "lot \(lot) of \(item) not held: \(error)")
            }
        default:
            return .error(.wrongMoment, "\(commands.holdLot) waits for the lot: scan a unit with its lot (10), or \(commands.cancel)")
        }
    }
}
