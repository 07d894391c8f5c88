import Devices
import Foundation

/// `scanledger ports [--json] [--resolve SELECTOR]`: serial ports with their
/// USB metadata, so a device can be configured as usb:VID:PID[+SERIAL] or by
/// its by-id link. `--resolve` prints the port a selector names right now.
let portsCommand = Command(name: "ports", summary: "list serial ports with USB vendor/product/serial") { args in
    let usage = "usage: scanledger ports [--json] [--resolve usb:VID:PID[+SERIAL]|PATH]\n"
    var json = false, resolve: String? = nil
    var i = 0
    while i < args.count {
        if args[i] == "--json" { json = true } else if args[i] == "--resolve", i + 1 < args.count { resolve = args[i + 1]; i += 1 } else {
            FileHandle.standardError.write(Data("scanledger ports: unknown argument '\(args[i])'\n\(usage)".utf8))
            return 2
        }
        i += 1
    }
    let ports: [SerialPortInfo]
    do { ports = try SerialPorts.list() } catch {
        FileHandle.standardError.write(Data("scanledger ports: \(error)\n".utf8))
        return 1
    }
    if let resolve {
        do {
            print(try PortSelector(parsing: resolve).resolve(in: ports))
            return 0
        } catch {
            FileHandle.standardError.write(Data("scanledger ports: \(error)\n".utf8))
            if case DeviceError.configuration = error { return 2 }
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
