import CLibPQ

extension Connection {
    /// Streams data into a `COPY … FROM STDIN` statement and returns the rows copied.
    ///
    /// Sends the statement with libpq's `PQexec`, hands `produce` a ``CopyWriter`` that
    /// sends its bytes with `PQputCopyData` in chunks of about 64 KiB, then ends the
    /// stream with `PQputCopyEnd` and reads the outcome with `PQgetResult`. When
    /// `produce` throws, the stream is ended with an error message, the server
    /// discards everything copied, and the error is rethrown.
    /// - Parameters:
    ///   - statement: A `COPY table (columns) FROM STDIN …` statement; it takes no
    ///     parameters, so it must be fixed text, never built from data.
    ///   - produce: Writes the data in the format the statement declares.
    @discardableResult
    public func copyIn(_ statement: String, _ produce: (CopyWriter) throws -> Void) throws
        -> Int
    {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen(statement)

        let started = PQexec(rawHandle, statement)
        guard let started else { throw connectionError(statement: statement) }
        if PQresultStatus(started) != PGRES_COPY_IN {
            defer { PQclear(started) }
            _ = try consume(started, statement: statement)
            throw PostgresError(
                code: .usage, message: "the statement did not start COPY FROM STDIN",
                statement: statement)
        }
        PQclear(started)

        let writer = CopyWriter(connection: self, statement: statement)
        do {
            try produce(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(rawHandle, "aborted by the client")
            drainResults()
            throw error
        }

        guard PQputCopyEnd(rawHandle, nil) == 1 else {
            let failure = connectionError(statement: statement)
            drainResults()
            throw failure
        }
        var failure: PostgresError?
        var copied = 0
        while let result = PQgetResult(rawHandle) {
            do throws(PostgresError) {
                copied = try consume(result, statement: statement).affectedRows
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return copied
    }

    /// Sends one chunk of COPY data. Calls libpq's `PQputCopyData`.
    func putCopyData(_ bytes: UnsafeRawBufferPointer, statement: String) throws(PostgresError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let sent = PQputCopyData(
            rawHandle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard sent == 1 else {
            throw PostgresError(
                code: .copy, message: Connection.libpqMessage(rawHandle), statement: statement)
        }
    }

    private func drainResults() {
        while let result = PQgetResult(rawHandle) {
            PQclear(result)
        }
    }
}

/// Buffers bytes for a running `COPY … FROM STDIN` and sends them in chunks.
///
/// Only valid inside the closure given to ``Connection/copyIn(_:_:)``.
public final class CopyWriter {
    private let connection: Connection
    private let statement: String
    private var buffer: [UInt8] = []
    private let chunkSize = 64 * 1024

    init(connection: Connection, statement: String) {
        self.connection = connection
        self.statement = statement
        buffer.reserveCapacity(chunkSize + 4096)
    }

    /// Appends bytes, sending a chunk whenever the buffer is full.
    public func write(_ bytes: some Sequence<UInt8>) throws(PostgresError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunkSize { try flush() }
    }

    /// Appends a string's UTF-8 bytes.
    public func write(_ text: String) throws(PostgresError) {
        try write(text.utf8)
    }

    /// Sends whatever is buffered.
    public func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        let statement = self.statement
        let connection = self.connection
        let failure = buffer.withUnsafeBytes { bytes -> PostgresError? in
            do throws(PostgresError) {
                try connection.putCopyData(bytes, statement: statement)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        buffer.removeAll(keepingCapacity: true)
    }
}
