#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// Wakes a thread blocked in poll(2) on a device: the device thread polls
/// this eventfd next to the device's fd, and any other thread signals it when
/// there is feedback to send or the device should stop. Without it a beep
/// waited for the read timeout (100 ms), which operators hear as lag.
final class WakeSignal: @unchecked Sendable {
    /// -1 if the kernel refused an eventfd: reads then just time out as before.
    let fd: Int32

    init() { fd = CLinuxShims_eventfd() }
    deinit { if fd >= 0 { close(fd) } }

    /// Safe from any thread; signals pile up into one wake-up.
    func signal() {
        guard fd >= 0 else { return }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    /// Clears pending signals (called by the woken thread).
    func clear() {
        guard fd >= 0 else { return }
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
    }

    /// Polls `device` and this signal together for up to `timeoutMs`. Returns
    /// the device's revents (0 when the wait ended by timeout or by a wake-up),
    /// or -1 with errno set when poll itself failed.
    func poll(device: Int32, timeoutMs: Int32) -> Int32 {
        // A tuple, not an array: this runs on every device read, and a tuple
        // of two pollfds is contiguous memory on the stack (no allocation).
        var fds = (pollfd(fd: device, events: Int16(POLLIN), revents: 0), pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        let count: nfds_t = fd >= 0 ? 2 : 1
        let ready = withUnsafeMutablePointer(to: &fds) {
            $0.withMemoryRebound(to: pollfd.self, capacity: 2) { Glibc.poll($0, count, timeoutMs) }
        }
        if ready < 0 { return -1 }
        if fds.1.revents != 0 { clear() }
        return Int32(fds.0.revents)
    }
}
