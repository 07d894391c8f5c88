import Devices
import Foundation
import ScanModel

/// The daemon's clocks: the stations' idle tick (every second), the systemd
/// STATUS line (every 10 s), journal retention (hourly) and, under systemd's
/// watchdog, WATCHDOG=1 while the daemon is live.
final class DaemonTimers: BackgroundService {
    let serviceName = "timers"
    private unowned let daemon: Daemon
    private let queue = DispatchQueue(label: "daemon.timers")
    private let timers = Locked<[DispatchSourceTimer]>([])

    init(daemon: Daemon) { self.daemon = daemon }

    func start() throws {
        let daemon = self.daemon
        every(1, on: queue) { daemon.stations.tick(at: DeviceRunner.wallClock()) }
        every(10, on: queue) { daemon.notify.send("STATUS=\(daemon.statusLine())") }
        // Journal retention: once an hour is plenty for a limit counted in days.
        // Once at start too, so a daemon restarted more often than hourly still prunes.
        queue.async { daemon.pruneJournal() }
        every(3_600, on: queue) { daemon.pruneJournal() }
        if let interval = SDNotify.watchdogInterval() {
            let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
            every(seconds, on: DispatchQueue(label: "daemon.watchdog")) {
                // Not `livenessProblem`: a full disk is logged by StorageHealth, and a restart cannot cure it.
                if let problem = daemon.stuckProblem() {
                    daemon.logger.error("watchdog", "not petting the watchdog: \(problem)")
                } else {
                    daemon.notify.send("WATCHDOG=1")
                }
            }
        }
    }

    func stop() {
        for t in timers.swap([]) { t.cancel() }
        // A handler already running finishes before the daemon goes on stopping.
        queue.sync {}
    }

    private func every(_ seconds: Double, on queue: DispatchQueue, _ body: @escaping @Sendable () -> Void) {
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + seconds, repeating: seconds)
        t.setEventHandler(handler: body)
        t.resume()
        timers.withLock { $0.append(t) }
    }
}

extension Daemon {
    /// Deletes station journal entries past the retention period. With a
    /// central store, entries not yet forwarded stay whatever their age.
    func pruneJournal() {
        let config = self.config
        let cutoff = DeviceRunner.wallClock() - .seconds(Int64(config.journalRetentionDays) * 86_400)
        do {
            let removed = try ledger.pruneJournal(before: cutoff, keepUnforwarded: config.central != nil)
            if removed > 0 { logger.info("journal", "retention: removed \(removed) entries older than \(config.journalRetentionDays) days") }
        } catch {
            logger.warning("journal", "retention failed: \(error)")
        }
    }
}
