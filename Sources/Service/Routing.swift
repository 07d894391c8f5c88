import Devices
import Foundation
import Pipeline
import ScanModel

/// Who gets what: an immutable snapshot built from one configuration (plus
/// the devices added over the socket). The router reads one snapshot per
/// intake item; a reload builds a new one and swaps it in whole, so a reader
/// never sees half of an old table and half of a new one.
struct Routing: Sendable {
    let config: ServiceConfig
    let translator: ScanTranslator
    /// For the devices configured `"gs1_without_aim": "off"` (by index).
    let translatorWithoutGuess: ScanTranslator
    let guessOff: Set<UInt16>
    /// The pipeline's device numbers back to configured names.
    let deviceByIndex: [UInt16: String]
    let stationByDevice: [String: String]
    let stationByZone: [String: String]
    let zonesByStation: [String: [String]]
    /// Of each station's zones, those that run event cycles (sweeps).
    let cycleZonesByStation: [String: [String]]

    /// `added`: devices added over the socket that the file does not define, with their station.
    init(config c: ServiceConfig, added: [(spec: DeviceSpec, station: String?)]) {
        config = c
        // Carrier patterns are the ship stations', but a label is recognised
        // before it is routed, so every station's translator knows them all.
        let carriers = c.stations.flatMap(\.carriers)
        translator = ScanTranslator(decoder: c.scanDecoder(bareGS1: .guess), carriers: carriers)
        translatorWithoutGuess = ScanTranslator(decoder: c.scanDecoder(bareGS1: .off), carriers: carriers)
        let extra = added.filter { a in !c.devices.contains { $0.name == a.spec.name } }
        guessOff = Set((c.devices + extra.map(\.spec)).filter { $0.bareGS1 == .off }.map(\.index.value))
        deviceByIndex = Dictionary((c.devices + extra.map(\.spec)).map { ($0.index.value, $0.name) }, uniquingKeysWith: { a, _ in a })
        var byDevice: [String: String] = [:], byZone: [String: String] = [:], zones: [String: [String]] = [:], cycles: [String: [String]] = [:]
        let cycleZones = c.stationContext.cycleZones
        for a in extra { if let s = a.station, c.stations.contains(where: { $0.name == s }) { byDevice[a.spec.name] = s } }
        for s in c.stations {
            for d in s.devices { byDevice[d] = s.name }
            for z in s.zones { byZone[z] = s.name }
            zones[s.name] = s.zones
            cycles[s.name] = s.zones.filter(cycleZones.contains)
        }
        stationByDevice = byDevice; stationByZone = byZone; zonesByStation = zones; cycleZonesByStation = cycles
    }

    /// The translator for scans of `device`: its `gs1_without_aim` decides.
    func translator(for device: UInt16) -> ScanTranslator {
        guessOff.contains(device) ? translatorWithoutGuess : translator
    }
}

extension ServiceConfig {
    /// What stations are built with: the zones that run event cycles and the command names.
    var stationContext: StationContext {
        StationContext(cycleZones: Set(zones.filter { $0.cycle != nil }.map(\.name)), commands: commands)
    }
}
