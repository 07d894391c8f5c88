import Foundation
import Ledger
import ScanModel

/// `kill-campaign` (issue 18; long, not in `all` nor CI: Tests/KillCampaign/run.sh):
/// the release scanledgerd with a pty scanner doing moves (LOC, 8 items,
/// LOC, CONFIRM), SIGKILLed KILL_CAMPAIGN_KILLS times (default 1000) at a
/// random moment: a line is written and the kill follows 0–3 ms later, so
/// kills land mid-scan, mid-commit and mid-checkpoint; one cycle in four
/// sends SIGHUP first, so some land mid-reload. After every kill, with the
/// daemon down, the ledger must hold every acknowledged move exactly once
/// (at most one more: the line in flight may have committed unanswered) and
/// `verify` must be clean; after the restart the open move must resume at
/// exactly the acknowledged scans (or one more, the line in flight). A line
/// the killed daemon had not read yet is discarded, as a scan lost with the
/// power (the operator heard nothing and scans again). One scan in six is
/// an item the site does not know: refused (E), and journaled before the
/// answer, so the journal must hold one error entry per refusal heard (at
/// most one more: the line in flight). With a central
/// database (KILL_CAMPAIGN_CENTRAL, KillCampaignCentral.swift) the daemon
/// forwards throughout, and after every kill central must hold each posting
/// once, in order, never one the box lacks; at the end, all of them.
func killCampaign() -> [String: any Sendable] {
    let kills = Int(ProcessInfo.processInfo.environment["KILL_CAMPAIGN_KILLS"] ?? "") ?? 1000
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kill-campaign-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard let site = try? BenchSite(dir: dir, stations: 1) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    var central: CampaignCentral?
    do { central = try CampaignCentral(environment: ProcessInfo.processInfo.environment) } catch { return ["error": "central: \(error)"] }
    if let central {
        site.centralConfig = central.configFragment
        do { try site.writeConfig() } catch { return ["error": "cannot write the config: \(error)"] }
    }
    let ledgerPath = dir.appendingPathComponent("ledger.db").path
    var rng = SystemRandomNumberGenerator()
    var campaign = CampaignState()
    let started = Date()
    var scans = 0, reloads = 0

    for cycle in 0..<kills {
        guard site.start() else { return campaign.failure("cycle \(cycle): scanledgerd did not come back; log: \(site.logTail)") }
        if let problem = campaign.checkResumed(site.request("stations")) { return campaign.failure("cycle \(cycle): \(problem)") }
        if Int.random(in: 0..<4, using: &rng) == 0, let pid = site.pid { kill(pid, SIGHUP); reloads += 1 }
        // A few answered scans, then one the daemon is killed over.
        for _ in 0..<Int.random(in: 0..<12, using: &rng) {
            let line = campaign.nextLine(wrong: Int.random(in: 0..<6, using: &rng) == 0)
            site.scanners[0].send(line)
            guard let byte = site.scanners[0].nextByte(within: 10_000) else { return campaign.failure("cycle \(cycle): no answer to \(line)") }
            guard campaign.answered(line, byte) else { return campaign.failure("cycle \(cycle): \(line) answered \(Character(UnicodeScalar(byte)))") }
            scans += 1
        }
        let inFlight = campaign.nextLine(wrong: Int.random(in: 0..<6, using: &rng) == 0)
        site.scanners[0].send(inFlight)
        usleep(UInt32.random(in: 0...3_000, using: &rng))
        site.killHard()
        site.scanners[0].discardUnreadInput()
        // An answer written before the kill is still in the pty.
        if let byte = site.scanners[0].nextByte(within: 20) {
            guard campaign.answered(inFlight, byte) else { return campaign.failure("cycle \(cycle): \(inFlight) answered \(Character(UnicodeScalar(byte)))") }
            scans += 1
        } else {
            campaign.unanswered(inFlight)
        }
        do {
            let ledger = try Ledger(path: ledgerPath)
            defer { ledger.close() }
            guard try ledger.verify().ok else { return campaign.failure("cycle \(cycle): verify failed") }
            let head = try ledger.ledgerSequence().value
            if let problem = campaign.checkCommitted(moves: Int(head) - 1) {
                return campaign.failure("cycle \(cycle): \(problem)")
            }
            let journal = try ledger.stationJournal(JournalQuery(limit: 10_000_000))
            let errors = journal.filter { $0.entry.severity == .error }.count
            if let problem = campaign.checkJournal(errors: errors) {
                return campaign.failure("cycle \(cycle): \(problem)")
            }
            if let problem = central?.check(localHead: head, localJournal: journal.map(\.id).max() ?? 0) { return campaign.failure("cycle \(cycle): \(problem)") }
        } catch { return campaign.failure("cycle \(cycle): ledger: \(error)") }
    }
    var centralResults: [String: any Sendable] = [:]
    if let central {
        // The daemon is down after the last kill: the box's head, then a
        // run to let forwarding finish, then the balances with it stopped.
        let head: Int64, journal: Int64
        do {
            let ledger = try Ledger(path: ledgerPath)
            defer { ledger.close() }
            head = try ledger.ledgerSequence().value
            journal = try ledger.stationJournal(JournalQuery(limit: 10_000_000)).map(\.id).max() ?? 0
        } catch { return campaign.failure("after the campaign: ledger: \(error)") }
        guard site.start() else { return campaign.failure("after the campaign: scanledgerd did not come back") }
        if let problem = central.waitUntilCentral(head, journal: journal) { return campaign.failure("after the campaign: \(problem)") }
        site.stop()
        if let problem = central.checkBalances(localHead: head, localJournal: journal, ledgerPath: ledgerPath, locations: ["S0-A", "S0-B"]) {
            return campaign.failure("after the campaign: \(problem)")
        }
        centralResults = ["central_postings": head, "central_journal_entries": journal, "kills_with_forwarding_behind": central.killsWithBacklog, "central_balances_equal": true]
    }
    return centralResults.merging([
        "kills": kills, "reloads_sent": reloads, "answered_scans": scans, "moves_posted": campaign.moves,
        "refusals_journaled": campaign.refusals,
        "in_flight_commits_found": campaign.inFlightCommits, "resumed_sessions": campaign.resumed,
        "lost": 0, "duplicated": 0, "seconds": Date().timeIntervalSince(started).rounded(),
    ]) { a, _ in a }
}

/// What the operator was told, and what the ledger and the station must
/// therefore hold. `position` is how many lines of the current move the
/// station acknowledged (0: no move open; 10: destination scanned).
struct CampaignState {
    static let item = "]E04006381333931"
    /// A valid GTIN the site does not know: refused wherever it is scanned.
    static let unknownItem = "]E05901234123457"
    private(set) var moves = 0
    private(set) var position = 0
    private(set) var inFlightCommits = 0
    private(set) var resumed = 0
    private(set) var refusals = 0
    private var pending: String?

    func nextLine(wrong: Bool = false) -> String {
        if wrong { return Self.unknownItem }
        let (from, to) = moves % 2 == 0 ? ("S0-A", "S0-B") : ("S0-B", "S0-A")
        switch position {
        case 0: return "LOC:\(from)"
        case 1...8: return Self.item
        case 9: return "LOC:\(to)"
        default: return "CMD:CONFIRM"
        }
    }

    /// An answer: G for a scan, D for the CONFIRM that posted.
    mutating func answered(_ line: String, _ byte: UInt8) -> Bool {
        pending = nil
        if line == Self.unknownItem {
            refusals += 1
            return byte == UInt8(ascii: "E")
        }
        if line == "CMD:CONFIRM" {
            guard byte == UInt8(ascii: "D") else { return false }
            moves += 1; position = 0
            return true
        }
        guard byte == UInt8(ascii: "G") else { return false }
        position += 1
        return true
    }

    mutating func unanswered(_ line: String) { pending = line }

    /// With the daemon down: every answered CONFIRM is in the ledger once;
    /// an unanswered one may have committed (then it counts from now on).
    mutating func checkCommitted(moves committed: Int) -> String? {
        if committed == moves { return nil }
        if committed == moves + 1, pending == "CMD:CONFIRM" {
            moves += 1; position = 0; pending = nil; inFlightCommits += 1
            return nil
        }
        return "the ledger holds \(committed) moves; \(moves) were acknowledged (in flight: \(pending ?? "nothing"))"
    }

    /// With the daemon down: one error entry per refusal heard (one more when
    /// the unanswered line was a refusal recorded before the kill).
    mutating func checkJournal(errors: Int) -> String? {
        if errors == refusals { return nil }
        if errors == refusals + 1, pending == Self.unknownItem {
            refusals += 1; pending = nil
            return nil
        }
        return "the journal holds \(errors) refusals; \(refusals) were heard (in flight: \(pending ?? "nothing"))"
    }

    /// After the restart: the open move holds exactly the acknowledged scans,
    /// or one more when the unanswered line was saved before the kill.
    mutating func checkResumed(_ answer: [String: Any]?) -> String? {
        guard let station = (answer?["stations"] as? [[String: Any]])?.first else { return "no stations answer" }
        var found = 0
        if station["open"] as? Bool == true, let view = station["view"] as? [String: Any] {
            let items = (view["lines"] as? [[String: Any]] ?? []).compactMap { $0["scanned"] as? Int }.reduce(0, +)
            found = view["destination"] is String ? 10 : 1 + items
            if found > 0 { resumed += 1 }
        }
        let inFlightAdvances = pending != nil && pending != "CMD:CONFIRM" && pending != Self.unknownItem
        if found == position || (found == position + 1 && inFlightAdvances) {
            position = found; pending = nil
            return nil
        }
        return "the station resumed at \(found) lines of the move; \(position) were acknowledged (in flight: \(pending ?? "nothing"))"
    }

    func failure(_ message: String) -> [String: any Sendable] {
        ["error": message, "moves_acknowledged": moves]
    }
}
