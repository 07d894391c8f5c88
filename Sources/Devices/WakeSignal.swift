#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import ScanModel

/// Wakes a thread blocked in poll(2) on a device: the device thread polls
/// this eventfd next to the device's fd, and any other thread signals it when
/// there is feedback to send or the device should stop. Without it a beep
/// waited for the read timeout (100 ms), which operators hear as lag.
final class WakeSignal: Sendable {
    /// nil if the kernel refused an eventfd: reads then just time out as before.
    let fd: FileDescriptor?

    init() {
        let raw = CLinuxShims_eventfd()
        fd = raw >= 0 ? FileDescriptor(rawValue: raw) : nil
    }
    deinit { fd?.close() }

    /// Safe from any thread; signals pile up into one wake-up.
    func signal() {
        guard let fd else { return }
        var one: UInt64 = 1
        _ = try? withUnsafeBytes(of: &one) { try fd.write($0, what: "eventfd") }
    }

    /// Clears pending signals (called by the woken thread).
    func clear() {
        guard let fd else { return }
        var value: UInt64 = 0
        _ = try? withUnsafeMutableBytes(of: &value) { try fd.read(into: $0, what: "eventfd") }
    }

    /// Polls `device` for `events` and this signal together for up to
    /// `timeoutMs`. Returns the device's revents: 0 when the wait ended by
    /// timeout, a signal or a wake-up.
    func poll(device: FileDescriptor, events: Int16 = Int16(POLLIN), timeoutMs: Int32, what: @autoclosure () -> String) throws(Errno) -> Int16 {
        // A tuple, not an array: this runs on every device read, and a tuple
        // of two pollfds is contiguous memory on the stack (no allocation).
        var fds = (pollfd(fd: device.rawValue, events: events, revents: 0), pollfd(fd: fd?.rawValue ?? -1, events: Int16(POLLIN), revents: 0))
        let count = fd == nil ? 1 : 2
        let ready = withUnsafeMutablePointer(to: &fds) {
            $0.withMemoryRebound(to: pollfd.self, capacity: 2) { entries -> Result<Int, Errno> in
                do throws(Errno) { return .success(try FileDescriptor.poll(entries, count: count, timeoutMs: timeoutMs)) } catch {
                    return .failure(Errno(error.code, call: "poll(\(what()))"))
                }
            }
        }
        guard try ready.get() > 0 else { return 0 }
        if fds.1.revents != 0 { clear() }
        return fds.0.revents
    }

    /// The read of every descriptor transport (tty, evdev node, TCP socket):
    /// waits until `device` is readable, woken or timed out, then reads what
    /// is there. 0 means nothing yet; a closed or vanished device is a hangup.
    func read(_ device: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32, what: String) throws(DeviceError) -> Int {
        let revents = try DeviceError.wrapping { () throws(Errno) in try poll(device: device, timeoutMs: timeoutMs, what: what) }
        if revents == 0 { return 0 }
        if revents & Int16(POLLIN) == 0 && revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { throw .hangup(what) }
        let n: Int
        do throws(Errno) { n = try device.read(into: buffer, what: what) } catch {
            if error.wouldBlock { return 0 }
            throw DeviceError(error)
        }
        if n == 0 { throw .hangup(what) }
        return n
    }
}
