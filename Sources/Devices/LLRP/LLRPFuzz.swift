import ScanModel

/// Fuzz entry point for the LLRP session (the decoder itself is covered by
/// `fuzzFeed(driver: "llrp", …)`): whatever the reader sends, decoded, must
/// be accepted by the session state machine without trapping.
public func fuzzLLRPSession(_ bytes: [UInt8]) {
    var decoder = LLRPDecoder(maxMessageLength: 1 << 16)
    var events = LLRPEventCollector()
    decoder.feed(bytes, into: &events)
    decoder.finish(into: &events)
    var session = LLRPSession(config: LLRPReaderConfig(host: "fuzz"))
    var out: [LLRPSessionOutput] = []
    session.start(now: 0, into: &out)
    session.transportConnected(now: 0, into: &out)
    for (i, e) in events.events.enumerated() { session.handle(e, now: Int64(i), into: &out); session.tick(now: Int64(i), into: &out) }
}
