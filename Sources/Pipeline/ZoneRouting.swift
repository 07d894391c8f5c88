import ScanModel

/// Maps (device, antenna) to a zone and an RSSI floor with flat arrays, so
/// routing a read is two array loads. An explicit antenna wins over a
/// reader configured with "every antenna".
struct ZoneRouting {
    static let noZone: Int32 = -1

    private var deviceZone: [Int32] = []
    private var deviceFloor: [Float] = []
    private var antennaBase: [Int] = []
    private var antennaCount: [Int] = []
    private var antennaZone: [Int32] = []
    private var antennaFloor: [Float] = []

    init(zones: [ZoneConfig]) throws(PipelineConfigError) {
        var whole: [UInt16: (zone: Int32, floor: Float, overrides: [UInt16: Float])] = [:]
        var explicit: [UInt16: [UInt16: (zone: Int32, floor: Float)]] = [:]
        for (zi, zone) in zones.enumerated() {
            for (ri, reader) in zone.readers.enumerated() {
                let key = "zones[\(zi)].readers[\(ri)]"
                let d = reader.device.value
                let floor = reader.rssiFloor ?? -.infinity
                if reader.antennas.isEmpty {
                    if let other = whole[d] {
                        throw PipelineConfigError(key: key, "device \(d) (all antennas) is already in zone '\(zones[Int(other.zone)].name)'")
                    }
                    whole[d] = (Int32(zi), floor, reader.antennaRSSIFloor)
                } else {
                    for a in reader.antennas {
                        if let other = explicit[d]?[a] {
                            throw PipelineConfigError(key: key, "device \(d) antenna \(a) is already in zone '\(zones[Int(other.zone)].name)'")
                        }
                        explicit[d, default: [:]][a] = (Int32(zi), reader.antennaRSSIFloor[a] ?? floor)
                    }
                }
            }
        }
        let maxDevice = Int(max(whole.keys.max() ?? 0, explicit.keys.max() ?? 0))
        guard !whole.isEmpty || !explicit.isEmpty else { return }
        deviceZone = Array(repeating: ZoneRouting.noZone, count: maxDevice + 1)
        deviceFloor = Array(repeating: -.infinity, count: maxDevice + 1)
        antennaBase = Array(repeating: 0, count: maxDevice + 1)
        antennaCount = Array(repeating: 0, count: maxDevice + 1)
        for d in 0...maxDevice {
            let device = UInt16(d)
            if let w = whole[device] { deviceZone[d] = w.zone; deviceFloor[d] = w.floor }
            var table: [UInt16: (zone: Int32, floor: Float)] = explicit[device] ?? [:]
            if let w = whole[device] {
                for (a, f) in w.overrides where table[a] == nil { table[a] = (w.zone, f) }
            }
            guard let top = table.keys.max() else { continue }
            antennaBase[d] = antennaZone.count
            antennaCount[d] = Int(top) + 1
            antennaZone.append(contentsOf: repeatElement(ZoneRouting.noZone, count: Int(top) + 1))
            antennaFloor.append(contentsOf: repeatElement(-.infinity, count: Int(top) + 1))
            for (a, entry) in table {
                antennaZone[antennaBase[d] + Int(a)] = entry.zone
                antennaFloor[antennaBase[d] + Int(a)] = entry.floor
            }
        }
    }

    /// Zone index (or `noZone`) and RSSI floor (−∞ = none).
    @inline(__always)
    func route(device: DeviceIndex, antenna: UInt16) -> (zone: Int32, floor: Float) {
        let d = Int(device.value)
        guard d < deviceZone.count else { return (ZoneRouting.noZone, -.infinity) }
        let a = Int(antenna)
        if a < antennaCount[d] {
            let i = antennaBase[d] + a
            if antennaZone[i] >= 0 { return (antennaZone[i], antennaFloor[i]) }
        }
        return (deviceZone[d], deviceFloor[d])
    }
}
