import Foundation
import ScanModel

extension LedgerReader {
    /// Every entry after `since` as CSV with a header, in ledger order.
    public func exportCSV(since: LedgerSequence = LedgerSequence(0)) throws -> String {
        var out = "seq,key,kind,ref,station,device,event_time,commit_time_us,reverses,sscc,location,item,lot,serial,epc,qty\n"
        for r in try entries(since: since) {
            let fields: [String] = [
                String(r.seq.value), r.key, r.kind.rawValue, r.ref ?? "", r.station ?? "", r.device ?? "", r.eventTime ?? "",
                String(r.commitTimeMicros), r.reverses.map { String($0.value) } ?? "", r.sscc ?? "", r.location, r.item,
                r.lot ?? "", r.serial ?? "", r.epc ?? "", String(r.qty),
            ]
            out += CSV.record(fields)
        }
        return out
    }

    func ledgerID() throws -> String {
        let s = try db.prepare("SELECT ledger_id FROM ledger_meta WHERE id = 1")
        defer { s.reset() }
        return try s.step() ? s.text(0) : "00000000000000000000000000000000"
    }
}
