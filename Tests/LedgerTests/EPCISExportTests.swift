import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Exports are validated against the official EPCIS 2.0 JSON schema (copied
/// into Tests/LedgerTests/EPCIS with its licence) using python3-jsonschema.
@Suite struct EPCISExportTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("EPCIS/EPCIS-JSON-Schema.json")

    static let validator = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            print("python3-jsonschema is not installed: apt-get install python3-jsonschema (see Makefile DEB_PACKAGES)")
            sys.exit(3)
        schema = json.load(open(sys.argv[1]))
        document = json.load(open(sys.argv[2]))
        cls = jsonschema.validators.validator_for(schema)
        errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(document), key=str)
        for e in errors:
            print("/".join(str(p) for p in e.absolute_path), e.message)
        sys.exit(1 if errors else 0)
        """

    /// Validates `document`; returns the validator's complaints (empty when valid).
    static func validate(_ document: String, in directory: URL) throws -> [String] {
        let file = directory.appendingPathComponent("export-\(UUID().uuidString).jsonld")
        try document.write(to: file, atomically: true, encoding: .utf8)
        let out = try ProcessSupport.python(validator, [schema.path, file.path])
        if out.status == 3 || out.status > 1 { throw TestFailure("schema validation could not run: \(out.stdout)\(out.stderr)") }
        return out.status == 0 ? [] : out.stdout.split(separator: "\n").map(String.init)
    }

    static func sampleLedger() throws -> TestLedger {
        let t = try TestLedger()
        try t.ledger.importLocations([
            Location(code: "DOCK1", gln: GLN("0614141000012"), gcpLength: 7, type: .dock),
            Location(code: "PACK1", gln: GLN("0614141000029"), type: .pack),
        ])
        let results = try t.ledger.postAndWait([
            PostingRequest(key: "r1", kind: .receipt, ref: "PO 4711", eventTime: "2024-05-01T10:00:00+02:00", lines: [
                PostingLine(item: TestLedger.milk, qty: 12, from: VirtualLocation.supplier, to: "DOCK1", lot: "L1", expiry: CivilDate(iso: "2024-06-01")),
                PostingLine(item: TestLedger.drill, qty: 1, from: VirtualLocation.supplier, to: "DOCK1", serial: "S1", epc: "3074257BF7194E4000001A85"),
                PostingLine(item: TestLedger.drill, qty: 1, from: VirtualLocation.supplier, to: "DOCK1", serial: "S2"),
                PostingLine(item: "BOLT-M8", qty: 100, from: VirtualLocation.supplier, to: "DOCK1"),
            ]),
            PostingRequest(key: "m1", kind: .move, eventTime: "2024-05-01T11:00:00Z", lines: [
                PostingLine(item: TestLedger.milk, qty: 10, from: "DOCK1", to: "A-01", lot: "L1"),
            ]),
            PostingRequest(key: "c1", kind: .adjustment, eventTime: "2024-05-01T12:00:00-05:00", lines: [
                PostingLine(item: TestLedger.milk, qty: 1, from: "A-01", to: VirtualLocation.adjustment, lot: "L1"),
                PostingLine(item: "BOLT-M8", qty: 3, from: VirtualLocation.adjustment, to: "DOCK1"),
            ]),
            PostingRequest(key: "p1", kind: .pack, eventTime: "2024-05-01T13:00:00Z", sscc: "106141412345678908", lines: [
                PostingLine(item: TestLedger.drill, qty: 1, from: "DOCK1", to: "PACK1", serial: "S1"),
                PostingLine(item: TestLedger.milk, qty: 2, from: "DOCK1", to: "PACK1", lot: "L1"),
            ]),
            PostingRequest(key: "s1", kind: .ship, ref: "ORDER-9", eventTime: "2024-05-01T14:00:00Z", lines: [
                PostingLine(item: TestLedger.drill, qty: 1, from: "PACK1", to: VirtualLocation.customer, serial: "S1"),
            ]),
        ])
        #expect(results.allSatisfy { $0.status == .posted }, "\(results)")
        #expect(try t.ledger.reverse(LedgerSequence(5), key: "undo-s1").status == .posted)
        return t
    }

    @Test func exportValidatesAgainstTheEPCIS2Schema() throws {
        let t = try Self.sampleLedger()
        let document = try t.ledger.read { try $0.exportEPCIS() }
        #expect(try Self.validate(document, in: t.directory) == [])

        let root = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let body = try #require(root["epcisBody"] as? [String: Any])
        let events = try #require(body["eventList"] as? [[String: Any]])
        #expect(events.compactMap { $0["bizStep"] as? String } ==
                ["receiving", "storing", "cycle_counting", "cycle_counting", "packing", "shipping", "shipping"])
        let receipt = events[0]
        #expect((receipt["bizLocation"] as? [String: String])?["id"] == "urn:epc:id:sgln:0614141.00001.0")
        #expect(receipt["eventTimeZoneOffset"] as? String == "+02:00")
        #expect(receipt["eventTime"] as? String == "2024-05-01T08:00:00.000Z")
        #expect(receipt["epcList"] as? [String] == ["https://id.gs1.org/01/00614141123452/21/S1", "https://id.gs1.org/01/00614141123452/21/S2"])
        let quantities = try #require(receipt["quantityList"] as? [[String: Any]])
        #expect(quantities.map { $0["epcClass"] as? String } == ["https://id.gs1.org/01/09506000134352/10/L1", "urn:scanledger:item:BOLT-M8"])
        #expect((receipt["bizTransactionList"] as? [[String: String]])?.first?["bizTransaction"] == "urn:scanledger:ref:PO%204711")
        #expect((events[1]["readPoint"] as? [String: String])?["id"] == "urn:scanledger:loc:A-01")
        let pack = events[4]
        #expect(pack["type"] as? String == "AggregationEvent")
        #expect(pack["parentID"] as? String == "https://id.gs1.org/00/106141412345678908")
        #expect(pack["childEPCs"] as? [String] == ["https://id.gs1.org/01/00614141123452/21/S1"])
        #expect((pack["readPoint"] as? [String: String])?["id"] == "https://id.gs1.org/414/0614141000029")
        #expect(events[5]["disposition"] as? String == "in_transit")
        #expect(events[5]["bizLocation"] == nil)
        // The reversal re-states the shipment with an error declaration and the same event ID.
        #expect(events[6]["eventID"] as? String == events[5]["eventID"] as? String)
        #expect((events[6]["errorDeclaration"] as? [String: Any])?["reason"] as? String == "incorrect_data")
        // Stable IDs: exporting again gives the same events.
        #expect(try t.ledger.read { try $0.exportEPCIS(since: LedgerSequence(5)) }.contains(events[6]["eventID"] as? String ?? "?"))
    }

    @Test func validatorRejectsABrokenDocument() throws {
        let t = try Self.sampleLedger()
        let document = try t.ledger.read { try $0.exportEPCIS() }
        let broken = document.replacingOccurrences(of: "\"eventTimeZoneOffset\"", with: "\"eventTimeZoneOffsetX\"")
        #expect(try Self.validate(broken, in: t.directory).contains { $0.contains("eventTimeZoneOffset") })
        let badStep = document.replacingOccurrences(of: "\"receiving\"", with: "\"urn:epcglobal:cbv:bizstep:receiving\"")
        #expect(try !Self.validate(badStep, in: t.directory).isEmpty)
    }

    @Test func csvExportListsEntriesSince() throws {
        let t = try Self.sampleLedger()
        let csv = try t.ledger.read { try $0.exportCSV(since: LedgerSequence(4)) }
        let lines = csv.split(separator: "\n")
        #expect(lines.first?.hasPrefix("seq,key,kind,ref,") == true)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("5,") || $0.hasPrefix("6,") })
        #expect(lines.count == 1 + 2 + 2)
    }

    @Test func identifiersForKeysWithoutGS1Numbers() {
        #expect(EPCISIdentifiers.location(code: "Bay 7/A", gln: nil, gcpLength: nil) == "urn:scanledger:loc:Bay%207%2FA")
        #expect(EPCISIdentifiers.location(code: "X", gln: GLN("0614141000012"), gcpLength: 12) == "urn:epc:id:sgln:061414100001..0")
        #expect(EPCISIdentifiers.instance(item: "SKU1", serial: "9", epc: "3074257BF7194E4000001A85") == "urn:epc:raw:96.x3074257BF7194E4000001A85")
        #expect(EPCISIdentifiers.instance(item: "SKU1", serial: "9", epc: nil) == "urn:scanledger:item:SKU1:serial:9")
        #expect(EPCISIdentifiers.itemClass(item: "4006381333931", lot: "A/1") == "https://id.gs1.org/01/04006381333931/10/A%2F1")
    }
}
