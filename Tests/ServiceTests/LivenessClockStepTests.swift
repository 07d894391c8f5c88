import Foundation
import Testing
import Ledger
import ScanModel
@testable import Service

/// Issue 18, "Clock jumps": `live` means a real write committed recently,
/// and "recently" is measured on CLOCK_MONOTONIC. A wall clock stepped back
/// an hour must not make a 30 s old write look fresh for an hour (the probe
/// that would find a stuck writer would not run).
@Suite struct LivenessClockStepTests {
    @Test func aWallClockSteppedBackDoesNotKeepAnOldWriteRecent() throws {
        let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("sld-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledger = try Ledger(path: dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        let health = StorageHealth(ledger: ledger, logger: Logger(level: .error, sink: { _ in }), journal: LedgerStationGateway(ledger: ledger))
        try ledger.probeStorage()
        let written = try #require(ledger.storageStatus.lastWriteUptime)

        #expect(health.writeProblem(uptime: written + .seconds(1))?.problem == nil)
        #expect(ledger.storageStatus.lastWriteUptime == written, "probed although the last write was a second old")

        let stepped = Date().addingTimeInterval(-3_600)
        #expect(health.writeProblem(now: stepped, uptime: written + .seconds(30))?.problem == nil)
        let probed = try #require(ledger.storageStatus.lastWriteUptime)
        #expect(probed != written, "no probe 30 s after the last write: the wall clock stepped back an hour kept it recent")
    }
}
