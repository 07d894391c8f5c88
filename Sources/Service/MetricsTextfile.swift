import Foundation
import ScanModel

/// `metrics.textfile`: where the daemon writes its Prometheus text for
/// node_exporter's textfile collector, and how often.
public struct MetricsTextfileConfig: Sendable, Equatable {
    public var path: String
    public var intervalSeconds: Int

    public static let defaultInterval = 15

    /// The `metrics` section: `textfile` (required there) and `interval_seconds`.
    static func parse(_ node: ConfigNode) throws -> MetricsTextfileConfig {
        try node.rejectUnknownKeys(allowed: ["_comment", "textfile", "interval_seconds"])
        let fileNode = try node.required("textfile")
        let path = try fileNode.nonEmptyString()
        guard path.hasPrefix("/") else { throw fileNode.error("'\(path)' is not an absolute path") }
        // node_exporter reads only *.prom; any other name would be written and never collected.
        guard path.hasSuffix(".prom") else { throw fileNode.error("'\(path)' must end in .prom (node_exporter's textfile collector reads only *.prom)") }
        let interval = try node.optional("interval_seconds")?.int(in: 1...3_600) ?? defaultInterval
        return MetricsTextfileConfig(path: path, intervalSeconds: interval)
    }
}

/// Writes the same text as the `metrics` request to the configured file
/// every `interval_seconds` and once more when the daemon stops, each time
/// atomically (`AtomicFile`): the collector never reads half a file. A write
/// that fails is logged once, not every interval, and once more when writing
/// works again.
final class MetricsTextfileWriter: BackgroundService {
    let serviceName = "metrics textfile"
    private let config: MetricsTextfileConfig
    private let render: @Sendable () -> String
    private let logger: Logger
    private let queue = DispatchQueue(label: "daemon.metrics-textfile")
    private let timer = Locked<DispatchSourceTimer?>(nil)
    /// Touched on `queue` only.
    private let failing = Locked(false)

    init(config: MetricsTextfileConfig, logger: Logger, render: @escaping @Sendable () -> String) {
        self.config = config; self.logger = logger; self.render = render
    }

    func start() throws {
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now(), repeating: .seconds(config.intervalSeconds))
        t.setEventHandler { [self] in write() }
        timer.swap(t)?.cancel()
        t.resume()
    }

    /// The last write, after the timer stopped.
    func stop() {
        guard let t = timer.swap(nil) else { return }
        t.cancel()
        queue.sync { write() }
    }

    private func write() {
        do {
            try AtomicFile.write(Array(render().utf8), to: config.path)
            if failing.swap(false) { logger.notice("metrics", "writing \(config.path) works again") }
        } catch {
            if !failing.swap(true) {
                logger.error("metrics", "cannot write the metrics textfile \(config.path): \(error) (metrics.textfile in the config; retrying every \(config.intervalSeconds) s)")
            }
        }
    }
}
