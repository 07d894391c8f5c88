/// Line settings of a serial port, written the way people say them:
/// `9600 8N1`, `115200 8E1 rtscts`.
public struct SerialSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Parity: Character, Sendable { case none = "N", even = "E", odd = "O" }
    public enum FlowControl: String, Sendable { case none, rtscts, xonxoff }

    public var baud: Int
    public var dataBits: Int
    public var parity: Parity
    public var stopBits: Int
    public var flow: FlowControl

    public static let supportedBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]

    public init(baud: Int = 9600, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1, flow: FlowControl = .none) {
        self.baud = baud; self.dataBits = dataBits; self.parity = parity; self.stopBits = stopBits; self.flow = flow
    }

    /// Parses `BAUD [DPS] [FLOW]`, e.g. `115200 8N1 rtscts`.
    public init(parsing text: String) throws(DeviceError) {
        let parts = text.split(separator: " ").map(String.init)
        guard let first = parts.first, let baud = Int(first), Self.supportedBauds.contains(baud) else {
            throw DeviceError.configuration("serial settings '\(text)': the baud rate must be one of \(Self.supportedBauds.map(String.init).joined(separator: ", "))")
        }
        self.init(baud: baud)
        for part in parts.dropFirst() {
            let chars = Array(part)
            if chars.count == 3, let d = chars[0].wholeNumberValue, (5...8).contains(d),
               let p = Parity(rawValue: Character(chars[1].uppercased())), let s = chars[2].wholeNumberValue, (1...2).contains(s) {
                dataBits = d; parity = p; stopBits = s
            } else if let f = FlowControl(rawValue: part.lowercased()) {
                flow = f
            } else {
                throw DeviceError.configuration("serial settings '\(text)': '\(part)' is neither data/parity/stop like 8N1 nor a flow control (none, rtscts, xonxoff)")
            }
        }
    }

    /// Bits on the wire per byte: start + data + parity + stop.
    public var bitsPerByte: Int { 1 + dataBits + (parity == .none ? 0 : 1) + stopBits }
    public var bytesPerSecond: Int { baud / bitsPerByte }

    public var description: String {
        "\(baud) \(dataBits)\(parity.rawValue)\(stopBits)" + (flow == .none ? "" : " \(flow.rawValue)")
    }
}
