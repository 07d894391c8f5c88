/// Splits a text protocol's byte stream into lines, shared by the line
/// (scanner) and TSL drivers. Terminators are configurable; CR LF counts as
/// one terminator. Lines longer than `maxLength` are cut off and reported,
/// never buffered without bound.
struct TextLineSplitter {
    enum Piece {
        /// A complete line (without its terminator), starting at `offset`.
        case line(ArraySlice<UInt8>, offset: Int64)
        /// A line that passed the cap: `length` bytes from `offset` were dropped.
        case tooLong(offset: Int64, length: Int)

        /// Stream offset just past the terminator that ended the piece: the
        /// line's bytes, escapes included, run from its offset to the terminator.
        var end: Int64 {
            switch self {
            case .line(let text, let offset): return offset + Int64(text.count) + 1
            case .tooLong(let offset, let length): return offset + Int64(length) + 1
            }
        }
    }

    let terminators: (UInt8, UInt8, UInt8)   // unused slots repeat a real one
    let maxLength: Int
    /// A byte that makes the next byte literal (TSL barcode data escapes
    /// CR and LF with ESC); kept in the line for the driver to remove.
    let escape: UInt8?
    private var escaped = false
    private var buffer: [UInt8] = []
    private var lineStart: Int64 = 0
    private var overflowLength = 0
    private var lastWasCR = false

    init(terminators: [UInt8], maxLength: Int, escape: UInt8? = nil) {
        self.escape = escape
        let t = terminators.isEmpty ? [UInt8(ascii: "\n")] : terminators
        self.terminators = (t[0], t.count > 1 ? t[1] : t[0], t.count > 2 ? t[2] : t[0])
        self.maxLength = max(1, maxLength)
        buffer.reserveCapacity(min(self.maxLength, 4096))
    }

    @inline(__always)
    private func isTerminator(_ b: UInt8) -> Bool {
        b == terminators.0 || b == terminators.1 || b == terminators.2
    }

    /// Feeds bytes that start at stream offset `base`, handing each finished
    /// piece to `emit`.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, base: Int64, emit: (Piece) -> Void) {
        for i in 0..<bytes.count {
            let b = bytes[i]
            let offset = base + Int64(i)
            if escaped {
                escaped = false
            } else if let e = escape, b == e {
                escaped = true
            } else if isTerminator(b) {
                // The LF of a CR LF pair ends nothing new.
                if lastWasCR && b == UInt8(ascii: "\n") { lastWasCR = false; lineStart = offset + 1; continue }
                lastWasCR = b == UInt8(ascii: "\r")
                finishLine(emit: emit)
                lineStart = offset + 1
                continue
            }
            lastWasCR = false
            if buffer.isEmpty && overflowLength == 0 { lineStart = offset }
            if overflowLength > 0 {
                overflowLength += 1
            } else if buffer.count >= maxLength {
                overflowLength = buffer.count + 1
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(b)
            }
        }
    }

    private mutating func finishLine(emit: (Piece) -> Void) {
        if overflowLength > 0 {
            emit(.tooLong(offset: lineStart, length: overflowLength))
            overflowLength = 0
        } else {
            emit(.line(buffer[...], offset: lineStart))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Bytes of an unfinished line, if any, with where it started.
    var pending: (offset: Int64, length: Int)? {
        let n = overflowLength > 0 ? overflowLength : buffer.count
        return n > 0 ? (lineStart, n) : nil
    }

    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        overflowLength = 0
        lastWasCR = false
        escaped = false
    }
}

/// True for bytes that never belong in scanned text: C0 controls other than
/// the separators GS1 and ISO 15434 data use (EOT, FS, GS, RS), and DEL.
@inline(__always)
func isNoiseByte(_ b: UInt8) -> Bool {
    if b == 0x7F { return true }
    guard b < 0x20 else { return false }
    return !(b == 0x04 || b == 0x1C || b == 0x1D || b == 0x1E)
}
