import Foundation
import Glibc

/// A small tmpfs mounted for one test: a real file system that really runs
/// out of space (issue 18), unmounted by `unmount` or at the latest in
/// `deinit`, whatever path the test leaves by.
final class TmpfsMount {
    let dir: URL
    private var mounted = true

    /// Mounts `size` bytes at a new directory under /tmp.
    init(bytes size: Int) throws {
        dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("sld-tmpfs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        guard Glibc.mount("tmpfs", dir.path, "tmpfs", 0, "size=\(size),mode=0755") == 0 else {
            let e = errno
            try? FileManager.default.removeItem(at: dir)
            throw HarnessFailure(description: "mount -t tmpfs -o size=\(size) tmpfs \(dir.path): \(String(cString: strerror(e)))")
        }
    }

    deinit { unmount() }

    func unmount() {
        guard mounted else { return }
        mounted = false
        // Lazy: a daemon the test could not stop may still hold files there.
        if umount2(dir.path, Int32(MNT_DETACH)) != 0 {
            print("umount \(dir.path): \(String(cString: strerror(errno)))")
        }
        rmdir(dir.path)
    }

    /// Bytes still free for an unprivileged writer.
    var available: Int {
        var s = statvfs()
        guard statvfs(dir.path, &s) == 0 else { return 0 }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }

    /// Fills the file system up to `leaving` bytes with a file (written, so
    /// tmpfs really allocates its pages); returns the file to delete later.
    @discardableResult
    func fill(leaving: Int, name: String = "filler") throws -> URL {
        let url = dir.appendingPathComponent(name)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw HarnessFailure(description: "open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xA5, count: 4096)
        var left = max(0, available - leaving)
        while left > 0 {
            let n = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, min(left, $0.count)) }
            if n <= 0 { break }
            left -= n
        }
        return url
    }

    /// Whether this process may mount a tmpfs (root, and a kernel and
    /// container that allow it): tried once, on a 64 KiB one.
    static let canMount: Bool = {
        guard geteuid() == 0, let probe = try? TmpfsMount(bytes: 64 * 1024) else { return false }
        probe.unmount()
        return true
    }()
}
