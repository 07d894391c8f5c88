import Foundation
import ScanModel
import Testing
@testable import Stations

/// Pallet aggregation and load verification at the ship station over the
/// fake ledger (the same packed cartons as ShipTests).
@Suite struct ShipPalletTests {
    let w = World()
    let now = at(2026, 11, 23)
    let c1 = sscc("03761234500000009")
    let c2 = sscc("03761234500000016")
    let c3 = sscc("03761234500000023")
    let pallet = sscc("03761234590000001")
    static let ups1 = label("UPS", "1Z5R89390357567127")
    static let ups2 = label("UPS", "1Z5R89390357567130")
    static let fedex = label("FedEx", "123456789012")

    static func label(_ carrier: String, _ tracking: String) -> StationInput {
        .carrierLabel(.valid(CarrierLabel(carrier: carrier, tracking: tracking, rule: carrier.lowercased())))
    }

    init() {
        w.ledger.seed(w.plainItem, 10, at: "PACK-1")
        w.ledger.seed(w.serialItem, 1, at: "PACK-1", serial: "S1")
        pack("SO-1", carton: c1.digits, [PostingLine(item: w.plainItem, qty: 3, from: "PACK-1", to: "SHIP")])
        pack("SO-2", carton: c2.digits, [PostingLine(item: w.serialItem, qty: 1, from: "PACK-1", to: "SHIP", serial: "S1")])
        pack("SO-3", carton: c3.digits, [PostingLine(item: w.plainItem, qty: 2, from: "PACK-1", to: "SHIP")])
    }

    func pack(_ order: String, carton: String?, _ lines: [PostingLine]) {
        let r = PostingRequest(key: "pack-1/pack/\(order)", kind: .pack, ref: order, station: "pack-1", sscc: carton, lines: lines)
        if case .rejected(let why) = try! w.ledger.post(r) { fatalError("pack refused: \(why)") }
    }

    func station(_ name: String = "ship-1", pallets: Bool = true, doors: [DockDoor] = [], sessions: SessionStore? = nil) throws -> ShipStation {
        var c = ShipConfig(station: name, packedLocation: "SHIP")
        c.pallets = pallets
        c.doors = doors
        return try ShipStation(config: c, dependencies: w.deps(sessions: sessions))
    }

    var ships: [PostingRequest] { w.ledger.postings.filter { $0.request.kind == .ship }.map(\.request) }

    @Test func aPalletShipsAsOnePostingPerCartonNamingThePallet() throws {
        let s = try station()
        #expect(s.feed(.logisticUnit(pallet), now).feedback.code == .opened)
        #expect(s.view.state == "pallet-open" && s.view.document == pallet.digits)
        #expect(s.feed(.logisticUnit(c1), now).accepted)
        #expect(s.view.state == "pallet-awaiting-label")
        #expect(s.feed(Self.ups1, now).accepted)
        #expect(s.feed(.logisticUnit(c2), now).accepted && s.feed(Self.ups2, now).accepted)
        #expect(s.view.state == "pallet-labelled" && s.view.lines.count == 2)
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .posted && e.feedback.outcome == .done)
        #expect(e.feedback.message.contains("pallet \(pallet.digits) shipped UPS, 2 cartons"))
        #expect(e.postedSequences.count == 2 && !s.hasOpenSession)
        #expect(ships.map(\.key) == ["ship-1/ship/1/\(c1.digits)", "ship-1/ship/1/\(c2.digits)"])
        #expect(ships.map(\.ref) == ["SO-1", "SO-2"] && ships.map(\.sscc) == [c1.digits, c2.digits])
        // Only the last posting closes the session: a crash before it leaves the pallet open.
        #expect(ships.map(\.closesSession) == [nil, "ship-1"])
        #expect(ships[0].lines == [PostingLine(item: w.plainItem, qty: 3, from: "SHIP", to: VirtualLocation.customer)])
        let detail = try #require(ships[1].journal.first?.detail)
        #expect(detail.contains(#""pallet":"\#(pallet.digits)""#) && detail.contains(#""tracking":"1Z5R89390357567130""#))
        #expect(w.ledger.qty(w.plainItem, at: "SHIP") == 2)  // SO-3's carton stays
    }

    @Test func cartonsThatCannotGoOnThePalletAreRefusedWithTheirCodes() throws {
        let s = try station()
        // c3 leaves loose first, c2 on another pallet.
        s.feed(.logisticUnit(c3), now); s.feed(Self.label("UPS", "1Z5R89390357567141"), now); s.feed(.command("CONFIRM"), now)
        let other = sscc("03761234590000018")
        s.feed(.logisticUnit(other), now); s.feed(.logisticUnit(c2), now); s.feed(Self.ups2, now)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted)
        // A pallet SSCC used before cannot open again.
        #expect(s.feed(.logisticUnit(other), now).feedback.code == .documentDone)

        #expect(s.feed(.logisticUnit(pallet), now).feedback.code == .opened)
        #expect(s.feed(Self.ups1, now).feedback.code == .wrongMoment)  // no carton yet
        #expect(s.feed(.logisticUnit(sscc("03761234500000993")), now).feedback.code == .notPacked)
        #expect(s.feed(.logisticUnit(c3), now).feedback.code == .documentDone)
        let moved = s.feed(.logisticUnit(c2), now)
        #expect(moved.feedback.code == .onOtherPallet && moved.feedback.message.contains(other.digits))
        #expect(s.feed(.document("SO-1"), now).feedback.code == .wrongMoment)
        #expect(s.feed(.logisticUnit(c1), now).accepted)
        #expect(s.feed(.logisticUnit(c1), now).feedback.code == .accepted)  // already on it: a warning, no change
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .incomplete)  // c1 has no label
        #expect(s.feed(Self.ups2, now).feedback.code == .trackingReused)  // c2 left with it
        #expect(s.feed(Self.fedex, now).accepted)
        #expect(ships.count == 2)
    }

    @Test func everyLabelOnAPalletIsTheSameCarrierAndItsOwnNumber() throws {
        let s = try station()
        s.feed(.logisticUnit(pallet), now); s.feed(.logisticUnit(c1), now); s.feed(Self.ups1, now)
        #expect(s.feed(.logisticUnit(c2), now).accepted)
        #expect(s.feed(Self.ups1, now).feedback.code == .trackingReused)
        #expect(s.feed(Self.fedex, now).feedback.code == .wrongCarrier)
        #expect(s.feed(.logisticUnit(c3), now).feedback.code == .incomplete)  // c2 still waits for its label
        // UNDO takes back the last label, then the last carton.
        #expect(s.feed(.command("UNDO"), now).feedback.code == .undone && s.view.lines.count == 1)
        #expect(s.feed(.command("UNDO"), now).feedback.message.contains("label 1Z5R89390357567127 taken back"))
        #expect(s.feed(.command("CANCEL"), now).feedback.code == .cancelled && ships.isEmpty)
    }

    /// CONFIRM posts the first carton, then the ledger's answer is lost: the
    /// next CONFIRM does not post it again and finishes the pallet.
    @Test func aConfirmCutShortIsFinishedByTheNextWithoutRepeats() throws {
        let s = try station()
        s.feed(.logisticUnit(pallet), now); s.feed(.logisticUnit(c1), now); s.feed(Self.ups1, now)
        s.feed(.logisticUnit(c2), now); s.feed(Self.ups2, now)
        w.ledger.loseNextAcknowledgement = true
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .ledgerUnavailable)
        #expect(s.hasOpenSession && ships.count == 1)
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .posted && e.postedSequences.count == 1)
        #expect(ships.map(\.sscc) == [c1.digits, c2.digits] && !s.hasOpenSession)
    }

    /// Cancelling a pallet whose CONFIRM was cut short says which cartons left.
    @Test func cancellingAPartlyShippedPalletSaysWhatLeft() throws {
        let s = try station()
        s.feed(.logisticUnit(pallet), now); s.feed(.logisticUnit(c1), now); s.feed(Self.ups1, now)
        s.feed(.logisticUnit(c2), now); s.feed(Self.ups2, now)
        w.ledger.loseNextAcknowledgement = true
        s.feed(.command("CONFIRM"), now)
        let e = s.feed(.command("CANCEL"), now)
        #expect(e.feedback.code == .cancelled && e.feedback.message.contains("carton \(c1.digits) already shipped on it"))
        #expect(!s.hasOpenSession && ships.count == 1)
    }

    @Test func aRestartMidPalletResumesItsCartonsAndLabels() throws {
        let store = InMemorySessionStore()
        let before = try station(sessions: store)
        before.feed(.logisticUnit(pallet), now); before.feed(.logisticUnit(c1), now); before.feed(Self.ups1, now)
        before.feed(.logisticUnit(c2), now)
        let after = try station(sessions: store)
        #expect(after.view.state == "pallet-awaiting-label" && after.view.document == pallet.digits)
        #expect(after.feed(Self.ups2, now).accepted)
        #expect(after.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(ships.count == 2)
    }

    /// Two stations build pallets at once: a carton on one cannot go on the
    /// other until it is taken off (or its pallet ships).
    @Test func aCartonOnAPalletAtAnotherStationIsRefused() throws {
        let shared = FloorSessionStore()
        let a = try station("ship-1", sessions: shared), b = try station("ship-2", sessions: shared)
        let other = sscc("03761234590000018")
        a.feed(.logisticUnit(pallet), now); b.feed(.logisticUnit(other), now)
        #expect(a.feed(.logisticUnit(c1), now).accepted)
        let refused = b.feed(.logisticUnit(c1), now)
        #expect(refused.feedback.code == .onOtherPallet && refused.feedback.message.contains("pallet \(pallet.digits) at ship-1"))
        #expect(a.feed(.command("UNDO"), now).feedback.code == .undone)
        #expect(b.feed(.logisticUnit(c1), now).accepted)
        #expect(a.feed(.logisticUnit(c1), now).feedback.code == .onOtherPallet)
        // Nor does it ship loose from a station without pallets.
        let loose = try ShipStation(config: ShipConfig(station: "ship-3", packedLocation: "SHIP"), dependencies: w.deps(sessions: shared))
        #expect(loose.feed(.document("SO-1"), now).feedback.code == .onOtherPallet && !loose.hasOpenSession)
        b.feed(Self.ups1, now)
        #expect(b.feed(.command("CONFIRM"), now).feedback.code == .posted)
        // Shipped: now it is refused as gone on ship-2's pallet, not as claimed.
        let gone = a.feed(.logisticUnit(c1), now)
        #expect(gone.feedback.code == .onOtherPallet && gone.feedback.message.contains("already left on pallet \(other.digits)"))
    }

    @Test func withoutPalletsAnUnpackedSSCCOpensNothing() throws {
        let s = try station(pallets: false)
        #expect(s.feed(.logisticUnit(pallet), now).feedback.code == .unknownDocument && !s.hasOpenSession)
    }
}

@Suite struct ShipLoadCheckTests {
    let w = World()
    let now = at(2026, 11, 23)
    let c1 = sscc("03761234500000009")
    let doors = [DockDoor(location: "DOOR-1", carrier: "UPS"), DockDoor(location: "DOOR-2", carrier: "FedEx")]

    init() {
        w.ledger.seed(w.plainItem, 10, at: "PACK-1")
        let r = PostingRequest(key: "pack-1/pack/SO-1", kind: .pack, ref: "SO-1", station: "pack-1", sscc: c1.digits,
                               lines: [PostingLine(item: w.plainItem, qty: 3, from: "PACK-1", to: "SHIP")])
        _ = try! w.ledger.post(r)
    }

    func station(sessions: SessionStore? = nil, pallets: Bool = false) throws -> ShipStation {
        var c = ShipConfig(station: "ship-1", packedLocation: "SHIP")
        c.doors = doors
        c.pallets = pallets
        return try ShipStation(config: c, dependencies: w.deps(sessions: sessions))
    }

    var ships: Int { w.ledger.postings.filter { $0.request.kind == .ship }.count }

    @Test func aCartonForAnotherCarrierIsRefusedAtTheDoor() throws {
        let s = try station()
        #expect(s.feed(.location("DOOR-1"), now).feedback.message == "loading at door DOOR-1 for UPS")
        s.feed(.logisticUnit(c1), now)
        let wrong = s.feed(ShipPalletTests.fedex, now)
        #expect(wrong.feedback.code == .wrongCarrier && wrong.feedback.message.contains("door DOOR-1 loads UPS"))
        #expect(s.view.state == "awaiting-label")
        #expect(s.feed(ShipPalletTests.ups1, now).accepted)
        // The label's carrier decides the door: FedEx's door is refused now.
        #expect(s.feed(.location("DOOR-2"), now).feedback.code == .wrongCarrier)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted && ships == 1)
    }

    @Test func confirmNeedsADoorAndUnknownDoorsAreRefused() throws {
        let s = try station()
        #expect(s.feed(.location("A-01"), now).feedback.code == .unknownLocation)
        s.feed(.logisticUnit(c1), now); s.feed(ShipPalletTests.fedex, now)
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .incomplete && e.feedback.message.contains("dock door"))
        #expect(s.feed(.location("DOOR-2"), now).accepted)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted && ships == 1)
    }

    @Test func theDoorStaysScannedAcrossARestart() throws {
        let store = FloorSessionStore()
        try station(sessions: store).feed(.location("DOOR-2"), now)
        let after = try station(sessions: store)
        #expect(!after.hasOpenSession)  // the door is not a session
        after.feed(.logisticUnit(c1), now)
        #expect(after.feed(ShipPalletTests.ups1, now).feedback.code == .wrongCarrier)
    }

    @Test func aPalletAtADoorTakesOnlyItsCarrier() throws {
        let s = try station(pallets: true)
        s.feed(.location("DOOR-2"), now)
        s.feed(.logisticUnit(sscc("03761234590000001")), now); s.feed(.logisticUnit(c1), now)
        #expect(s.feed(ShipPalletTests.ups1, now).feedback.code == .wrongCarrier)
        #expect(s.feed(ShipPalletTests.fedex, now).accepted)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted && ships == 1)
    }
}
