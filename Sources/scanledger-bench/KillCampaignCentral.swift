import Foundation
import Forwarding
import Ledger
import ScanModel

/// The central side of the kill campaign. With KILL_CAMPAIGN_CENTRAL (a
/// conninfo to a PostgreSQL database; Tests/KillCampaign/run.sh starts a
/// throwaway one) the daemon forwards while it is killed, and each commit
/// wakes the forwarder, so kills land mid-forward too: between the central
/// commit and the local mark, inside a batch, between batches.
struct CampaignCentral {
    let database: CentralDatabase
    let configFragment: String
    /// The campaign's box id, the origin of its postings in central.
    static let origin = "bench"
    /// Kills that found postings not yet central (so the kill cut forwarding short).
    private(set) var killsWithBacklog = 0

    init?(environment: [String: String]) throws {
        guard let conninfo = environment["KILL_CAMPAIGN_CENTRAL"], !conninfo.isEmpty else { return nil }
        let settings = try CentralConnectionSettings(conninfo: conninfo)
        database = try CentralDatabase(settings)
        _ = try database.initialize()
        configFragment = #"\#n "central": {"conninfo": \#(JSONText.quote(conninfo)), "batch_size": 3, "poll_interval_ms": 200},"#
    }

    /// What central holds from this box: postings, and the highest seq.
    func held() throws -> (postings: Int64, highest: Int64) {
        guard let lag = try database.status().first(where: { $0.origin == Self.origin }) else { return (0, 0) }
        return (lag.centralPostings, lag.centralSeq)
    }

    /// With the daemon down: central holds seq 1…n once each (the primary
    /// key refuses a second copy; a count equal to the highest seq says
    /// none is missing below it), and never a seq the box does not have.
    mutating func check(localHead: Int64, localJournal: Int64) -> String? {
        do {
            let (postings, highest) = try held()
            if postings != highest { return "central holds \(postings) postings up to seq \(highest): one is missing" }
            if highest > localHead { return "central holds seq \(highest), the box only \(localHead)" }
            let journal = try database.journalHeld(origin: Self.origin)
            if journal.entries != journal.highestID { return "central holds \(journal.entries) journal entries up to id \(journal.highestID): one is missing" }
            if journal.highestID > localJournal { return "central holds journal entry \(journal.highestID), the box only \(localJournal)" }
            if highest < localHead || journal.highestID < localJournal { killsWithBacklog += 1 }
            return nil
        } catch { return "central: \(error)" }
    }

    /// After the last restart: every posting and journal entry reaches
    /// central within a minute.
    func waitUntilCentral(_ localHead: Int64, journal localJournal: Int64) -> String? {
        do {
            for _ in 0..<600 {
                if try held().highest >= localHead, try database.journalHeld(origin: Self.origin).highestID >= localJournal { return nil }
                usleep(100_000)
            }
            return "central stayed at seq \(try held().highest) of \(localHead), journal entry \(try database.journalHeld(origin: Self.origin).highestID) of \(localJournal), for a minute"
        } catch { return "central: \(error)" }
    }

    /// Then, with the daemon stopped: seq 1…head once each, and central's
    /// balance at each location is the box's.
    func checkBalances(localHead: Int64, localJournal: Int64, ledgerPath: String, locations: [String]) -> String? {
        do {
            let (postings, highest) = try held()
            if postings != localHead || highest != localHead { return "central holds \(postings) postings up to seq \(highest); the box \(localHead)" }
            let journal = try database.journalHeld(origin: Self.origin)
            if journal.entries != localJournal || journal.highestID != localJournal {
                return "central holds \(journal.entries) journal entries up to id \(journal.highestID); the box \(localJournal)"
            }
            let ledger = try Ledger(path: ledgerPath)
            defer { ledger.close() }
            for location in locations {
                let local = try ledger.balances(at: LocationCode(location)).map(\.qty).reduce(0, +)
                let central = try database.stock(bySite: false, scope: Self.origin, location: location).map(\.qty).reduce(0, +)
                if local != central { return "\(location): the box holds \(local), central \(central)" }
            }
            return nil
        } catch { return "central: \(error)" }
    }
}
