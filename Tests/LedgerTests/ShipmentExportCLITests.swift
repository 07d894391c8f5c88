import Foundation
import Testing
@testable import Ledger
import ScanModel

/// `scanledger export shipments`, run as a user would on a ledger file.
@Suite struct ShipmentExportCLITests {
    @Test func exportsShipmentsAsJSONAndCSV() throws {
        let t = try TestLedger()
        _ = try t.packSO1()
        let carton = try #require(try t.ledger.packedCarton(sscc: TestLedger.carton))
        let seq = try t.ship(carton)
        t.ledger.close()
        let binary = try ProcessSupport.scanledger()
        func run(_ args: [String]) throws -> ProcessSupport.Output { try ProcessSupport.run(binary, args + ["--db", t.path], stdin: "") }

        let json = try run(["export", "shipments", "--format", "json", "--since", "2023-01-01"])
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["seq"] as? Int == Int(seq.value))
        #expect(rows.first?["tracking"] as? String == TestLedger.tracking && rows.first?["carrier"] as? String == "UPS")
        #expect(rows.first?["order"] as? String == "SO-1" && rows.first?["sscc"] as? String == TestLedger.carton)
        #expect((rows.first?["lines"] as? [[String: Any]])?.map { $0["qty"] as? Int } == [3, 1])

        let csv = try run(["export", "shipments", "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.first == "seq,time,station,order,sscc,pallet,carrier,service,tracking,item,lot,serial,qty")
        #expect(lines.last?.hasSuffix(",UPS,03,\(TestLedger.tracking),\(TestLedger.drill.code),,S1,1") == true)

        #expect(rows.first?.keys.contains("pallet") == true && rows.first?["pallet"] is NSNull)

        // The ship notice: an EPCIS document that validates.
        let notice = try run(["export", "shipments", "--format", "epcis", "--since", "2023-01-01"])
        #expect(notice.status == 0, "\(notice.stderr)")
        #expect(notice.stdout.contains(#""scanledger:trackingNumber" : "\#(TestLedger.tracking)""#))
        #expect(try EPCISExportTests.validate(notice.stdout, in: t.directory) == [])

        // Later than the shipment: nothing; the wrong format for the subject: a usage error.
        #expect(try run(["export", "shipments", "--format", "json", "--since", "2099-01-01"]).stdout == "[]\n")
        #expect(try run(["export", "--format", "json"]).status == 2)
        #expect(try run(["export", "--format", "csv"]).status == 0)  // entries, as before
    }
}
