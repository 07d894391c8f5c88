import GS1
import ScanModel

/// One JSON object per event, keys sorted, as printed by `scanledger replay`
/// and stored in `Tests/Captures/*.chk`:
///   {"antenna":1,"count":3,"epc":"3034…","rssi":-61,"time":…,"type":"tag"}
///   {"aim":"]C1","data":"01…","symbology":"gs1-128","time":…,"type":"scan"}
///   {"code":null,"kind":"bad-crc","length":29,"message":"…","offset":120,"time":…,"type":"error"}
/// plus `trigger`, `gpi`, `reader`, `keepalive`, `done`, `connected`, `disconnected`.
/// Every driver (serial, HID POS, evdev, LLRP) prints this one vocabulary.
public enum EventJSON {
    public static func line(_ event: DeviceEvent) -> String {
        switch event {
        case .tag(let t):
            return "{\"antenna\":\(t.antenna),\"count\":\(t.count),\"epc\":\"\(t.epc.hex)\",\"rssi\":\(number(t.rssi)),\"time\":\(t.time.value),\"type\":\"tag\"}"
        case .scan(let s):
            let (aim, payloadOffset) = AIMIdentifier.split(s.data)
            let payload = s.data[payloadOffset...]
            let aimText = aim.map { string($0.description) } ?? "null"
            let symbology = aim.map { string($0.symbology.rawValue) } ?? "null"
            return "{\"aim\":\(aimText),\"data\":\(bytesString(payload)),\"symbology\":\(symbology),\"time\":\(s.time.value),\"type\":\"scan\"}"
        case .trigger(let pressed, let time):
            return "{\"pressed\":\(pressed),\"time\":\(time.value),\"type\":\"trigger\"}"
        case .gpi(let port, let high, let time):
            return "{\"high\":\(high),\"port\":\(port),\"time\":\(time.value),\"type\":\"gpi\"}"
        case .reader(let event, let detail, let time):
            return "{\"detail\":\(string(detail)),\"event\":\(string(event)),\"time\":\(time.value),\"type\":\"reader\"}"
        case .keepalive(let time):
            return "{\"time\":\(time.value),\"type\":\"keepalive\"}"
        case .commandDone(let command, let time):
            return "{\"command\":\(string(command)),\"time\":\(time.value),\"type\":\"done\"}"
        case .connected(let time):
            return "{\"time\":\(time.value),\"type\":\"connected\"}"
        case .disconnected(let time):
            return "{\"time\":\(time.value),\"type\":\"disconnected\"}"
        case .problem(let p):
            let code = p.code.map(String.init) ?? "null"
            return "{\"code\":\(code),\"kind\":\"\(p.kind.rawValue)\",\"length\":\(p.length),\"message\":\(string(p.message)),\"offset\":\(p.offset),\"time\":\(p.time.value),\"type\":\"error\"}"
        }
    }

    static func number(_ f: Float?) -> String {
        guard let f, f.isFinite else { return "null" }
        if f == f.rounded(), abs(f) < 1e9 { return String(Int(f)) }
        return String(f)
    }

    /// A JSON string literal (escaping rules shared through ScanModel).
    public static func string(_ s: String) -> String { JSONText.quote(s) }

    /// Scan bytes as a JSON string: UTF-8 when valid, otherwise each byte as
    /// the code point of the same value (Latin-1), so nothing is lost.
    static func bytesString(_ bytes: ArraySlice<UInt8>) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return string(s) }
        var s = ""
        for b in bytes { s.unicodeScalars.append(UnicodeScalar(b)) }
        return string(s)
    }
}
