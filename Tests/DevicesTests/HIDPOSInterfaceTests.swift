import Foundation
import Testing
@testable import Devices

/// Which interface and endpoints the libusb port uses, from the active
/// configuration (the umockdev tests run the same choice through libusb).
@Suite struct HIDPOSInterfaceTests {
    typealias EP = USBInterfaceInfo.Endpoint
    static let keyboard = USBInterfaceInfo(number: 0, interfaceClass: 3, subclass: 1, interfaceProtocol: 1,
                                           endpoints: [EP(address: 0x81, attributes: 3)])
    static let hidpos = USBInterfaceInfo(number: 1, interfaceClass: 3, endpoints: [
        EP(address: 0x83, attributes: 3), EP(address: 0x04, attributes: 3)])

    @Test func compositeScannerUsesTheHIDPOSInterfaceNotTheKeyboard() {
        #expect(HIDPOSEndpoints.choose([Self.keyboard, Self.hidpos])
                == HIDPOSEndpoints(interface: 1, input: 0x83, output: 0x04))
    }

    @Test func pureHIDPOSWithoutOutEndpointUsesTheControlPipe() {
        let only = USBInterfaceInfo(number: 0, interfaceClass: 3, endpoints: [EP(address: 0x81, attributes: 3)])
        #expect(HIDPOSEndpoints.choose([only]) == HIDPOSEndpoints(interface: 0, input: 0x81, output: nil))
    }

    /// A keyboard-wedge-only scanner, a CDC-ACM one and a HID interface with
    /// only bulk endpoints are not HID POS: no choice, so the opener says so.
    @Test func noHIDPOSInterfaceIsNil() {
        let cdc = USBInterfaceInfo(number: 0, interfaceClass: 2, endpoints: [EP(address: 0x82, attributes: 3)])
        let bulkHID = USBInterfaceInfo(number: 2, interfaceClass: 3, endpoints: [EP(address: 0x85, attributes: 2)])
        #expect(HIDPOSEndpoints.choose([Self.keyboard]) == nil)
        #expect(HIDPOSEndpoints.choose([cdc, bulkHID]) == nil)
        #expect(HIDPOSEndpoints.choose([]) == nil)
    }
}
