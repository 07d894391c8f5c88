import ScanModel

/// The signature of a serial line read at the wrong speed: a scanner at
/// 9600 baud read at 115200 gives runs of NULs and 0xF8-like bytes, one at
/// 115200 read at 9600 gives bytes with few line ends; neither ever makes a
/// valid frame. A noisy but working device still sends valid frames between
/// its noise, so counting bytes since the last valid frame (and, on a text
/// protocol, how many of them are not text) tells the two apart with one
/// comparison per byte. Drivers report the verdict once as a `garbled`
/// problem and keep reading, so the device recovers by itself when the line
/// is fixed: the next valid frame clears it.
struct GarbleWatch {
    /// The stream is judged at every this many bytes since the last valid frame.
    static let window = 512
    /// Text protocols judge by the share of non-text bytes (and how long no
    /// line ended); binary ones (Mercury) only by the absence of a frame with
    /// a good checksum.
    let textual: Bool
    /// A text protocol's line cap: no line end for longer than this counts too.
    let maxLine: Int
    /// Stream offsets: after the last valid frame, after the last line end,
    /// and how far bytes have been counted. Judging at fixed offsets, not at
    /// the end of each read, keeps a driver's events the same however the
    /// bytes were split (Replay's fuzz check).
    private var validEnd: Int64 = 0
    private var lineEnd: Int64 = 0
    private var counted: Int64 = 0
    private var nonText = 0
    private var badFrames = 0
    /// Why the stream looks garbled; nil while it does not.
    private(set) var suspicion: String?

    /// What a driver reports as its `garbled` problem: the bytes since the
    /// last valid frame, and why they look like a wrong line speed.
    struct Verdict {
        let message: String
        let offset: Int64
        let length: Int

        func problem(at time: Microseconds) -> DeviceProblem {
            DeviceProblem(kind: .garbled, offset: offset, length: length, message: message, time: time)
        }
    }

    init(textual: Bool, maxLine: Int = .max) { self.textual = textual; self.maxLine = maxLine }

    var sinceValid: Int { Int(counted - validEnd) }

    /// Counts the bytes up to stream offset `end` (of `bytes`, which start at
    /// `base`; binary drivers pass none), judging at every window boundary.
    /// Returns the verdict when the stream has just become suspect: the
    /// driver reports it once, before the events of what ends after it.
    mutating func advance(to end: Int64, in bytes: UnsafeRawBufferPointer? = nil, base: Int64 = 0) -> Verdict? {
        var verdict: Verdict? = nil
        let window = Int64(Self.window)
        while counted < end {
            let boundary = validEnd + window * ((counted - validEnd) / window + 1)
            let stop = min(end, boundary)
            if textual, let bytes {
                for i in Int(counted - base)..<Int(stop - base) where !isTextByte(bytes[i]) { nonText += 1 }
            }
            counted = stop
            if stop == boundary, let s = judge() { verdict = Verdict(message: s + ": " + Self.likelyCause, offset: validEnd, length: sinceValid) }
        }
        return verdict
    }

    mutating func badFrame() { badFrames += 1 }
    /// A text line (valid or not) ended where the bytes are counted up to.
    mutating func lineEnded() { lineEnd = counted }

    /// A valid frame ended where the bytes are counted up to (the driver
    /// advanced to its end first): true when it ends a suspicion.
    mutating func valid() -> Bool {
        let was = suspicion != nil
        validEnd = counted; lineEnd = counted
        nonText = 0; badFrames = 0; suspicion = nil
        return was
    }

    private mutating func judge() -> String? {
        guard suspicion == nil else { return nil }
        let n = sinceValid
        if textual {
            let percent = nonText * 100 / n
            // Text with no line end for thousands of bytes is also what a
            // slower line makes of a faster scanner (few bytes look like
            // controls then), so a line past its cap lowers the bar.
            let noLineEnd = counted - lineEnd > Int64(maxLine)
            guard percent >= 50 || (noLineEnd && percent >= 10) else { return nil }
            suspicion = "no valid frame in \(n) bytes, \(percent) % non-text\(noLineEnd ? ", no line end" : "")"
        } else {
            suspicion = "no valid frame in \(n) bytes" + (badFrames > 0 ? " (\(badFrames) checksum failures)" : "")
        }
        return suspicion
    }

    /// The connection ended: the next one starts clean at `offset`.
    mutating func reset(at offset: Int64) {
        counted = offset
        _ = valid()
    }

    /// The words a driver's `garbled` problem ends with.
    static let likelyCause = "wrong baud rate?"
}

/// Bytes a scanner's text may hold: printable ASCII, line ends, STX/ETX and
/// the GS1/ISO 15434 separators. Anything else counts against the line.
@inline(__always)
func isTextByte(_ b: UInt8) -> Bool {
    if b >= 0x20 { return b < 0x7F }
    return b == 0x0D || b == 0x0A || b == 0x09 || b == 0x02 || b == 0x03 || b == 0x04 || (b >= 0x1C && b <= 0x1E)
}
