import Dispatch
import Foundation
import ScanModel

/// Turns SIGTERM/SIGINT/SIGHUP into calls on a queue, with the default
/// actions blocked so the process is never killed half-way through a commit.
public final class SignalWatcher: Sendable {
    private let sources = Locked<[DispatchSourceSignal]>([])

    public init(queue: DispatchQueue,
                onStop: @escaping @Sendable (Int32) -> Void,
                onReload: @escaping @Sendable () -> Void) {
        for signo in [SIGTERM, SIGINT, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler { signo == SIGHUP ? onReload() : onStop(signo) }
            source.resume()
            sources.withLock { $0.append(source) }
        }
        // A control client that disconnects mid-reply must not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
    }

    public func cancel() {
        for source in sources.swap([]) { source.cancel() }
    }
}
