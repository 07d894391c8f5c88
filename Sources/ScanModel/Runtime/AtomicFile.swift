#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that a reader sees the old contents or the new, never
/// a part: the bytes go to a hidden temporary file in the same directory
/// (a rename is atomic only within one file system), are fsynced, renamed
/// over the target, and the directory is fsynced so the rename survives a
/// power cut. The temporary name does not end like the target (`.x.prom`
/// becomes `.x.prom.tmp-PID`), so a collector matching `*.prom` never reads it.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws(Errno) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temp = (directory == "/" ? "" : directory) + "/." + name + ".tmp-\(getpid())"
        let fd = try FileDescriptor.open(temp, O_WRONLY | O_CREAT | O_TRUNC, permissions: permissions)
        do throws(Errno) {
            try fd.writeAll(bytes, timeoutMs: -1, what: temp)
            // open's mode is cut by the umask; the collector's user must be able to read it.
            try valueOrErrno("fchmod(\"\(temp)\")") { fchmod(fd.rawValue, permissions) }
            try valueOrErrno("fsync(\"\(temp)\")") { fsync(fd.rawValue) }
        } catch {
            fd.close()
            unlink(temp)
            throw error
        }
        fd.close()
        do throws(Errno) {
            try valueOrErrno("rename(\"\(temp)\", \"\(path)\")") { rename(temp, path) }
        } catch {
            unlink(temp)
            throw error
        }
        let dir = try FileDescriptor.open(directory, O_RDONLY | O_DIRECTORY)
        defer { dir.close() }
        try valueOrErrno("fsync(\"\(directory)\")") { fsync(dir.rawValue) }
    }
}
