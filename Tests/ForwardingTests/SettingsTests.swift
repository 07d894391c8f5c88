import Foundation
import Testing
@testable import Forwarding

/// Connection settings and secrets, without a server.
struct SettingsTests {
    @Test(arguments: [
        "host=db password=hunter2 dbname=central",
        "host=db PASSWORD = 'hunter 2'",
        "postgresql://scan:hunter2@db.example/central",
        "postgres://db.example/central?password=hunter2",
    ])
    func passwordInConnectionStringIsRefusedAndRedacted(conninfo: String) {
        do {
            _ = try CentralConnectionSettings(conninfo: conninfo)
            Issue.record("accepted a password in \(conninfo)")
        } catch {
            #expect(error.kind == .configuration)
            #expect(!error.message.contains("hunter"), "message leaks the password: \(error.message)")
            #expect(error.message.contains("password file"))
        }
    }

    @Test(arguments: ["host=db dbname=central sslmode=verify-full sslrootcert=/etc/ssl/ca.pem", "service=central",
                      "postgresql://scan@db.example:5432/central?sslmode=require", "central"])
    func connectionStringsWithoutPasswordAreAccepted(conninfo: String) throws {
        let s = try CentralConnectionSettings(conninfo: conninfo)
        #expect(s.redactedConninfo == conninfo)
    }

    @Test func rememberedPasswordIsRedactedFromAnyText() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pw").path
        FileManager.default.createFile(atPath: file, contents: Data("s3cr3t-Value\n".utf8), attributes: [.posixPermissions: 0o600])
        let s = try CentralConnectionSettings(conninfo: "host=db", passwordFile: file)
        #expect(try s.loadPassword() == "s3cr3t-Value")
        #expect(s.redact("server said s3cr3t-Value twice: s3cr3t-Value") == "server said *** twice: ***")
        #expect(s.redact("password=abc host=x") == "password=*** host=x")
    }

    @Test func missingPasswordFileNamesThePath() throws {
        let s = try CentralConnectionSettings(conninfo: "host=db", passwordFile: "/nonexistent/pw")
        #expect { try s.loadPassword() } throws: { error in
            (error as? CentralError)?.kind == .configuration && "\(error)".contains("/nonexistent/pw")
        }
    }

    @Test func arrayLiteralsEscapeQuotesAndBackslashes() {
        #expect(PGArray.texts(["a", "b\"c", "d\\e", ""]) == #"{"a","b\"c","d\\e",""}"#)
        #expect(PGArray.integers([1, -2, 30]) == "{1,-2,30}")
        #expect(PGArray.texts([]) == "{}")
    }

    @Test func originMustBeNonEmpty() throws {
        let s = try CentralConnectionSettings(conninfo: "host=db")
        #expect(throws: CentralError.self) { try ForwarderConfig(connection: s, origin: "") }
        #expect(throws: CentralError.self) { try ForwarderConfig(connection: s, origin: " dock1") }
        #expect(try ForwarderConfig(connection: s, origin: "dock1", batchSize: 0).batchSize == 1)
    }
}
