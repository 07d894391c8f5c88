import Foundation
import Testing
@testable import Service

/// `commands` in the config: the command barcodes' values are the site's own.
@Suite(.serialized) struct CommandNamesConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }
    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch { return "\(error)" }
    }

    @Test func namedCommandsReplaceTheDefaultsAndTheRestStay() throws {
        let c = try parse("{\(base), \"commands\": {\"close\": \"FERTIG\", \"count_stop\": \"ZAEHLEN-ENDE\"}}")
        #expect(c.commands.close == "FERTIG" && c.commands.countStop == "ZAEHLEN-ENDE")
        #expect(c.commands.confirm == "CONFIRM")
    }

    @Test func unknownEmptyAndSharedValuesAreErrorsNamingTheKey() {
        #expect(error("{\(base), \"commands\": {\"clsoe\": \"X\"}}").contains("commands.clsoe: unknown key"))
        #expect(error("{\(base), \"commands\": {\"close\": \"\"}}").contains("commands.close"))
        // CONFIRM would then mean both close and confirm.
        #expect(error("{\(base), \"commands\": {\"close\": \"CONFIRM\"}}").contains("commands.confirm: 'CONFIRM' is already the close command"))
    }

    /// Through the real daemon: CMD:FERTIG closes the receipt, CMD:CLOSE no longer does.
    @Test func aReceivingStationClosesOnTheSitesOwnCommand() throws {
        let site = try DaemonSite()
        let text = site.configText().replacingOccurrences(of: #""log_level": "info","#, with: #""log_level": "info", "commands": {"close": "FERTIG"},"#)
        try site.writeRaw(text)
        try site.start()
        let plain = gtin("0614141000012").digits
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3010")
        site.scanner.scan("CMD:CLOSE")
        try eventually("the CLOSE to be refused") {
            ((try site.request(["cmd": "stations"])["stations"] as? [[String: Any]])?.first?["text"] as? String ?? "").contains("last error")
        }
        #expect(try site.scanned() == [10])
        site.scanner.scan("CMD:FERTIG")
        try eventually("FERTIG to post the receipt") { try site.scanned() == nil }
        #expect(try site.request(["cmd": "status"])["ledger_postings"] as? Int == 1)
        #expect(try site.stop() == 0)
    }
}
