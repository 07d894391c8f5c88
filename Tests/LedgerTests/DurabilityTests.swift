import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Kills `scanledger post` with SIGKILL at random moments while it works
/// through a stream, restarts it on the same stream, and checks that what was
/// acknowledged is there exactly once, nothing is missing, verify passes and
/// balances match a model of the stream.
@Suite struct DurabilityTests {
    @Test func killedPostLosesNothingAndDuplicatesNothing() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        t.ledger.close() // the CLI is the only writer from here on
        var rng = SplitMix64(seed: 0x5CA11ED6E)
        let stream = PostingStream.generate(count: 2_500, rng: &rng)
        let streamFile = t.directory.appendingPathComponent("stream.jsonl")
        try stream.lines.joined(separator: "\n").appending("\n").write(to: streamFile, atomically: true, encoding: .utf8)

        var acknowledged: [String: (status: String, seq: Int64?)] = [:]
        var kills = 0
        var finished = false
        var run = 0
        var furthest = 0
        while !finished {
            run += 1
            // Kill at a random moment some way past the furthest answer so far (so every
            // run makes progress whatever the machine's speed); the 13th run may finish.
            var kill: (afterLines: Int, extraMicroseconds: UInt32)? = nil
            if run <= 12 {
                kill = (furthest + 1 + Int(rng.next() % 300), UInt32(rng.next() % 5_000))
            }
            let (status, lines) = try runPost(binary, db: t.path, stdin: streamFile, kill: kill)
            furthest = max(furthest, lines.count)
            for line in lines {
                let r = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "bad output line: \(line)")
                let key = try #require(r["key"] as? String)
                let state = try #require(r["status"] as? String)
                let seq = (r["seq"] as? NSNumber)?.int64Value
                if let earlier = acknowledged[key] {
                    // Once acknowledged, the answer never changes: posted → duplicate with the same seq.
                    #expect(earlier.seq == seq, "key \(key): seq \(String(describing: earlier.seq)) then \(String(describing: seq))")
                    #expect(state == (earlier.status == "rejected" ? "rejected" : "duplicate"), "key \(key): \(earlier.status) then \(state)")
                } else {
                    // "duplicate" first is fine: committed in a run killed before it could answer.
                    acknowledged[key] = (state == "duplicate" ? "posted" : state, seq)
                }
            }
            if status == nil { kills += 1 } else { finished = true; #expect(status == 1, "the stream has rejected lines, so exit 1") }
            #expect(run < 40, "post did not finish")
            if run >= 40 { return }
        }
        #expect(kills >= 1)

        // Every line answered, with the model's expected outcome.
        for (key, expected) in stream.expected {
            let got = try #require(acknowledged[key], "key \(key) never acknowledged")
            #expect((got.status == "posted") == expected, "key \(key): \(got.status), model says posted=\(expected)")
        }
        let reader = try LedgerReader(path: t.path)
        let rows = try reader.db.prepare("SELECT key, seq FROM postings ORDER BY seq")
        var inDatabase: [String: Int64] = [:]
        var count = 0
        while try rows.step() {
            count += 1
            #expect(inDatabase.updateValue(rows.int(1), forKey: rows.text(0)) == nil, "key \(rows.text(0)) posted twice")
        }
        rows.reset()
        #expect(count == stream.expected.values.filter { $0 }.count)
        for (key, ack) in acknowledged where ack.status == "posted" {
            #expect(inDatabase[key] == ack.seq, "acknowledged \(key) as seq \(String(describing: ack.seq)), database has \(String(describing: inDatabase[key]))")
        }
        let report = try reader.verify()
        #expect(report.ok, "\(report.problems)")
        for (account, qty) in stream.balances where qty != 0 {
            let rows = try reader.stock(StockQuery(location: account.location, item: account.item, lot: account.lot, includeVirtual: true))
                .filter { $0.serial == account.serial }
            #expect(rows.map(\.qty).reduce(0, +) == qty, "balance of \(account)")
        }
        let totalStock = try reader.stock(StockQuery(includeVirtual: true)).count
        #expect(totalStock == stream.balances.values.filter { $0 != 0 }.count)
    }

    /// Runs `scanledger post` on the stream; SIGKILLs it once it has answered
    /// `kill.afterLines` lines plus a random few microseconds (if it is still
    /// running). Returns the exit status (nil when killed) and the complete output lines.
    private func runPost(_ binary: URL, db: String, stdin: URL, kill: (afterLines: Int, extraMicroseconds: UInt32)?) throws -> (Int32?, [String]) {
        let (p, collector) = try ProcessSupport.startPost(binary, db: db, stdin: stdin)
        var killed = false
        if let kill {
            while p.isRunning, collector.lines < kill.afterLines { usleep(500) }
            usleep(kill.extraMicroseconds)
            if p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL); killed = true }
        }
        p.waitUntilExit()
        let text = collector.text()
        // Only whole lines count as acknowledged.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        if killed, p.terminationReason == .uncaughtSignal { return (nil, lines) }
        return (p.terminationStatus, lines)
    }
}

/// Reads a pipe on a background thread, counting complete lines as they arrive.
final class LineCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var newlines = 0
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                newlines += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                lock.unlock()
            }
            done.signal()
        }
    }

    var lines: Int {
        lock.lock(); defer { lock.unlock() }
        return newlines
    }

    /// Everything read, once the pipe is closed.
    func text() -> String {
        done.wait()
        done.signal()
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A deterministic stream of postings and the model's view of it.
struct PostingStream {
    struct Account: Hashable, CustomStringConvertible {
        var location: String, item: String, lot: String?, serial: String?
        var description: String { "\(item)@\(location) lot \(lot ?? "-") serial \(serial ?? "-")" }
    }
    var lines: [String] = []
    var expected: [String: Bool] = [:]   // key → posted?
    var balances: [Account: Int64] = [:]

    static func generate(count: Int, rng: inout SplitMix64) -> PostingStream {
        var s = PostingStream()
        var serialsOnHand: [String] = []
        var nextSerial = 1
        for n in 0..<count {
            let key = "k\(n)"
            var moves: [(item: String, qty: Int64, from: String, to: String, lot: String?, serial: String?)] = []
            var kind = "move"
            switch rng.next() % 10 {
            case 0, 1, 2:
                kind = "receipt"
                moves = [(TestLedger.widget.code, Int64(rng.next() % 20 + 1), "@supplier", "DOCK1", nil, nil)]
            case 3:
                kind = "receipt"
                moves = [(TestLedger.milk.code, Int64(rng.next() % 9 + 1), "@supplier", "A-02", "L\(rng.next() % 3)", nil)]
            case 4:
                kind = "receipt"
                // Sometimes a serial that is already on hand: the model expects a rejection.
                let serial = (!serialsOnHand.isEmpty && rng.next() % 4 == 0) ? serialsOnHand[Int(rng.next() % UInt64(serialsOnHand.count))] : "S\(nextSerial)"
                if serial == "S\(nextSerial)" { nextSerial += 1 }
                moves = [(TestLedger.drill.code, 1, "@supplier", "DOCK1", nil, serial)]
            case 5:
                kind = "ship"
                let serial = serialsOnHand.isEmpty ? "S0" : serialsOnHand[Int(rng.next() % UInt64(serialsOnHand.count))]
                moves = [(TestLedger.drill.code, 1, "DOCK1", "@customer", nil, serial)]
            case 6:
                kind = "adjustment"
                moves = [(TestLedger.milk.code, Int64(rng.next() % 3 + 1), "A-02", "@adjustment", "L\(rng.next() % 3)", nil)]
            default:
                // Sometimes more than is there: rejected for negative stock.
                moves = [(TestLedger.widget.code, Int64(rng.next() % 25 + 1), "DOCK1", "A-01", nil, nil),
                         (TestLedger.widget.code, 1, "A-01", "A-02", nil, nil)]
            }
            // Apply to the model; reject like the ledger would.
            var trial = s.balances
            var ok = true
            for m in moves {
                let from = Account(location: m.from, item: m.item, lot: m.lot, serial: m.serial)
                let to = Account(location: m.to, item: m.item, lot: m.lot, serial: m.serial)
                trial[from, default: 0] -= m.qty
                trial[to, default: 0] += m.qty
            }
            for (account, qty) in trial where !account.location.hasPrefix("@") {
                if qty < 0 { ok = false }
                if account.serial != nil, qty > 1 { ok = false }
            }
            if ok {
                s.balances = trial
                for m in moves where m.serial != nil {
                    if m.to.hasPrefix("@") { serialsOnHand.removeAll { $0 == m.serial } } else if let sn = m.serial, !serialsOnHand.contains(sn) { serialsOnHand.append(sn) }
                }
            }
            s.expected[key] = ok
            let lineJSON = moves.map { m in
                JSONText.object([("item", JSONText.quote(m.item)), ("qty", String(m.qty)), ("from", JSONText.quote(m.from)),
                                 ("to", JSONText.quote(m.to)), ("lot", JSONText.quote(m.lot)), ("serial", JSONText.quote(m.serial))])
            }.joined(separator: ",")
            s.lines.append(JSONText.object([("key", JSONText.quote(key)), ("kind", JSONText.quote(kind)),
                                            ("time", JSONText.quote("2024-05-01T10:00:00Z")), ("lines", "[\(lineJSON)]")]))
        }
        return s
    }
}

