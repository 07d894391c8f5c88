import Foundation
import Testing
@testable import Service

/// Bug 5: config syntax errors gave Foundation's character offset instead of
/// file:line:column, and a trailing comma was accepted. A config error must
/// point at the file, line and column, and name the key path when it has one.
@Suite struct ConfigSyntaxTests {
    /// Writes `text` to a fresh file and loads it the way the daemon does.
    func loadError(_ text: String) throws -> (path: String, message: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("config-syntax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("scanledger.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ServiceConfig.load(path: path)
            return (path, "no error")
        } catch {
            return (path, "\(error)")
        }
    }

    @Test func trailingCommaIsRefusedWithItsPosition() throws {
        let (path, message) = try loadError("""
            {
              "site": {"box_id": "b"},
              "ledger": {"path": "/tmp/l.db"},
            }
            """)
        // The closing brace on line 4 follows the comma on line 3.
        #expect(message.hasPrefix("\(path):4:1: "), "\(message)")
        #expect(message.contains("trailing comma"), "\(message)")
    }

    @Test func trailingCommaInAnArrayIsRefused() throws {
        let (path, message) = try loadError("""
            {"site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"},
             "patterns": {"location": ["LOC:*",]}}
            """)
        #expect(message.hasPrefix("\(path):2:36: "), "\(message)")
    }

    @Test func syntaxErrorOnLine7NamesLineAndColumn() throws {
        let (path, message) = try loadError("""
            {
              "site": {
                "box_id": "b"
              },
              "ledger": {
                "path": "/tmp/l.db",
                "synchronous" "full"
              }
            }
            """)
        #expect(message.hasPrefix("\(path):7:19: "), "\(message)")
        #expect(message.contains("':'"), "\(message)")
    }

    @Test func valueErrorsNameFileLineColumnAndKeyPath() throws {
        let (path, message) = try loadError("""
            {
              "site": {"box_id": "b"},
              "ledger": {"path": "/tmp/l.db"},
              "log_level": "loud"
            }
            """)
        #expect(message.hasPrefix("\(path):4:16: log_level: 'loud' is not one of"), "\(message)")
    }

    @Test func unknownKeyPointsAtTheKey() throws {
        let (path, message) = try loadError("""
            {
              "site": {"box_id": "b", "colour": 1},
              "ledger": {"path": "/tmp/l.db"}
            }
            """)
        #expect(message.hasPrefix("\(path):2:27: site.colour: unknown key"), "\(message)")
    }
}

extension ConfigError {
    /// "key.path: message" after checking the error carries a position in
    /// `file` (every error about a value read from a file must).
    func checkedPositionThenKeyPathAndMessage(file: String) -> String {
        #expect(location?.hasPrefix("\(file):") == true, "no file position in \(self)")
        return path.isEmpty ? message : "\(path): \(message)"
    }
}
