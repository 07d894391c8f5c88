import Foundation
import Testing
@testable import Forwarding

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A private PostgreSQL for the test process: initdb into a temporary
/// directory, listening on 127.0.0.1 at a free port and on a private socket
/// directory. Started once (lazily) and stopped when the process exits.
/// The shared server is never stopped by a test: suites run in parallel, and
/// an outage staged on it once failed a test in another suite (CI, stop 23).
/// A test that stops or restarts its server takes one of its own (`own()`).
/// PostgreSQL refuses to run as root, so as root the server runs as the
/// `postgres` user (runuser) in a directory given to that user.
final class PostgresServer: @unchecked Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"
    /// The superuser's password (scram-sha-256 over TCP; the socket trusts).
    static let superuserPassword = "pw-\(UUID().uuidString.prefix(8))-secret"

    let directory: String
    let dataDirectory: String
    let socketDirectory: String
    let port: Int
    /// The CA that signed the server's certificate (for localhost and
    /// 127.0.0.1), and one that did not: libpq's sslmode=verify-full runs
    /// against the real server.
    let certificateAuthority: String
    let unrelatedCertificateAuthority: String
    /// Only a server of a test's own may be stopped or restarted.
    let mayBeTakenDown: Bool
    private let lock = NSLock()
    private var databaseCounter = 0

    nonisolated(unsafe) private static var started: PostgresServer?
    private static let startLock = NSLock()
    nonisolated(unsafe) private static var startError: String?
    nonisolated(unsafe) private static var owned: [PostgresServer] = []
    /// Stops every server this process started when it exits (once, whichever starts first).
    private static let stopAllAtExit: Void = {
        atexit {
            PostgresServer.started?.stopQuietly()
            PostgresServer.owned.forEach { $0.stopQuietly() }
        }
    }()

    /// The shared server, started on first use.
    static func shared() throws -> PostgresServer {
        startLock.lock(); defer { startLock.unlock() }
        if let started { return started }
        if let startError { throw TestFailure(startError) }
        do {
            let server = try PostgresServer(mayBeTakenDown: false)
            started = server
            _ = stopAllAtExit
            return server
        } catch {
            startError = "\(error)"
            throw error
        }
    }

    /// A server for one test that stages an outage (stops or restarts it);
    /// removed when the test drops it, or at exit.
    static func own() throws -> PostgresServer {
        let server = try PostgresServer(mayBeTakenDown: true)
        startLock.lock(); owned.append(server); _ = stopAllAtExit; startLock.unlock()
        return server
    }

    private init(mayBeTakenDown: Bool) throws {
        self.mayBeTakenDown = mayBeTakenDown
        guard FileManager.default.isExecutableFile(atPath: Self.binaries + "/initdb") else {
            throw TestFailure("PostgreSQL 15 is not installed (\(Self.binaries)/initdb missing): apt-get install postgresql")
        }
        directory = NSTemporaryDirectory() + "scanledger-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        dataDirectory = directory + "/data"
        socketDirectory = directory + "/socket"
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        let passwordFile = directory + "/superuser-password"
        FileManager.default.createFile(atPath: passwordFile, contents: Data(Self.superuserPassword.utf8), attributes: [.posixPermissions: 0o600])
        if getuid() == 0 {
            try Self.run("/bin/chown", ["-R", "postgres:postgres", directory])
        }
        port = try Self.freePort()
        certificateAuthority = directory + "/tls/ca.pem"
        unrelatedCertificateAuthority = directory + "/tls/other-ca.pem"
        try Self.runAsPostgres("initdb", ["-D", dataDirectory, "-U", "postgres", "--pwfile=\(passwordFile)",
                                          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"])
        try Self.makeCertificates(in: directory + "/tls", serverFilesInto: dataDirectory)
        try start()
    }

    /// A throwaway CA, a server certificate it signs for localhost and
    /// 127.0.0.1 (installed as the data directory's server.crt/server.key,
    /// which ssl=on reads), and an unrelated CA.
    private static func makeCertificates(in tls: String, serverFilesInto data: String) throws {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw TestFailure("openssl is not installed: apt-get install openssl")
        }
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try run(openssl, ["req", "-x509"] + ec + ["-days", "2", "-subj", "/CN=ScanLedger test \(ca)",
                                                      "-keyout", "\(tls)/\(ca).key", "-out", "\(tls)/\(ca).pem"])
        }
        try run(openssl, ["req"] + ec + ["-subj", "/CN=localhost", "-keyout", "\(tls)/server.key", "-out", "\(tls)/server.csr"])
        FileManager.default.createFile(atPath: "\(tls)/server.ext", contents: Data("subjectAltName=DNS:localhost,IP:127.0.0.1\n".utf8))
        try run(openssl, ["x509", "-req", "-in", "\(tls)/server.csr", "-CA", "\(tls)/ca.pem", "-CAkey", "\(tls)/ca.key",
                          "-CAcreateserial", "-days", "2", "-extfile", "\(tls)/server.ext", "-out", "\(tls)/server.crt"])
        // PostgreSQL refuses a key others can read; as root the server runs as postgres.
        let owner = getuid() == 0 ? ["-o", "postgres", "-g", "postgres"] : []
        for file in ["server.crt", "server.key"] {
            try run("/usr/bin/install", owner + ["-m", "600", "\(tls)/\(file)", "\(data)/\(file)"])
        }
    }

    /// Server options: durability off (tests restart it on purpose, never lose power).
    private var serverOptions: String {
        "-k \(socketDirectory) -p \(port) -c listen_addresses=127.0.0.1 -c ssl=on -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    }

    func start() throws {
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60", "-o", serverOptions, "start"])
    }

    func stop() throws {
        precondition(mayBeTakenDown, "the shared server serves other suites at the same time: take PostgresServer.own()")
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-w", "-t", "60", "-m", "fast", "stop"])
    }

    func restart() throws {
        precondition(mayBeTakenDown, "the shared server serves other suites at the same time: take PostgresServer.own()")
        try Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60", "-m", "fast", "-o", serverOptions, "restart"])
    }

    fileprivate func stopQuietly() {
        try? Self.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-w", "-t", "30", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Connection string over the private socket (trusted: no password).
    func socketConninfo(database: String) -> String {
        "host=\(socketDirectory) port=\(port) user=postgres dbname=\(database)"
    }

    /// Connection string over TCP on loopback (needs the password).
    func tcpConninfo(database: String) -> String {
        "host=127.0.0.1 port=\(port) user=postgres dbname=\(database) sslmode=disable"
    }

    /// Connection string over TLS on loopback, verifying the server's
    /// certificate and name against `rootCertificate`.
    func tlsConninfo(database: String, rootCertificate: String) -> String {
        "host=localhost hostaddr=127.0.0.1 port=\(port) user=postgres dbname=\(database) sslmode=verify-full sslrootcert=\(rootCertificate)"
    }

    /// A fresh, empty database; with `initialize`, the central schema applied.
    func createDatabase(initialize: Bool = true) throws -> String {
        lock.lock(); databaseCounter += 1; let name = "central_\(databaseCounter)_\(UUID().uuidString.prefix(6).lowercased())"; lock.unlock()
        let admin = try PGConnection(try CentralConnectionSettings(conninfo: socketConninfo(database: "postgres")))
        try admin.run("CREATE DATABASE \(name)")
        if initialize {
            let db = try CentralDatabase(try settings(database: name))
            _ = try db.initialize()
        }
        return name
    }

    func settings(database: String) throws -> CentralConnectionSettings {
        try CentralConnectionSettings(conninfo: socketConninfo(database: database), connectTimeoutSeconds: 3)
    }

    /// A direct connection for assertions.
    func connect(_ database: String) throws -> PGConnection {
        try PGConnection(try settings(database: database))
    }

    // MARK: processes

    private static func runAsPostgres(_ tool: String, _ arguments: [String]) throws {
        let path = binaries + "/" + tool
        if getuid() == 0 {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try run(path, arguments)
        }
    }

    /// posix_spawn + waitpid rather than Foundation's Process: Process did not
    /// notice `runuser … pg_ctl start` exiting (its child daemonised), and hung.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = NSTemporaryDirectory() + "pg-tool-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // From "/", not the test's directory: postgres may not be allowed to read it.
        let argv = (["/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
    }

    /// A port nobody listens on now (bound to 0, read back, released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw TestFailure("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
