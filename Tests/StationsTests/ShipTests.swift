import Foundation
import ScanModel
import Testing
@testable import Stations

/// The ship station over the fake ledger. Labels are fed as the scan
/// translator delivers them (ServiceTests' ScanTranslationTests check that
/// the real scans of these labels become exactly these inputs).
@Suite struct ShipTests {
    let w = World()
    let now = at(2026, 11, 23)
    let c1 = sscc("03761234500000009")
    let c2 = sscc("03761234500000016")

    /// UPS 1Z, service 03 (docs/decoding.md's example).
    static let ups = StationInput.carrierLabel(.valid(CarrierLabel(carrier: "UPS", service: "03", tracking: "1Z5R89390357567127", rule: "ups-1z")))
    /// USPS IMpb `]C142078745<GS>9400111206206406260787`.
    static let usps = StationInput.carrierLabel(.valid(CarrierLabel(carrier: "USPS", service: "001", tracking: "9400111206206406260787", rule: "usps-impb")))
    static let badCheck = StationInput.carrierLabel(.invalid(text: "1Z1111111111111111", reason: "UPS check digit is 1, expected 8 (at byte 17)"))

    init() {
        w.ledger.seed(w.plainItem, 10, at: "PACK-1")
        w.ledger.seed(w.lottedItem, 5, at: "PACK-1", lot: "L1")
        w.ledger.seed(w.serialItem, 1, at: "PACK-1", serial: "S1")
        pack("SO-1", carton: c1.digits, [PostingLine(item: w.plainItem, qty: 3, from: "PACK-1", to: "SHIP")])
        pack("SO-2", carton: nil, [PostingLine(item: w.serialItem, qty: 1, from: "PACK-1", to: "SHIP", serial: "S1"),
                                   PostingLine(item: w.lottedItem, qty: 2, from: "PACK-1", to: "SHIP", lot: "L1")])
        pack("SO-3", carton: c2.digits, [PostingLine(item: w.plainItem, qty: 1, from: "PACK-1", to: "SHIP")])
    }

    /// A pack posting as the pack station makes it (ref = order, sscc = carton).
    func pack(_ order: String, carton: String?, _ lines: [PostingLine]) {
        let r = PostingRequest(key: "pack-1/pack/\(order)", kind: .pack, ref: order, station: "pack-1", sscc: carton, lines: lines)
        if case .rejected(let why) = try! w.ledger.post(r) { fatalError("pack refused: \(why)") }
    }

    func station(_ name: String = "ship-1", sessions: SessionStore? = nil) throws -> ShipStation {
        try ShipStation(config: ShipConfig(station: name, packedLocation: "SHIP"), dependencies: w.deps(sessions: sessions))
    }

    var ships: [(request: PostingRequest, seq: LedgerSequence)] { w.ledger.postings.filter { $0.request.kind == .ship } }

    @Test func shipsACartonBySSCCWithAUPSLabel() throws {
        let s = try station()
        #expect(s.feed(.logisticUnit(c1), now).feedback.code == .opened)
        #expect(s.view.state == "awaiting-label" && s.view.document == "SO-1")
        let labelled = s.feed(Self.ups, now)
        #expect(labelled.accepted && labelled.feedback.message.hasPrefix("UPS 1Z5R89390357567127 service 03"))
        #expect(s.view.state == "labelled")
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .posted && e.feedback.outcome == .done)
        #expect(e.postedSequences.count == 1 && !s.hasOpenSession)
        let p = try #require(ships.last?.request)
        #expect(p.key == "ship-1/ship/1" && p.ref == "SO-1" && p.sscc == c1.digits && p.closesSession == "ship-1")
        #expect(p.lines == [PostingLine(item: w.plainItem, qty: 3, from: "SHIP", to: VirtualLocation.customer)])
        #expect(w.ledger.qty(w.plainItem, at: "SHIP") == 1)  // SO-3's carton stays
        // The journal entry that stores the shipment commits with the posting.
        let j = try #require(p.journal.first)
        #expect(p.journal.count == 1 && j.code == "shipped" && j.document == "SO-1" && j.severity == .done)
        #expect(j.detail == #"{"carrier":"UPS","order":"SO-1","pack_seq":4,"rule":"ups-1z","service":"03","sscc":"\#(c1.digits)","tracking":"1Z5R89390357567127"}"#)
    }

    @Test func shipsByOrderWithAUSPSIMpbLabel() throws {
        let s = try station()
        #expect(s.feed(.document("SO-2"), now).feedback.code == .opened)
        #expect(s.feed(Self.usps, now).feedback.message.contains("USPS 9400111206206406260787 service 001"))
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted)
        let p = try #require(ships.last?.request)
        #expect(p.ref == "SO-2" && p.sscc == nil)
        #expect(Set(p.lines ?? []) == [PostingLine(item: w.serialItem, qty: 1, from: "SHIP", to: VirtualLocation.customer, serial: "S1"),
                                        PostingLine(item: w.lottedItem, qty: 2, from: "SHIP", to: VirtualLocation.customer, lot: "L1")])
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S1") == nil)  // gone to the customer
        #expect(p.journal.first?.detail.contains(#""carrier":"USPS""#) == true)
        #expect(p.journal.first?.detail.contains(#""sscc":null"#) == true)
    }

    @Test func labelWithABadCheckDigitIsRefusedWithItsReason() throws {
        let s = try station()
        s.feed(.logisticUnit(c1), now)
        let e = s.feed(Self.badCheck, now)
        #expect(e.feedback.code == .badTrackingNumber && e.feedback.isError)
        #expect(e.feedback.message.contains("UPS check digit is 1, expected 8 (at byte 17)"))
        #expect(s.view.state == "awaiting-label")
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .incomplete)
        #expect(ships.isEmpty)
    }

    @Test func trackingNumberOfAnotherCartonIsRefused() throws {
        let s = try station()
        s.feed(.logisticUnit(c1), now); s.feed(Self.ups, now); s.feed(.command("CONFIRM"), now)
        s.feed(.document("SO-2"), now)
        let e = s.feed(Self.ups, now)
        #expect(e.feedback.code == .trackingReused && e.feedback.message.contains("carton \(c1.digits)"))
        #expect(s.view.state == "awaiting-label")
        #expect(ships.count == 1)
    }

    /// Two stations take the same label before either confirms: the second
    /// CONFIRM checks again and posts nothing.
    @Test func reuseIsCheckedAgainAtConfirm() throws {
        let a = try station("ship-1"), b = try station("ship-2")
        a.feed(.logisticUnit(c1), now); b.feed(.logisticUnit(c2), now)
        #expect(a.feed(Self.ups, now).accepted && b.feed(Self.ups, now).accepted)
        #expect(a.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(b.feed(.command("CONFIRM"), now).feedback.code == .trackingReused)
        #expect(ships.count == 1 && b.hasOpenSession)
    }

    @Test func confirmWithoutALabelIsRefused() throws {
        let s = try station()
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .nothingToDo)
        s.feed(.document("SO-1"), now)
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .incomplete && e.feedback.message.contains("no carrier label"))
        #expect(ships.isEmpty && s.hasOpenSession)
        #expect(s.feed(Self.ups, now).accepted)  // the session is still there to label
        #expect(s.feed(.command("UNDO"), now).feedback.code == .undone && s.view.state == "awaiting-label")
    }

    @Test func unknownAndAlreadyShippedCartonsAreRefused() throws {
        let s = try station()
        #expect(s.feed(.logisticUnit(sscc("03761234500000993")), now).feedback.code == .unknownDocument)
        #expect(s.feed(Self.ups, now).feedback.code == .wrongMoment)  // no carton open
        s.feed(.logisticUnit(c1), now); s.feed(Self.ups, now); s.feed(.command("CONFIRM"), now)
        #expect(s.feed(.logisticUnit(c1), now).feedback.code == .documentDone)
        #expect(s.feed(.document("SO-1"), now).feedback.code == .documentDone)
    }

    @Test func restartMidShipResumesWithItsLabel() throws {
        let store = InMemorySessionStore()
        let before = try station(sessions: store)
        before.feed(.logisticUnit(c1), now); before.feed(Self.ups, now)
        let after = try station(sessions: store)
        #expect(after.hasOpenSession && after.view.state == "labelled" && after.view.document == "SO-1")
        #expect(after.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(ships.first?.request.key == "ship-1/ship/1" && ships.first?.request.sscc == c1.digits)
    }

    /// The posting committed but its answer was lost: the retry finds the
    /// tracking number on its own carton's posting, which is no reuse, and
    /// the ledger answers "duplicate".
    @Test func confirmRetriedAfterALostAnswerIsNoReuse() throws {
        let s = try station()
        s.feed(.logisticUnit(c1), now); s.feed(Self.ups, now)
        w.ledger.loseNextAcknowledgement = true
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .ledgerUnavailable)
        #expect(s.hasOpenSession)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(ships.count == 1 && !s.hasOpenSession)
    }
}
