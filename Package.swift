// swift-tools-version:6.0
// ScanLedger: scanner and RFID integration daemon. No Swift package
// dependencies by design: Foundation, Dispatch and C system libraries only.
import PackageDescription

let package = Package(
    name: "ScanLedger",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scanledgerd", targets: ["scanledgerd"]),
        .executable(name: "scanledger", targets: ["scanledger"]),
        .executable(name: "scanledger-bench", targets: ["scanledger-bench"]),
    ],
    targets: [
        // C libraries, found with pkg-config; Debian package names for the hint.
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0",
                       providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CLibSerialPort", pkgConfig: "libserialport",
                       providers: [.apt(["libserialport-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "CLinuxShims", linkerSettings: [.linkedLibrary("util")]),

        // Left to right: nothing imports a module to its right.
        .target(name: "ScanModel"),
        .target(name: "GS1", dependencies: ["ScanModel"]),
        .target(name: "Devices", dependencies: ["ScanModel", "GS1", "CLinuxShims", "CLibSerialPort", "CLibUSB"]),
        .target(name: "Pipeline", dependencies: ["ScanModel"]),
        .target(name: "Ledger", dependencies: ["ScanModel", "GS1", "CSQLite"]),
        .target(name: "Stations", dependencies: ["ScanModel"]),
        .target(name: "Forwarding", dependencies: ["Ledger", "ScanModel", "CLibPQ"]),
        .target(name: "Service", dependencies: ["ScanModel", "GS1", "Devices", "Pipeline", "Stations", "Ledger", "Forwarding", "CLinuxShims"]),

        .executableTarget(name: "scanledgerd", dependencies: ["Service", "ScanModel", "Ledger"]),
        .executableTarget(name: "scanledger", dependencies: ["ScanModel", "GS1", "Devices", "Ledger", "CLinuxShims", "Service", "Forwarding"]),
        .executableTarget(name: "scanledger-fuzz", dependencies: ["ScanModel", "GS1", "Devices", "Forwarding", "Service", "Stations"]),
        .executableTarget(name: "scanledger-bench", dependencies: ["ScanModel", "GS1", "Devices", "Pipeline", "Ledger", "CSQLite", "CLinuxShims", "Stations", "Forwarding"]),

        .testTarget(name: "ScanModelTests", dependencies: ["ScanModel"]),
        .testTarget(name: "GS1Tests", dependencies: ["GS1", "ScanModel"], resources: [.copy("Vectors")]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "ScanModel", "GS1", "CLinuxShims"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "ScanModel"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "CLinuxShims", "Stations", "Ledger", "ScanModel", "Devices", "Forwarding"]),
        .testTarget(name: "StationsTests", dependencies: ["Stations", "ScanModel"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "ScanModel", "GS1", "CSQLite"], exclude: ["EPCIS"]),
        .testTarget(name: "ForwardingTests", dependencies: ["Forwarding", "Ledger", "ScanModel"]),
        .testTarget(name: "CLITests", dependencies: ["ScanModel", "Ledger"]),
    ],
    swiftLanguageModes: [.v6]
)
