public import Foundation

/// Where a command writes: buffered standard output for machine-readable results,
/// standard error for messages, with what the terminal supports.
public final class Console: @unchecked Sendable {
    // Unchecked: a console belongs to the command that runs on one thread; the
    // progress reporter writes to standard error only through `message`, which
    // takes the lock.
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private let lock = NSLock()

    /// Whether standard error is a terminal: progress is shown only then.
    public let isErrorTerminal: Bool
    /// Whether standard output is a terminal.
    public let isOutputTerminal: Bool
    /// Whether colour may be used on standard output (a terminal, and no `NO_COLOR`).
    public let usesColor: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        isErrorTerminal = isatty(STDERR_FILENO) == 1
        isOutputTerminal = isatty(STDOUT_FILENO) == 1
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        usesColor = isOutputTerminal && !noColor && environment["TERM"] != "dumb"
        buffer.reserveCapacity(bufferLimit)
    }

    deinit { flush() }

    /// Appends text to standard output.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }

    /// Appends bytes to standard output.
    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { flush() }
    }

    /// Appends one byte to standard output.
    @inline(__always)
    public func write(byte: UInt8) {
        buffer.append(byte)
    }

    /// Writes everything buffered to standard output.
    public func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes one line to standard error at once.
    public func message(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes an error line to standard error: `error: message`.
    public func error(_ text: String) {
        message("error: " + text)
    }

    /// Replaces the current progress line on a terminal's standard error; does
    /// nothing when standard error is not a terminal.
    public func progress(_ text: String) {
        guard isErrorTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    /// Clears the progress line, if one was shown.
    public func endProgress() {
        guard isErrorTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
