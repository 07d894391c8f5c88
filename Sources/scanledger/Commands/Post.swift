import Foundation
import Ledger
import ScanModel

/// `scanledger post [--auto-create] [--db PATH] [--synchronous full|normal]`:
/// postings as JSON lines on stdin, one result line each on stdout, in input
/// order, each printed only after its transaction has committed.
let postCommand = CommandSpec("post", summary: "post JSON-lines postings from stdin to the ledger", options: [
    .flag("--auto-create", "create unknown items and locations instead of rejecting the posting"),
] + LedgerCLI.options, notes: """
    Reads one posting per line on stdin (docs/ledger.md); prints one result line
    each, in input order, once its transaction has committed. Exit 1 if any was rejected.
    Kinds: receipt, move, adjustment, pack, ship, release, scrap, return; a release or scrap
    needs "reason" and "operator" (held stock: docs/ledger.md).
    """) { args in
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    let printer = OrderedPrinter()
    // Bounded in-flight work: a huge stdin does not pile up in memory.
    let slots = DispatchSemaphore(value: 20_000)
    var index = 0
    while let line = readLine(strippingNewline: true) {
        index += 1
        let number = index
        if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { printer.skip(number); continue }
        switch PostingLineParser.parse(line, autoCreate: args.flag("--auto-create")) {
        case .failure(let bad):
            printer.set(number, PostResultLine.render(key: bad.key, status: "rejected", seq: nil, error: "line \(number): \(bad.message)"), failed: true)
        case .success(let request):
            slots.wait()
            ledger.post(request) { result in
                switch result {
                case .success(let r):
                    printer.set(number, PostResultLine.render(key: r.key, status: r.status.rawValue, seq: r.seq?.value, error: r.error.map { "line \(number): \($0)" }),
                                failed: r.status == .rejected)
                case .failure(let e):
                    printer.set(number, PostResultLine.render(key: request.key, status: "rejected", seq: nil, error: "line \(number): \(e)"), failed: true)
                }
                slots.signal()
            }
        }
    }
    printer.finish(total: index)
    ledger.close()
    return printer.anyFailed ? 1 : 0
}

enum PostResultLine {
    static func render(key: String?, status: String, seq: Int64?, error: String?) -> String {
        JSONText.object([("key", JSONText.quote(key)), ("status", JSONText.quote(status)),
                         ("seq", JSONText.number(seq)), ("error", JSONText.quote(error))]) + "\n"
    }
}

/// Prints results in input order as they become available.
/// `@unchecked Sendable`: every field is guarded by `condition`'s lock.
final class OrderedPrinter: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [Int: String] = [:]
    private var next = 1
    private(set) var anyFailed = false

    func set(_ number: Int, _ text: String, failed: Bool) {
        condition.lock()
        if failed { anyFailed = true }
        pending[number] = text
        flushLocked()
        condition.unlock()
    }

    func skip(_ number: Int) { set(number, "", failed: false) }

    private func flushLocked() {
        var out = ""
        while let text = pending.removeValue(forKey: next) {
            out += text
            next += 1
        }
        if !out.isEmpty { LedgerCLI.emit(out) }
        condition.broadcast()
    }

    func finish(total: Int) {
        condition.lock()
        while next <= total { condition.wait() }
        condition.unlock()
    }
}
