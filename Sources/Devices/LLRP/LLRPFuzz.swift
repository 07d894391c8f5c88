import ScanModel

/// Fuzz entry point: any bytes, fed whole and split, must never trap; the
/// split must decode exactly like the whole. Wired into `make fuzz` by the lead.
public func fuzzLLRP(_ bytes: [UInt8]) {
    var whole = LLRPDecoder(maxMessageLength: 1 << 16)
    var a = LLRPEventCollector()
    whole.feed(bytes, into: &a)
    whole.finish(into: &a)
    var split = LLRPDecoder(maxMessageLength: 1 << 16)
    var b = LLRPEventCollector()
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    split.feed(bytes[..<cut], into: &b)
    split.feed(bytes[cut...], into: &b)
    split.finish(into: &b)
    precondition(a.events == b.events, "LLRP decoder: split input decoded differently")
    // Session must accept any decoded event sequence.
    var session = LLRPSession(config: LLRPReaderConfig(host: "fuzz"))
    var out: [LLRPSessionOutput] = []
    session.start(now: 0, into: &out)
    session.transportConnected(now: 0, into: &out)
    for (i, e) in a.events.enumerated() { session.handle(e, now: Int64(i), into: &out); session.tick(now: Int64(i), into: &out) }
}
