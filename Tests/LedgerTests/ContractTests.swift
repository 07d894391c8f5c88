import Foundation
import Testing
@testable import Ledger
import ScanModel

/// The posting contract as the ledger reads and writes it: nothing is turned
/// into something else on the way.
@Suite struct ContractTests {
    // A value outside the schema's CHECK lists (only possible if a tool wrote
    // with checks off) used to read back as .none / .storage / .move.
    @Test func enumColumnsChangedBehindTheLedgersBackAreErrorsNotDefaults() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 1)
        try t.rawExec("""
            PRAGMA ignore_check_constraints = ON;
            UPDATE items SET tracking = 'bogus' WHERE sku = 'BOLT-M8';
            UPDATE locations SET type = 'hall' WHERE code = 'A-02';
            """)
        #expect { try t.ledger.item("BOLT-M8") } throws: { "\($0)".contains("'bogus', which is not a Tracking") }
        #expect { try t.ledger.location(LocationCode("A-02")) } throws: { "\($0)".contains("'hall', which is not a LocationKind") }
        #expect(try t.ledger.location(LocationCode("A-01"))?.kind == .storage)
    }

    @Test func deviceTimesAreWrittenAsUTCTextClampedToWhatTextCanCarry() throws {
        func text(_ micros: Int64) -> String? {
            PostingRequest(key: "k", kind: .move, eventTime: .device(Microseconds(micros)), entries: []).eventTimeText
        }
        #expect(text(1_779_444_000_250_000) == "2026-05-22T10:00:00.250Z")
        #expect(text(Int64.min) == "1970-01-01T00:00:00.000Z")
        #expect(text(Int64.max) == "9999-12-31T23:59:59.000Z")
        #expect(PostingRequest(key: "k", kind: .move, eventTime: "2024-05-01T10:00:00+02:00", entries: []).eventTimeText == "2024-05-01T10:00:00+02:00")
    }
}
