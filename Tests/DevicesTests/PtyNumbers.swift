import Foundation

/// Slave ends of test ptys, kept open until the process exits so their
/// numbers are never reused while a runner or daemon might still reopen the
/// path (the kernel hands the lowest free number to the next `openpty`).
/// One file for both test modules (ServiceTests links to it).
enum PtyNumbers {
    nonisolated(unsafe) private static var retired: [Int32] = []
    private static let lock = NSLock()
    static func retire(_ fd: Int32) { lock.lock(); retired.append(fd); lock.unlock() }

    /// Whether a descriptor of this process refers to `path` (gone or not):
    /// the kernel frees a pty's number only when none does.
    static func held(_ path: String) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.contains { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)) ?? ""
            return target == path || target == path + " (deleted)"
        }
    }
}
