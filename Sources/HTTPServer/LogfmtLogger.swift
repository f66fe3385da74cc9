import Foundation
import Glibc
import Synchronization

/// One logfmt line under construction: `key=value` pairs in the order they were added.
public struct LogfmtLine: Sendable, Equatable {
    /// The line so far, without a trailing newline.
    public private(set) var text = ""

    /// Creates an empty line.
    public init() {}

    /// Appends `key=value`, quoting the value when it needs it (see `formatValue`).
    public mutating func append(_ key: String, _ value: some CustomStringConvertible) {
        if !text.isEmpty {
            text += " "
        }
        text += Self.formatKey(key)
        text += "="
        text += Self.formatValue(value.description)
    }

    /// A key made safe: characters other than letters, digits, `_`, `.`, `-` and `/` become `_`.
    public static func formatKey(_ key: String) -> String {
        guard !key.isEmpty else {
            return "_"
        }
        let isPlain = key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/")
        }
        if isPlain {
            return key
        }
        let allowed: (Unicode.Scalar) -> Bool = { scalar in
            ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar)
                || ("A"..."Z").contains(scalar) || "_.-/".unicodeScalars.contains(scalar)
        }
        var safe = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            safe.append(allowed(scalar) ? scalar : "_")
        }
        return String(safe)
    }

    /// The value as is, or in double quotes with `\`, `"` and control characters escaped
    /// when it is empty or holds a space, `"`, `=`, `\` or a control character.
    public static func formatValue(_ value: String) -> String {
        // The special characters are all ASCII, so a byte scan finds them.
        let needsQuotes =
            value.isEmpty
            || value.utf8.contains { byte in
                byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\\")
            }
        guard needsQuotes else {
            return value
        }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

/// Writes logfmt lines to standard error (or another sink), one whole line per call,
/// safely from any thread.
public final class LogfmtLogger: Sendable {
    /// How serious a line is; written as `level=…`.
    public enum Level: String, Sendable {
        case debug, info, warning, error
    }

    /// Receives each finished line, newline included.
    public typealias Sink = @Sendable (String) -> Void

    private let includesTimestamp: Bool
    private let sink: Sink?
    private let fileDescriptor: Int32
    private let writeLock = Mutex(0)
    /// Lines waiting for the next flush, when the logger buffers.
    private let pending = Mutex<[UInt8]>([])
    private let isBuffered: Bool
    /// Buffered bytes that trigger a flush from the writing thread itself.
    private static let flushThreshold = 64 * 1024

    /// Creates a logger writing to a file descriptor, standard error by default.
    ///
    /// - Parameters:
    ///   - includesTimestamp: Whether each line starts with `ts=` in RFC 3339 UTC.
    ///   - fileDescriptor: The descriptor lines are written to; it stays the caller's.
    ///   - flushInterval: When set, lines are gathered in memory and written together
    ///     by a background thread at this interval (or sooner past 64 KiB), trading up
    ///     to one interval of log lines on a crash for one `write` per batch instead of
    ///     one per line. Call ``flush()`` before a planned exit.
    public init(includesTimestamp: Bool = true, fileDescriptor: Int32 = 2, flushInterval: Duration? = nil) {
        self.includesTimestamp = includesTimestamp
        self.sink = nil
        self.fileDescriptor = fileDescriptor
        self.isBuffered = flushInterval != nil
        if let flushInterval {
            let nanoseconds = flushInterval.components.seconds * 1_000_000_000
                + flushInterval.components.attoseconds / 1_000_000_000
            Thread.detachNewThread { [weak self] in
                while let logger = self {
                    logger.flush()
                    usleep(UInt32(clamping: nanoseconds / 1_000))
                }
            }
        }
    }

    /// Creates a logger handing each finished line to `sink`, for example to collect it.
    public init(includesTimestamp: Bool = true, sink: @escaping Sink) {
        self.includesTimestamp = includesTimestamp
        self.sink = sink
        self.fileDescriptor = -1
        self.isBuffered = false
    }

    /// Writes `ts=… level=… msg=…` followed by `fields` in order.
    public func log(
        _ level: Level = .info,
        _ message: String,
        _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]
    ) {
        var line = LogfmtLine()
        if includesTimestamp {
            line.append("ts", Self.timestamp())
        }
        line.append("level", level.rawValue)
        line.append("msg", message)
        for (key, value) in fields {
            line.append(key, value)
        }
        write(line)
    }

    /// Writes a line built by the caller, as is, with one `write` call per line when it can.
    public func write(_ line: LogfmtLine) {
        let text = line.text + "\n"
        if let sink {
            sink(text)
            return
        }
        if isBuffered {
            let size = pending.withLock { buffer in
                buffer.append(contentsOf: text.utf8)
                return buffer.count
            }
            if size >= Self.flushThreshold { flush() }
            return
        }
        writeAll(Array(text.utf8))
    }

    /// Writes every buffered line now; does nothing for an unbuffered logger.
    public func flush() {
        // Taking the lines and writing them under one lock keeps flushes in order.
        writeLock.withLock { _ in
            let bytes = pending.withLock { buffer -> [UInt8] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            writeUnlocked(bytes)
        }
    }

    /// Writes whole lines, under the write lock so lines never interleave.
    private func writeAll(_ text: [UInt8]) {
        writeLock.withLock { _ in writeUnlocked(text) }
    }

    /// One `write` call per chunk the kernel takes; the caller holds the write lock.
    private func writeUnlocked(_ text: [UInt8]) {
        var bytes = text[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes {
                Glibc.write(fileDescriptor, $0.baseAddress, $0.count)
            }
            guard written > 0 else {
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The current time as `2026-12-03T16:40:00.123Z`; calls `clock_gettime` and `gmtime_r`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2)
            + "-" + padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2)
            + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
            + "." + padded(millis, 3) + "Z"
    }
}
