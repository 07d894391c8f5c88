import Foundation

/// How to reach the central PostgreSQL: a libpq connection string (or URI,
/// or `service=NAME` for a pg_service.conf entry) plus, optionally, a file
/// holding the password. TLS is libpq's: put `sslmode=verify-full
/// sslrootcert=/etc/…/ca.pem` in the connection string. `PGPASSFILE` and
/// `passfile=` work as libpq documents them.
///
/// The password is never part of the connection string (refused there, so it
/// cannot reach a command line, a config dump or a log) and every error text
/// passes through `redactor`.
public struct CentralConnectionSettings: Sendable {
    public var conninfo: String
    /// A file whose whole content (trailing newline ignored) is the password.
    /// It must not be readable by group or others (like libpq's .pgpass).
    public var passwordFile: String?
    public var applicationName: String
    public var connectTimeoutSeconds: Int
    let redactor = Redactor()

    public init(conninfo: String, passwordFile: String? = nil, applicationName: String = "scanledger", connectTimeoutSeconds: Int = 5) throws(CentralError) {
        if Self.containsPassword(conninfo) {
            throw CentralError(.configuration, "the central connection string contains a password; put it in a password file (central.password_file, mode 0600) or PGPASSFILE instead: \(Redactor.redactConninfo(conninfo))")
        }
        self.conninfo = conninfo
        self.passwordFile = passwordFile
        self.applicationName = applicationName
        self.connectTimeoutSeconds = max(1, connectTimeoutSeconds)
    }

    /// The connection string with anything secret-looking masked, for messages.
    public var redactedConninfo: String { Redactor.redactConninfo(conninfo) }

    /// Replaces the password (once read) and password-like settings with `***`.
    public func redact(_ text: String) -> String { redactor.redact(text) }

    /// Checks the password file as the forwarder will read it (exists, a
    /// regular file, not readable by group or others, UTF-8): what
    /// `check-config` runs so a bad file is found before the daemon retries
    /// on it forever.
    public func checkPasswordFile() throws(CentralError) { _ = try loadPassword() }

    /// Reads the password file, checking its permissions; "" without one.
    func loadPassword() throws(CentralError) -> String {
        guard let path = passwordFile, !path.isEmpty else { return "" }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CentralError(.configuration, "central password file \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CentralError(.configuration, "central password file \(path) is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw CentralError(.configuration, String(format: "central password file %@ has mode %o; it must not be readable by group or others (chmod 600 %@)", path, Int(info.st_mode & 0o777), path))
        }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw CentralError(.configuration, "central password file \(path) cannot be read as UTF-8 text")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        redactor.remember(text)
        return text
    }

    /// `password=` as a keyword, or `user:secret@` in a URI.
    static func containsPassword(_ conninfo: String) -> Bool {
        let lower = conninfo.lowercased()
        if lower.range(of: #"(^|\s)password\s*="#, options: .regularExpression) != nil { return true }
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            let rest = conninfo.drop(while: { $0 != "/" }).dropFirst(2)
            let authority = rest.prefix(while: { $0 != "/" && $0 != "?" })
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { return true }
            if lower.contains("password=") { return true }
        }
        return false
    }
}

/// Masks secrets in text meant for people. Thread-safe.
final class Redactor: @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: Set<String> = []

    func remember(_ secret: String) {
        guard !secret.isEmpty else { return }
        lock.lock(); secrets.insert(secret); lock.unlock()
    }

    func redact(_ text: String) -> String {
        lock.lock(); let known = secrets; lock.unlock()
        var out = Redactor.redactConninfo(text)
        for s in known { out = out.replacingOccurrences(of: s, with: "***") }
        return out
    }

    static func redactConninfo(_ text: String) -> String {
        var out = text.replacingOccurrences(of: #"(?i)(password\s*=\s*)('([^'\\]|\\.)*'|[^\s&]+)"#, with: "$1***", options: .regularExpression)
        out = out.replacingOccurrences(of: #"(?i)(postgres(ql)?://[^:/@\s]*:)[^@/\s]*@"#, with: "$1***@", options: .regularExpression)
        return out
    }
}
