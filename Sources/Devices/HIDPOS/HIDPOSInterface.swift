/// One interface of a USB configuration, as far as choosing the HID POS
/// interface needs it (the first alternate setting; HID has no others).
public struct USBInterfaceInfo: Hashable, Sendable {
    public struct Endpoint: Hashable, Sendable {
        public var address: UInt8
        /// bmAttributes: bits 0-1 are the transfer type (3 = interrupt).
        public var attributes: UInt8
        public init(address: UInt8, attributes: UInt8) { self.address = address; self.attributes = attributes }
        var isInterrupt: Bool { attributes & 3 == 3 }
        var isIn: Bool { address & 0x80 != 0 }
    }
    public var number: UInt8
    public var interfaceClass: UInt8
    public var subclass: UInt8
    public var interfaceProtocol: UInt8
    public var endpoints: [Endpoint]
    public init(number: UInt8, interfaceClass: UInt8, subclass: UInt8 = 0, interfaceProtocol: UInt8 = 0, endpoints: [Endpoint]) {
        self.number = number; self.interfaceClass = interfaceClass; self.subclass = subclass
        self.interfaceProtocol = interfaceProtocol; self.endpoints = endpoints
    }
}

/// Where a HID POS scanner's reports flow: the interface to claim, its
/// interrupt-IN endpoint and its interrupt-OUT endpoint when it has one
/// (output reports go there; without it, SET_REPORT on the control pipe).
public struct HIDPOSEndpoints: Hashable, Sendable {
    public var interface: UInt8
    public var input: UInt8
    public var output: UInt8?

    /// HID class 3 with an interrupt-IN endpoint that is not a boot
    /// keyboard or mouse (protocol 1 or 2): composite scanners put a
    /// keyboard-wedge interface first and HID POS second (Honeywell's USB
    /// manual names interface 1), so "interface 0, endpoint 0x81" would read
    /// keystrokes. Nil when no interface qualifies (the scanner is not in
    /// HID POS mode); a keyboard is never read as HID POS.
    public static func choose(_ interfaces: [USBInterfaceInfo]) -> HIDPOSEndpoints? {
        for i in interfaces where i.interfaceClass == 3 && i.interfaceProtocol == 0 {
            guard let input = i.endpoints.first(where: { $0.isInterrupt && $0.isIn }) else { continue }
            let output = i.endpoints.first { $0.isInterrupt && !$0.isIn }
            return HIDPOSEndpoints(interface: i.number, input: input.address, output: output?.address)
        }
        return nil
    }
}
