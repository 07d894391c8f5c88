/// A device as named in the configuration ("dock-3-portal", "pack-1-scanner").
public struct DeviceID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral name: String) { self.name = name }
    public var description: String { name }
    public static func < (a: DeviceID, b: DeviceID) -> Bool { a.name < b.name }
}

/// A location code in the ledger's master data ("A-01-02", "DOCK-3", "@supplier").
public struct LocationCode: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let code: String
    public init(_ code: String) { self.code = code }
    public init(stringLiteral code: String) { self.code = code }
    public var description: String { code }
    public static func < (a: LocationCode, b: LocationCode) -> Bool { a.code < b.code }
}

/// Time of an event in microseconds. Device timestamps are wall-clock
/// (microseconds since the Unix epoch); the pipeline's injected clock may use
/// a monotonic or virtual origin. The two are never mixed in one comparison.
public struct Microseconds: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static func milliseconds(_ ms: Int64) -> Microseconds { Microseconds(ms * 1000) }
    public static func seconds(_ s: Int64) -> Microseconds { Microseconds(s * 1_000_000) }
    public static let zero = Microseconds(0)
    public static func < (a: Microseconds, b: Microseconds) -> Bool { a.value < b.value }
    public static func + (a: Microseconds, b: Microseconds) -> Microseconds { Microseconds(a.value + b.value) }
    public static func - (a: Microseconds, b: Microseconds) -> Microseconds { Microseconds(a.value - b.value) }
    public var description: String { "\(value)µs" }
}

/// A small integer naming a device inside the hot path, so a `TagRead` stays a
/// fixed-size value. The service assigns them and keeps the name mapping.
public struct DeviceIndex: Hashable, Sendable, Comparable {
    public let value: UInt16
    public init(_ value: UInt16) { self.value = value }
    public static func < (a: DeviceIndex, b: DeviceIndex) -> Bool { a.value < b.value }
}

/// One report of one tag by one reader antenna. Fixed-size, no heap: batches
/// of these cross from drivers into the pipeline.
public struct TagRead: Hashable, Sendable {
    public var epc: EPC
    public var device: DeviceIndex
    /// 1-based antenna port; 0 when the reader does not say.
    public var antenna: UInt16
    /// Peak RSSI in dBm, when reported.
    public var rssi: Float?
    /// How many times the reader saw the tag in this report (≥ 1).
    public var count: UInt32
    public var time: Microseconds

    public init(epc: EPC, device: DeviceIndex, antenna: UInt16 = 0, rssi: Float? = nil,
                count: UInt32 = 1, time: Microseconds) {
        self.epc = epc; self.device = device; self.antenna = antenna
        self.rssi = rssi; self.count = count; self.time = time
    }
}

/// The symbology a barcode was read as, from its AIM identifier where given.
/// Raw values are the names used in JSON output.
public enum Symbology: String, Sendable, Hashable, CaseIterable {
    case gs1_128 = "gs1-128"
    case code128 = "code128"
    case gs1DataMatrix = "gs1-datamatrix"
    case dataMatrix = "datamatrix"
    case gs1QR = "gs1-qr"
    case qr = "qr"
    case gs1DataBar = "gs1-databar"
    case gs1DotCode = "gs1-dotcode"
    case dotCode = "dotcode"
    case ean13 = "ean-13"
    case upcA = "upc-a"
    case upcE = "upc-e"
    case ean8 = "ean-8"
    case code39 = "code39"
    case interleaved2of5 = "itf"
    case pdf417 = "pdf417"
    case aztec = "aztec"
    case codabar = "codabar"
    case other = "other"
}

/// One barcode read as a scanner delivered it: raw bytes (GS = 0x1D kept),
/// with the AIM identifier still attached if the scanner sent one.
public struct Scan: Hashable, Sendable {
    public var data: [UInt8]
    public var device: DeviceIndex
    public var time: Microseconds

    public init(data: [UInt8], device: DeviceIndex, time: Microseconds) {
        self.data = data; self.device = device; self.time = time
    }
    public init(text: String, device: DeviceIndex, time: Microseconds) {
        self.init(data: Array(text.utf8), device: device, time: time)
    }
}
