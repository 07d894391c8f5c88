import Devices
import Foundation
import Pipeline
import ScanModel
import Stations

/// What device threads and stations hand to the router's thread.
enum Intake: Sendable {
    /// One read's events from one device, in the order the device sent them;
    /// `credit` is returned once the router has taken them.
    case device(String, [DeviceInput], credit: IntakeCredit? = nil)
    /// What a station asked for after an input (start or end its sweep).
    case effects(station: String, [StationEffect], time: Microseconds)
    /// Reloaded zones: the router ends the old pipeline's cycles and starts a new one.
    case reconfigure(PipelineConfig)
}

/// A device's events as the router takes them: runs of tag reads and scans
/// are kept together (one pipeline call each) but never reordered around a
/// trigger, so "last tags, then trigger release" stays in that order.
enum DeviceInput: Sendable {
    case tags([TagRead])
    case scans([Scan])
    case trigger(pressed: Bool, time: Microseconds)
}

/// What the router thread measured, for `metrics`, `status` and the watchdog.
struct RouterStats: Sendable {
    var heartbeat = Date()
    var pipeline = PipelineCounters()
    var zones: [ZoneCounters] = []
    var scansIn = 0
}

/// One thread, one direction: intake queue → Pipeline (its windows on the
/// monotonic clock, reads and events in wall time: `Pipeline.wallOffset`) →
/// stations, by the current routing snapshot. Station effects come back
/// through the same queue, so they apply in order with device input.
final class Router: BackgroundService {
    let serviceName = "router"
    let inbox: BoundedQueue<Intake>
    private let routing: Locked<Routing>
    private let stations: StationHost
    private let hub: EventHub
    private let logger: Logger
    /// Feedback to a device (a scan that no station takes is refused).
    private let signal: @Sendable (String, FeedbackOutcome) -> Void
    /// The pipeline's windows run on `monotonic`; reads and events keep `wall`.
    private let clocks: IntervalClocks
    private let thread = ServiceThread(name: "pipeline")
    let stats = Locked(RouterStats())

    init(inbox: BoundedQueue<Intake>, routing: Locked<Routing>, stations: StationHost, hub: EventHub, logger: Logger,
         clocks: IntervalClocks, signal: @escaping @Sendable (String, FeedbackOutcome) -> Void) {
        self.inbox = inbox; self.routing = routing; self.stations = stations; self.hub = hub
        self.logger = logger; self.clocks = clocks; self.signal = signal
    }

    func start() throws {
        let pipeline = try makePipeline(routing.snapshot.config.pipeline)
        // Built here so a bad zone config fails the start; from now on only
        // the router thread touches it.
        let handOver = Locked<Pipeline?>(pipeline)
        thread.start { [self] _ in
            guard let p = handOver.swap(nil) else { preconditionFailure("the pipeline was handed over twice") }
            run(p)
        }
    }

    /// Closes the intake and waits until everything queued went through.
    func stop() { thread.stop(wake: inbox.close) }

    private func run(_ first: Pipeline) {
        var pipeline = first
        while true {
            let item = inbox.pop(timeout: 0.05)
            if let item { take(item, &pipeline) }
            while let more = inbox.tryPop() { take(more, &pipeline) }
            while !pipeline.advance(to: pipeline.synchronize(with: clocks)) { route(pipeline) }
            route(pipeline)
            let counters = pipeline.counters, zones = pipeline.zoneCounters
            stats.withLock { $0.heartbeat = Date(); $0.pipeline = counters; $0.zones = zones }
            if item == nil && inbox.snapshot.closed && inbox.snapshot.depth == 0 { break }
        }
        pipeline.finish()
        route(pipeline)
    }

    private func take(_ item: Intake, _ pipeline: inout Pipeline) {
        switch item {
        case .device(let device, let inputs, let credit):
            _ = pipeline.synchronize(with: clocks)
            for input in inputs { ingest(input, from: device, pipeline) }
            credit?.give()
        case .effects(let station, let effects, let time):
            _ = pipeline.synchronize(with: clocks)
            for effect in effects { apply(effect, for: station, at: time, pipeline) }
        case .reconfigure(let config):
            do {
                let replacement = try makePipeline(config)
                pipeline.finish()
                route(pipeline)
                pipeline = replacement
                logger.notice("pipeline", "zones reconfigured")
            } catch {
                logger.error("pipeline", "new zones refused, keeping the old ones: \(error)")
            }
        }
    }

    private func makePipeline(_ config: PipelineConfig) throws -> Pipeline {
        let pipeline = try Pipeline(config: config, startTime: clocks.monotonic.now())
        _ = pipeline.synchronize(with: clocks)
        return pipeline
    }

    private func ingest(_ input: DeviceInput, from device: String, _ pipeline: Pipeline) {
        switch input {
        case .tags(let tags):
            var rest = tags[...]
            while !rest.isEmpty {
                rest = rest.dropFirst(pipeline.ingest(batch: rest))
                route(pipeline)
            }
        case .scans(let scans):
            stats.withLock { $0.scansIn += scans.count }
            var rest = scans
            while !rest.isEmpty {
                let n = pipeline.ingest(scans: rest)
                rest.removeFirst(min(n, rest.count))
                route(pipeline)
            }
        case .trigger(let pressed, let time):
            // A handheld's trigger is its read control: held = reading.
            let r = routing.snapshot
            guard let station = r.stationByDevice[device] else { return }
            if pressed { stations.deliver(.command(CommandNames().trigger), to: station, at: time, from: device) }
            for zone in r.zonesByStation[station] ?? [] {
                if let id = pipeline.zone(named: zone) { _ = pipeline.command(pressed ? .start : .stop, zone: id, at: time) }
            }
            route(pipeline)
        }
    }

    /// Carries out a station's effect on its cycle zones. Ending a sweep when
    /// no cycle was open (a restart, a reload of the zones) still answers the
    /// station, with an empty report, so the count can close.
    private func apply(_ effect: StationEffect, for station: String, at time: Microseconds, _ pipeline: Pipeline) {
        let zones = routing.snapshot.cycleZonesByStation[station] ?? []
        switch effect {
        case .startReadCycle:
            for zone in zones { if let id = pipeline.zone(named: zone) { _ = pipeline.command(.start, zone: id, at: time) } }
        case .stopReadCycle:
            var ended = false
            for zone in zones { if let id = pipeline.zone(named: zone), pipeline.command(.stop, zone: id, at: time) { ended = true } }
            if !ended { stations.deliver(.cycleReport(CycleReport(zone: zones.first ?? "", current: [])), to: station, at: time, from: nil) }
        }
        route(pipeline)
    }

    /// Hands every event the pipeline produced to its station.
    private func route(_ pipeline: Pipeline) {
        let r = routing.snapshot
        pipeline.drainEvents { event in
            switch event {
            case .scan(let scan):
                let device = r.deviceByIndex[scan.device.value]
                let input = r.translator(for: scan.device.value).input(for: scan.data)
                let station = device.flatMap { r.stationByDevice[$0] }
                hub.publish(["type": "scan", "device": ServiceJSON.null(device), "station": ServiceJSON.null(station),
                             "kind": input.kindName, "data": ScanTranslator.printable(scan.data), "time": scan.time.value])
                if let station { stations.deliver(input, to: station, at: scan.time, from: device) } else {
                    logger.warning("device \(device ?? "#\(scan.device.value)")", "scan ignored: the device belongs to no station")
                    if let device { signal(device, .error) }
                }
            // The tag is decoded on the station's queue, and only if it has room (`StationHost.deliver(to:make:)`).
            case .arrived(let a):
                if let s = r.stationByZone[a.zone.name] {
                    let (zone, epc) = (a.zone.name, a.epc)
                    stations.deliver(to: s, at: a.time) { .tagArrived(zone: zone, tag: ScanTranslator.tag(epc)) }
                }
            case .departed(let d):
                if let s = r.stationByZone[d.zone.name] {
                    let (zone, epc) = (d.zone.name, d.epc)
                    stations.deliver(to: s, at: d.time) { .tagDeparted(zone: zone, tag: ScanTranslator.tag(epc)) }
                }
            case .cycleReport(let report):
                guard let s = r.stationByZone[report.zone.name] else { return }
                // A cycle cut short by shutdown or a zone reload is not a
                // finished sweep: the count stays open (its tags are saved)
                // and resumes after the restart.
                guard report.endReason != .shutdown else {
                    logger.info("zone \(report.zone.name)", "read cycle ended by shutdown; station \(s) keeps its session")
                    return
                }
                stations.deliver(to: s, at: report.endedAt) { .cycleReport(Self.stationReport(report)) }
            case .alarm(let a):
                logger.warning("zone \(a.zone.name)", a.message)
                hub.publish(["type": "alarm", "zone": a.zone.name, "kind": "\(a.kind)", "message": a.message, "time": a.time.value])
            }
        }
    }

    static func stationReport(_ r: PipelineCycleReport) -> ScanModel.CycleReport {
        ScanModel.CycleReport(zone: r.zone.name,
                             current: r.current.map { CycleTag(tag: ScanTranslator.tag($0.epc), count: $0.reads, peakRSSI: $0.peakRSSI, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen) },
                             additions: r.additions.map(\.epc), deletions: r.deletions.map(\.epc))
    }
}
