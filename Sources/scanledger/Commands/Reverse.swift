import Foundation
import Ledger
import ScanModel

/// `scanledger reverse SEQ --key K`: posts the exact opposite of posting SEQ, once.
let reverseCommand = CommandSpec("reverse", summary: "reverse posting SEQ (a correction; once per posting)",
                                 positionals: [PositionalSpec("SEQ", .required, "the sequence number of the posting to reverse")],
                                 options: [
    .value("--key", "KEY", "an idempotency key for the reversal, so running it twice reverses once", required: true),
    .value("--station", "S", "the station recorded on the reversal"),
] + LedgerCLI.options) { args in
    let text = args.positional("SEQ") ?? ""
    guard let seq = Int64(text), seq > 0 else { throw args.usageError("SEQ must be a posting's sequence number, not '\(text)'") }
    guard let key = args.value("--key"), !key.isEmpty else { throw args.usageError("--key must not be empty") }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        let r = try ledger.reverse(LedgerSequence(seq), key: key, station: args.value("--station"))
        LedgerCLI.emit(PostResultLine.render(key: r.key, status: r.status.rawValue, seq: r.seq?.value, error: r.error))
        return r.status == .rejected ? 1 : 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}
