import Foundation
import ScanModel

/// The terminal while `scanledger top` runs: keys read one at a time without
/// echo (raw mode), the alternate screen, a hidden cursor; all of it put back
/// by `restore()` on every way out: `q`, Ctrl-C, SIGINT, SIGTERM, SIGHUP.
/// Signals arrive through Dispatch sources (their default actions ignored,
/// so none can kill the process with the terminal still raw) and wake the
/// main loop through a pipe.
final class TopTerminal {
    private var saved = termios()
    private var raw = false
    private var active = false
    private let wake: (read: FileDescriptor, write: FileDescriptor)
    private var sources: [DispatchSourceSignal] = []
    private let signals = Locked<[Int32]>([])

    init() throws {
        var fds: [Int32] = [-1, -1]
        try valueOrErrno("pipe") { pipe(&fds) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC); _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        wake = (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
        for signo in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            let (signals, pipe) = (self.signals, wake.write)
            source.setEventHandler {
                signals.withLock { $0.append(signo) }
                var byte: UInt8 = 1
                _ = Glibc.write(pipe.rawValue, &byte, 1)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        restore()
        for s in sources { s.cancel() }
        wake.read.close(); wake.write.close()
    }

    /// Raw keys when stdin is a terminal; the alternate screen either way.
    func enter() throws {
        if isatty(0) == 1 {
            try valueOrErrno("tcgetattr(stdin)") { tcgetattr(0, &saved) }
            var settings = saved
            // No line editing, no echo, no signals from keys (Ctrl-C arrives as a byte and quits the same way).
            settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
            settings.c_iflag &= ~tcflag_t(IXON | ICRNL)
            withUnsafeMutableBytes(of: &settings.c_cc) { cc in cc[Int(VMIN)] = 1; cc[Int(VTIME)] = 0 }
            try valueOrErrno("tcsetattr(stdin)") { tcsetattr(0, TCSAFLUSH, &settings) }
            raw = true
        }
        active = true
        emit("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J")
    }

    /// Puts everything back; safe to call more than once.
    func restore() {
        if active { emit("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"); active = false }
        if raw { _ = tcsetattr(0, TCSAFLUSH, &saved); raw = false }
    }

    /// Rows and columns of the terminal on stdout (80×24 when it does not say).
    var size: (width: Int, height: Int) {
        var w = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return (80, 24) }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    /// Draws a frame: each row at its place, so nothing scrolls or wraps.
    func draw(_ rows: [String]) {
        var out = "\u{1B}[H"
        for (i, row) in rows.enumerated() { out += "\u{1B}[\(i + 1);1H" + row }
        emit(out + "\u{1B}[J")
    }

    enum Wake { case timeout, quit, resize }

    /// Waits up to `seconds` for a key or a signal: `q`, `Q`, Ctrl-C or
    /// Ctrl-D, or SIGINT/SIGTERM/SIGHUP, quit; SIGWINCH redraws at once.
    func wait(seconds: Double) -> Wake {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return .timeout }
            var fds = [pollfd(fd: wake.read.rawValue, events: Int16(POLLIN), revents: 0)]
            if raw { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            _ = try? FileDescriptor.poll(&fds, count: fds.count, timeoutMs: Int32(left * 1000) + 1)
            if fds[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                _ = drain.withUnsafeMutableBytes { Glibc.read(wake.read.rawValue, $0.baseAddress, $0.count) }
                let got = signals.swap([])
                if got.contains(where: { $0 != SIGWINCH }) { return .quit }
                if !got.isEmpty { return .resize }
            }
            if fds.count > 1, fds[1].revents != 0 {
                var keys = [UInt8](repeating: 0, count: 64)
                let n = keys.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                // End of input or a hang-up: nobody is there to press q.
                if n <= 0 || keys[..<n].contains(where: { [UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03, 0x04].contains($0) }) { return .quit }
            }
        }
    }

    private func emit(_ text: String) {
        try? FileDescriptor(rawValue: 1).writeAll(Array(text.utf8), timeoutMs: 1_000, what: "stdout")
    }
}
