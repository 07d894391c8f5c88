import Foundation
import Ledger
import ScanModel

/// `scanledger reverse SEQ --key K`: posts the exact opposite of posting SEQ, once.
let reverseCommand = Command(name: "reverse", summary: "reverse posting SEQ (a correction; once per posting)") { argv in
    let synopsis = "SEQ --key KEY [--station S] [--db PATH]"
    let args: LedgerCLI.Arguments
    do { args = try LedgerCLI.parse(argv, options: ["--key", "--station"], flags: []) } catch {
        return LedgerCLI.usage("reverse", synopsis, "\(error)")
    }
    guard args.positionals.count == 1, let seq = Int64(args.positionals[0]), seq > 0 else {
        return LedgerCLI.usage("reverse", synopsis, "give the sequence number of the posting to reverse")
    }
    guard let key = args.options["--key"], !key.isEmpty else {
        return LedgerCLI.usage("reverse", synopsis, "--key (an idempotency key for the reversal) is required")
    }
    guard let ledger = LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        let r = try ledger.reverse(LedgerSequence(seq), key: key, station: args.options["--station"])
        LedgerCLI.emit(PostResultLine.render(key: r.key, status: r.status.rawValue, seq: r.seq?.value, error: r.error))
        return r.status == .rejected ? 1 : 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}
