import Foundation
import Testing
@testable import Service

/// The `central` section: the forwarder's settings, with errors on key paths
/// and the password never accepted inline (it would end up in logs and ps).
@Suite struct CentralConfigTests {
    func parse(_ central: String) throws -> ServiceConfig {
        let json = #"{"site": {"box_id": "dock-box-1"}, "ledger": {"path": "/tmp/l.db"}, "central": "# + central + "}"
        return try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ central: String) -> String {
        do { _ = try parse(central); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    @Test func originIsTheBoxIDAndDefaultsApply() throws {
        let c = try #require(try parse(#"{"conninfo": "host=127.0.0.1 port=5432 dbname=central user=scanledger", "site": "north"}"#).central)
        #expect(c.origin == "dock-box-1")
        #expect(c.site == "north")
        #expect(c.batchSize == 5_000)
        #expect(c.backlogAlarmBytes == 512 << 20)
    }

    @Test func withoutCentralEverythingStaysLocal() throws {
        let json = #"{"site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}}"#
        #expect(try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "t")).central == nil)
    }

    @Test func errorsNameTheKey() {
        #expect(error(#"{"site": "x"}"#) == "central.conninfo: missing (required)")
        #expect(error(#"{"conninfo": "dbname=c", "batch": 10}"#).hasPrefix("central.batch: unknown key"))
        #expect(error(#"{"conninfo": "dbname=c", "batch_size": 0}"#) == "central.batch_size: 0 is out of range 1…50000")
    }

    @Test func aPasswordInTheConnectionStringIsRefusedAndNotRepeated() {
        let message = error(#"{"conninfo": "host=db dbname=c user=u password=hunter2"}"#)
        #expect(message.hasPrefix("central.conninfo:"), "\(message)")
        #expect(!message.contains("hunter2"), "\(message)")
    }
}
