import ScanModel
import Testing
@testable import Stations

/// A return identified by a serialised unit (or its SGTIN tag) alone: the
/// ledger's pack postings say which order shipped it (ReturnsTests' world:
/// SO-1 shipped serials S1 and S2 of the serialised item, not S3).
extension ReturnsTests {
    @Test func aShippedSerialAloneOpensTheReturnOfItsOrder() throws {
        let s = try station()
        let first = s.feed(item(w.serial, serial: "S2"), now)
        #expect(first.accepted)
        #expect(first.feedback.message.contains("opened by serial S2"))
        #expect(s.view.document == "SO-1" && s.view.state == "waiting-disposition")
        #expect(s.feed(.command("RESTOCK"), now).accepted)
        #expect(s.feed(.command("CLOSE"), now).feedback.code == .posted)
        let p = try #require(w.ledger.postings.last?.request)
        #expect(p.kind == .return && p.ref == "SO-1")
        #expect(p.lines?.map { "\($0.item.code)/\($0.serial ?? "")>\($0.to)" } == ["\(w.serialItem.code)/S2>A-01"])
    }

    @Test func anSGTINTagAloneOpensTheReturnOfItsOrder() throws {
        let s = try station()
        #expect(s.feed(.tag(tag(7, w.serial, serial: "S1")), now).accepted)
        #expect(s.view.document == "SO-1")
    }

    @Test func aSerialNeverShippedOpensNothing() throws {
        let s = try station()
        let e = s.feed(item(w.serial, serial: "S3"), now)
        #expect(e.feedback.code == .notShipped)
        #expect(e.feedback.message.contains("S3"))
        #expect(!s.hasOpenSession)
    }

    @Test func aSerialAlreadyBackOpensNothing() throws {
        let s = try station()
        s.feed(item(w.serial, serial: "S1"), now)
        s.feed(.command("DAMAGED"), now)
        #expect(s.feed(.command("CLOSE"), now).feedback.code == .posted)
        #expect(s.feed(item(w.serial, serial: "S1"), now).feedback.code == .alreadyReturned)
        #expect(!s.hasOpenSession)
        // The other serial of the same order still opens a return.
        #expect(s.feed(item(w.serial, serial: "S2"), now).accepted)
    }

    @Test func anUnserialisedUnitStillNeedsTheRMAOrOrderFirst() throws {
        let s = try station()
        #expect(s.feed(item(w.plain), now).feedback.code == .wrongMoment)
        #expect(s.feed(item(w.lotted, lot: "L1"), now).feedback.code == .wrongMoment)
        #expect(!s.hasOpenSession)
    }
}

/// Return to vendor: a fourth disposition, to its own configured location.
extension ReturnsTests {
    @Test func returnToVendorGoesToTheVendorLocationOnlyWhenOneIsConfigured() throws {
        w.ledger.addLocation("RTV", .storage)
        let without = try station()
        without.feed(.document("SO-1"), now)
        without.feed(item(w.plain), now)
        #expect(without.feed(.command("RETURN-TO-VENDOR"), now).feedback.code == .unknownCommand)
        #expect(without.feed(.command("CANCEL"), now).feedback.code == .cancelled)
        var c = ReturnsConfig(station: "ret-v", restockLocation: "A-01")
        c.vendorLocation = "RTV"
        let s = try ReturnsStation(config: c, dependencies: deps())
        s.feed(.document("SO-1"), now)
        s.feed(item(w.plain), now)
        #expect(s.feed(.command("RETURN-TO-VENDOR"), now).accepted)
        #expect(s.feed(.command("CLOSE"), now).feedback.code == .posted)
        let p = try #require(w.ledger.postings.last?.request)
        #expect(p.lines?.map(\.to) == ["RTV"])
        #expect(p.journal.first?.detail.contains(#""disposition":"return-to-vendor""#) == true)
    }
}
