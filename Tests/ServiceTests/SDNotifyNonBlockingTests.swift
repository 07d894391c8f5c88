import Foundation
import Testing
@testable import Service

@Suite struct SDNotifyNonBlockingTests {
    /// A receiver that never reads fills up after a few datagrams; later
    /// sends must fail at once instead of blocking (a hang here is the bug).
    @Test func aFullNotifySocketNeverBlocksTheSender() throws {
        let path = "/tmp/sdn-\(UUID().uuidString.prefix(8)).sock"
        let listener = try DaemonNotifyListener(path: path)
        let notify = SDNotify(environment: ["NOTIFY_SOCKET": path])
        var delivered = 0
        for i in 0..<500 where notify.send("STATUS=message \(i)") { delivered += 1 }
        #expect(delivered > 0 && delivered < 500)
        listener.poll()
        #expect(listener.messages.count == delivered)
    }
}
