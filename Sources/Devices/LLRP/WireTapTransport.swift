import ScanModel

/// A transport that reports every byte both ways, and how the connection
/// ended, to `tap` on the device's thread: `scanledger capture --llrp`
/// records an LLRP session run by `DeviceRunner` through it. The stop is
/// recorded when the runner begins its goodbye (`willClose`), on the
/// device's thread, so it sits in the log where the session stopped.
public final class WireTapTransport: ByteTransport {
    public typealias Tap = @Sendable (LLRPWireEvent) -> Void
    private let inner: any ByteTransport
    private let tap: Tap

    public init(_ inner: any ByteTransport, tap: @escaping Tap) {
        self.inner = inner
        self.tap = tap
    }

    public var description: String { inner.description }
    public var serialSettings: SerialSettings? { inner.serialSettings }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        do throws(DeviceError) {
            let n = try inner.read(into: buffer, timeoutMs: timeoutMs)
            if n > 0 { tap(.received(ArraySlice(UnsafeRawBufferPointer(rebasing: buffer[0..<n])))) }
            return n
        } catch {
            // End of stream is a hangup naming just the peer; an errno names the call.
            if case .hangup(let what) = error, what == inner.description { tap(.readerClosed) } else { tap(.connectionLost) }
            throw error
        }
    }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        do throws(DeviceError) {
            try inner.write(bytes)
            tap(.sent(bytes))
        } catch {
            tap(.connectionLost)
            throw error
        }
    }

    public func interrupt() { inner.interrupt() }

    public func willClose() {
        tap(.stopRequested)
        inner.willClose()
    }

    public func close() { inner.close() }
}

/// What a `WireTapTransport` sees, in wire order.
public enum LLRPWireEvent {
    /// Bytes read from the reader, one read (valid during the call only).
    case received(ArraySlice<UInt8>)
    /// One whole message sent to the reader.
    case sent([UInt8])
    /// The reader closed the TCP connection.
    case readerClosed
    /// The connection failed (a read or send error).
    case connectionLost
    /// Stop was asked while the connection is open: STOP_ROSPEC and
    /// CLOSE_CONNECTION follow. (Between connections there is nothing to
    /// close, and a `! stop` would replay as a second `disconnected`.)
    case stopRequested
}


