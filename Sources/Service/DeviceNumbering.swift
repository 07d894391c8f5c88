import ScanModel

/// Device numbers (the pipeline's `DeviceIndex`, carried by every tag read
/// and scan) for the life of the process: a device name keeps its number
/// across reloads and socket removal/re-adding, and a new name always gets a
/// number no other device ever had. Numbering by config position alone would
/// hand a reloaded file's new device the number a `device-add` device
/// already uses, and their reads would be taken for each other's.
struct DeviceNumbering: Sendable {
    private var byName: [String: UInt16] = [:]
    private var next: UInt16 = 1

    /// The number for `name`, allocating the next unused one for a new name;
    /// nil once all 65,535 numbers are taken (restart the daemon).
    mutating func index(for name: String) -> DeviceIndex? {
        if let known = byName[name] { return DeviceIndex(known) }
        guard next < UInt16.max else { return nil }
        byName[name] = next
        defer { next += 1 }
        return DeviceIndex(next)
    }

    /// Renumbers a parsed config in place (devices and zone readers).
    mutating func apply(to config: inout ServiceConfig) {
        config.renumberDevices { name in index(for: name) ?? DeviceIndex(UInt16.max) }
    }
}
