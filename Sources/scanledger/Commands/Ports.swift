import Devices
import Foundation
import ScanModel

/// `scanledger ports [--json] [--resolve SELECTOR]`: serial ports with their
/// USB metadata, so a device can be configured as usb:VID:PID[+SERIAL] or by
/// its by-id link. `--resolve` prints the port a selector names right now.
let portsCommand = CommandSpec("ports", summary: "list serial ports with USB vendor/product/serial", options: [
    .flag("--json", "one JSON object per port"),
    .value("--resolve", "SELECTOR", "print the port usb:VID:PID[+SERIAL] or a PATH names right now"),
]) { args in
    let json = args.flag("--json"), resolve = args.value("--resolve")
    let ports: [SerialPortInfo]
    do { ports = try SerialPorts.list() } catch {
        FileHandle.standardError.write(Data("scanledger ports: \(error)\n".utf8))
        return 1
    }
    if let resolve {
        do {
            // As the daemon resolves it at each reconnect, by-id links included.
            print(try SerialPorts.resolve(try PortSelector(parsing: resolve)))
            return 0
        } catch {
            if case DeviceError.configuration = error { throw args.usageError("\(error)") }
            FileHandle.standardError.write(Data("scanledger ports: \(error)\n".utf8))
            return 1
        }
    }
    if json {
        for p in ports { print(portJSON(p)) }
        return 0
    }
    if ports.isEmpty { print("no serial ports found"); return 0 }
    for p in ports {
        var line = p.path + "  " + p.transport
        if let vp = p.vidPid { line += "  " + vp + "  select as usb:" + vp + (p.serialNumber.map { "+" + $0 } ?? "") }
        print(line)
        let details = [p.manufacturer, p.product, p.serialNumber.map { "serial " + $0 }, p.description].compactMap { $0 }
        if !details.isEmpty { print("    " + details.joined(separator: " · ")) }
        for link in p.byIDLinks { print("    " + link) }
    }
    return 0
}

func portJSON(_ p: SerialPortInfo) -> String {
    func s(_ v: String?) -> String { v.map(EventJSON.string) ?? "null" }
    let links = "[" + p.byIDLinks.map(EventJSON.string).joined(separator: ",") + "]"
    return "{\"by_id\":\(links),\"description\":\(s(p.description)),\"manufacturer\":\(s(p.manufacturer)),"
        + "\"path\":\(s(p.path)),\"product\":\(s(p.product)),\"serial\":\(s(p.serialNumber)),"
        + "\"transport\":\(s(p.transport)),\"vid_pid\":\(s(p.vidPid))}"
}
