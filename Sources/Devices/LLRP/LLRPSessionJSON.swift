// JSON lines for LLRP events and session outputs (`.chk` files, `replay`).

extension LLRPEvent {
    public var jsonLine: String {
        var o = CoreJSONObject()
        switch self {
        case .tag(let t):
            o.set("type", "tag")
            o.set("epc", t.read.epc.hex)
            o.set("antenna", Int(t.read.antenna))
            if let r = t.read.rssi { o.set("rssi", Int(r)) }
            o.set("count", Int(t.read.count))
            o.set("time", t.read.time.value)
            if t.channelIndex != 0 { o.set("channel", Int(t.channelIndex)) }
            if let f = t.firstSeen { o.set("first", f.value) }
            if let l = t.lastSeen { o.set("last", l.value) }
            o.set("clock", "\(t.clock)")
        case .keepalive(let id):
            o.set("type", "keepalive")
            o.set("id", Int(id))
        case .reader(let e, let stamp, let clock):
            o.set("type", "reader")
            o.set("time", stamp.value)
            o.set("clock", "\(clock)")
            switch e {
            case .connectionAttempt(let s): o.set("event", "connection-attempt"); o.set("status", s.name)
            case .connectionClose: o.set("event", "connection-close")
            case .gpi(let port, let high): o.set("event", "gpi"); o.set("port", Int(port)); o.set("high", high)
            case .antenna(let id, let connected): o.set("event", "antenna"); o.set("antenna", Int(id)); o.set("connected", connected)
            case .roSpec(let type, let id): o.set("event", "rospec"); o.set("kind", Int(type)); o.set("rospec", Int(id))
            case .readerException(let m): o.set("event", "reader-exception"); o.set("message", m)
            }
        case .response(let r):
            o.set("type", "response")
            o.set("message", LLRPMessageType.name(r.messageType))
            o.set("id", Int(r.messageID))
            o.set("status", Int(r.statusCode))
            if !r.errorDescription.isEmpty { o.set("error", r.errorDescription) }
        case .error(let e):
            o.set("type", "error")
            o.set("kind", e.kind.rawValue)
            o.set("offset", e.offset)
            o.set("detail", e.detail)
            o.set("reason", e.description)
        }
        return o.text
    }
}

extension LLRPSessionOutput {
    public var jsonLine: String {
        var o = CoreJSONObject()
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
