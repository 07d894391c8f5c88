import Foundation
import Testing
@testable import Forwarding

/// TLS to the central server (issue: "TLS via sslmode/sslrootcert"): the
/// test server has ssl=on with a certificate from a throwaway CA.
extension ForwardingTests {
    @Test func forwardsOverVerifiedTLSAndRefusesAnUntrustedServer() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let password = dir.appendingPathComponent("password").path
        FileManager.default.createFile(atPath: password, contents: Data(PostgresServer.superuserPassword.utf8), attributes: [.posixPermissions: 0o600])

        let box = try Box(origin: "tls-dock")
        try box.postMix(5, tag: "tls")
        let trusted = try CentralConnectionSettings(conninfo: server.tlsConninfo(database: name, rootCertificate: server.certificateAuthority),
                                                    passwordFile: password)
        #expect(try box.forwarder(trusted).forwardPending() == 5)
        // The session really is encrypted, not silently downgraded.
        let session = try PGConnection(trusted)
        #expect(try count(session, "SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl") == 1)
        #expect(try count(session, "SELECT count(*) FROM postings WHERE origin = 'tls-dock'") == 5)

        // A server whose certificate this CA did not sign is refused before the password goes out.
        let untrusted = try CentralConnectionSettings(conninfo: server.tlsConninfo(database: name, rootCertificate: server.unrelatedCertificateAuthority),
                                                      passwordFile: password)
        try box.postMix(1, tag: "after")
        let forwarder = try box.forwarder(untrusted)
        do {
            try forwarder.forwardPending()
            Issue.record("connected to a server signed by an untrusted CA")
        } catch {
            #expect(error.kind == .connection)
            #expect(error.message.contains("certificate verify failed"))
            #expect(!error.message.contains(PostgresServer.superuserPassword))
        }
        #expect(try count(session, "SELECT count(*) FROM postings WHERE origin = 'tls-dock'") == 5)
    }
}
