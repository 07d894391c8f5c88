import ScanModel

// Load verification at a ship station with `doors`: the operator scans the
// dock door (or trailer) being loaded, and a carton whose carrier label is
// another carrier's is refused (`wrong-carrier`) before it can leave on the
// wrong truck. The door stays scanned across cartons until another door is
// scanned, and survives a restart (ShipFloorStore keeps it), because a
// station at a door ships many cartons to it.

/// A dock door or trailer location and the carrier that loads there.
public struct DockDoor: Hashable, Sendable, Codable {
    public var location: LocationCode
    public var carrier: String
    public init(location: LocationCode, carrier: String) { self.location = location; self.carrier = carrier }
}

extension FeedbackCode {
    /// A carton's carrier is not the carrier loading at the scanned door, or
    /// not the carrier of the pallet it is going on.
    public static let wrongCarrier: FeedbackCode = "wrong-carrier"
}

/// The door a ship station is loading at, kept in memory and in the floor store.
final class LoadingDoor {
    private let station: String
    private let store: ShipFloorStore
    private(set) var current: DockDoor?

    init(station: String, store: ShipFloorStore) throws {
        self.station = station
        self.store = store
        current = try store.dockDoor(station: station)
    }

    func set(_ door: DockDoor) throws {
        try store.saveDockDoor(door, station: station)
        current = door
    }
}

extension ShipStation {
    var verifiesLoading: Bool { !config.doors.isEmpty }

    /// A location scanned at shipping is a dock door when the station has doors.
    func scanDoor(_ code: LocationCode, at time: Microseconds) -> Feedback {
        guard verifiesLoading else {
            return .error(.wrongMoment, "location \(code) scanned: shipping takes from \(config.packedLocation)")
        }
        guard let door = config.doors.first(where: { $0.location == code }) else {
            let known = config.doors.map(\.location.code).joined(separator: ", ")
            return .error(.unknownLocation, "location \(code) is not a dock door of \(name) (doors: \(known))")
        }
        // Labels already taken in the open session must suit the new door.
        for label in labelsInSession where !Self.sameCarrier(label.carrier, door.carrier) {
            return .error(.wrongCarrier, "door \(code) loads \(door.carrier), but \(label.carrier) \(label.tracking) is in the open session: cancel it or use a \(label.carrier) door")
        }
        do { try loadingDoor.set(door) } catch { return notSaved(error) }
        return .ok(.accepted, "loading at door \(code) for \(door.carrier)")
    }

    /// Refuses a label whose carrier is not the door's; nil when it may load.
    func carrierRefusal(_ label: CarrierLabel, for what: String) -> Feedback? {
        guard verifiesLoading, let door = loadingDoor.current else { return nil }
        guard !Self.sameCarrier(label.carrier, door.carrier) else { return nil }
        return .error(.wrongCarrier, "\(what) is labelled \(label.carrier) \(label.tracking), but door \(door.location) loads \(door.carrier): take it to a \(label.carrier) door")
    }

    /// CONFIRM at a station with doors needs one scanned, and its carrier on every label.
    func loadRefusal(at confirm: String) -> Feedback? {
        guard verifiesLoading else { return nil }
        guard let door = loadingDoor.current else {
            return .error(.incomplete, "scan the dock door being loaded before \(confirm)")
        }
        for label in labelsInSession where !Self.sameCarrier(label.carrier, door.carrier) {
            return .error(.wrongCarrier, "\(label.carrier) \(label.tracking) cannot load at door \(door.location) (\(door.carrier))")
        }
        return nil
    }

    /// Carrier names as labels and the config spell them ("FedEx", "fedex").
    static func sameCarrier(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
}
