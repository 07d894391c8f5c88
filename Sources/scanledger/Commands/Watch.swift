import Foundation
import ScanModel

/// `scanledger watch [--station NAME]`: follows scans, station results and device events live.
let watchCommand = CommandSpec("watch", summary: "follow scans, station events and device events live", options: [
    .value("--station", "NAME", "only this station, with its live view under each result"),
] + ControlClient.options, notes: "Runs until interrupted or the daemon goes away.") { args in
    var request: [String: Any] = ["cmd": "watch"]
    if let s = args.value("--station") { request["station"] = s }
    let asJSON = args.flag("--json")
    do {
        var first = true
        try ControlClient.stream(ControlClient.socketPath(args), request) { e in
            if first {
                first = false
                if e["ok"] as? Bool != true { LedgerCLI.fail(e["error"] as? String ?? "watch refused"); return false }
                return true
            }
            let type = e["type"] as? String ?? ""
            if type == "heartbeat" { return true }
            if asJSON { LedgerCLI.emit(ControlClient.json(e) + "\n"); return true }
            switch type {
            case "station":
                let sev = (e["severity"] as? String ?? "").uppercased()
                LedgerCLI.emit("\(ControlClient.text(e["station"])) \(sev) \(ControlClient.text(e["code"])): \(ControlClient.text(e["message"]))\n")
                // With --station: the live view under each result, as the operator's screen would show it.
                if args.value("--station") != nil, let view = e["view_text"] as? String { LedgerCLI.emit(view + "\n\n") }
            case "scan":
                LedgerCLI.emit("scan \(ControlClient.text(e["device"])) → \(ControlClient.text(e["station"])): \(ControlClient.text(e["kind"])) \(ControlClient.text(e["data"]))\n")
            case "device":
                LedgerCLI.emit("device \(ControlClient.text(e["device"])) \(ControlClient.text(e["event"]))\(e["message"].map { ": \(ControlClient.text($0))" } ?? "")\n")
            default:
                LedgerCLI.emit(ControlClient.json(e) + "\n")
            }
            return true
        }
        return 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}
