import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `LEDGER.lock`, held by scanledgerd for its whole
/// life and by `scanledger restore` while it swaps files, so a restore never
/// replaces the file under a running daemon and a daemon never starts in the
/// middle of a restore.
///
/// Why a lock file and not the control socket or SQLite's locks: the kernel
/// drops a flock when its holder dies, even by SIGKILL, so a crashed daemon
/// never leaves a stale lock (a pid file or a left-over socket would); it does
/// not depend on the config's socket path; and it is a separate file because
/// SQLite's own POSIX locks on the database are dropped when any descriptor
/// of the file is closed in the process, and in WAL mode they cannot tell a
/// reader from the daemon. Other CLI commands (post, stock, backup) do not take
/// it: they may run next to the daemon.
public final class LedgerLock: Sendable {
    public let path: String
    private let fd: Int32

    public static func lockPath(ledger: String) -> String { ledger + ".lock" }

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    deinit { close(fd) }   // closing the descriptor releases the flock

    /// The lock, or `.failure` naming the holder when another process has it.
    public static func acquire(ledger: String) throws -> Result<LedgerLock, Holder> {
        let path = lockPath(ledger: ledger)
        let existed = FileManager.default.fileExists(atPath: path)
        // Read-only suffices for flock: a lock file that root's restore created stays usable by the daemon's user.
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        if fd < 0, errno == EACCES { fd = open(path, O_RDONLY | O_CLOEXEC) }
        if fd >= 0, !existed { LedgerBackup.matchOwner(path, like: LedgerBackup.directoryOf(ledger)) }
        guard fd >= 0 else { throw LedgerError.sqlite("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard e == EWOULDBLOCK else { throw LedgerError.sqlite("cannot lock \(path): \(String(cString: strerror(e)))") }
            let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(Holder(lockPath: path, pid: Int32(text) ?? 0))
        }
        // The holder's pid, for the refusal message of whoever comes next.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        return .success(LedgerLock(path: path, fd: fd))
    }

    /// Who has the lock.
    public struct Holder: Error, Sendable, CustomStringConvertible {
        public let lockPath: String
        public let pid: Int32
        public var description: String { "pid \(pid == 0 ? "?" : String(pid)) holds \(lockPath)" }
    }
}
