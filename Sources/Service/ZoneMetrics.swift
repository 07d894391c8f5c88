import Pipeline
import ScanModel

/// The zones' and the event stream's counters as Prometheus families: what
/// a reader's flood did to the daemon (docs/operations.md, "Floods"). A read
/// refused at a zone's tag limit, a tag evicted to make room and an event a
/// slow `watch` client lost are drops an admin must be able to see, not
/// only a log line when they begin.
enum ZoneMetrics {
    static func families(zones: [ZoneCounters], watchEventsDropped: Int) -> [MetricFamily] {
        func perZone(_ name: String, _ help: String, _ kind: MetricFamily.Kind = .counter, _ value: (ZoneCounters) -> Double) -> MetricFamily {
            MetricFamily(name: name, help: help, kind: kind, samples: zones.map { .init(labels: [("zone", $0.zone.name)], value: value($0)) })
        }
        return [
            perZone("scanledger_zone_reads_total", "Tag reads into each zone.") { Double($0.readsIn) },
            perZone("scanledger_zone_lag_seconds", "Pipeline time minus the last read's time.", .gauge) { Double($0.lag.value) / 1e6 },
            perZone("scanledger_zone_reads_refused_total", "Reads of new tags refused because the zone tracked max_tags tags and none was idle.") { Double($0.refusedReads) },
            perZone("scanledger_zone_tags_evicted_total", "Idle (lost) tags forgotten early to make room at max_tags.") { Double($0.evictions) },
            perZone("scanledger_zone_tags_tracked", "Tags the zone holds now (at most max_tags).", .gauge) { Double($0.tagsTracked) },
            perZone("scanledger_zone_arrivals_total", "Tags that arrived in the zone (sent to its station).") { Double($0.arrivals) },
            perZone("scanledger_zone_departures_total", "Tags that left the zone (sent to its station).") { Double($0.departures) },
            MetricFamily(name: "scanledger_watch_events_dropped_total", help: "Events slow watch clients lost (each client is told its own).",
                         kind: .counter, samples: [.init(value: Double(watchEventsDropped))]),
        ]
    }
}
