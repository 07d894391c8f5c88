// JSON lines for LLRP session outputs: the conversation transcript that
// `LLRPConversationReplay` writes and Tests/Captures/llrp-*.session stores.
// Decoded events use the common vocabulary (`EventJSON`), not this.

/// One JSON object with keys sorted, so transcript lines are byte-stable.
struct SortedJSONObject {
    private var fields: [(key: String, value: String)] = []
    mutating func set(_ key: String, _ v: Int) { fields.append((key, String(v))) }
    mutating func set(_ key: String, _ v: Int64) { fields.append((key, String(v))) }
    mutating func set(_ key: String, _ v: String) { fields.append((key, EventJSON.string(v))) }
    var text: String {
        "{" + fields.sorted { $0.key < $1.key }.map { EventJSON.string($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }
}

extension LLRPSessionOutput {
    public var jsonLine: String {
        var o = SortedJSONObject()
        switch self {
        case .connect(let host, let port, _):
            o.set("type", "connect"); o.set("host", host); o.set("port", Int(port))
        case .send(_, let type, let id):
            o.set("type", "sent"); o.set("message", LLRPMessageType.name(type)); o.set("id", Int(id))
        case .disconnect:
            o.set("type", "disconnect")
        case .note(let n):
            o.set("type", "session")
            switch n {
            case .state(let s): o.set("note", "state"); o.set("state", s.rawValue)
            case .connectionRefused(let s): o.set("note", "connection-refused"); o.set("status", s.name)
            case .setupFailed(let t, let code, let d):
                o.set("note", "setup-failed"); o.set("message", LLRPMessageType.name(t)); o.set("status", Int(code)); o.set("error", d)
            case .timeout(let what): o.set("note", "timeout"); o.set("waiting", what)
            case .keepaliveMissed(let n): o.set("note", "keepalive-missed"); o.set("periods", n)
            case .linkDead: o.set("note", "link-dead")
            case .framingLost: o.set("note", "framing-lost")
            case .transportFailed(let r): o.set("note", "transport-failed"); o.set("reason", r)
            case .transportClosed: o.set("note", "transport-closed")
            case .reconnectScheduled(let a, let d): o.set("note", "reconnect"); o.set("attempt", a); o.set("delay_ms", d)
            }
        }
        return o.text
    }
}
