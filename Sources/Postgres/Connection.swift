import CLibPQ
import Foundation

/// One libpq connection to a PostgreSQL server.
///
/// Thread safety: the class is internally locked and therefore `Sendable`. Every call
/// takes a recursive lock for its whole duration, and ``withTransaction(_:)`` holds it
/// for the whole transaction, so statements from other threads wait until it ends
/// rather than landing inside it. A connection still runs one statement at a time:
/// a service that wants parallelism keeps several connections.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer
    let lock = NSRecursiveLock()
    private var isClosed = false
    /// Server-side names of the statements prepared on this connection, by SQL text.
    private var preparedNames: [String: String] = [:]

    /// Opens a connection from a URL (`postgresql://…`) or a `key=value` conninfo
    /// string; an empty string uses libpq's `PG*` environment variables alone.
    ///
    /// Calls libpq's `PQconnectdb`, then sets the session to UTF-8, UTC and ISO dates
    /// so that text values read back the same on every server.
    /// - Throws: ``PostgresError`` with code `.connection`; the message never
    ///   contains the connection string.
    public init(_ conninfo: String = "") throws(PostgresError) {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(code: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Connection.libpqMessage(handle)
            PQfinish(handle)
            throw PostgresError(
                code: .connection, message: "could not connect to PostgreSQL: \(message)")
        }
        self.handle = handle
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard PQsetClientEncoding(handle, "UTF8") == 0 else {
            let message = Connection.libpqMessage(handle)
            PQfinish(handle)
            throw PostgresError(code: .connection, message: message)
        }
        try execute("SET TimeZone TO 'UTC'")
        try execute("SET DateStyle TO 'ISO, YMD'")
        try execute("SET IntervalStyle TO 'iso_8601'")
    }

    deinit {
        if !isClosed { PQfinish(handle) }
    }

    /// Closes the connection; later calls fail. Calls libpq's `PQfinish`.
    public func close() {
        lock.withLock {
            guard !isClosed else { return }
            isClosed = true
            PQfinish(handle)
        }
    }

    /// Whether the connection is still usable. Calls libpq's `PQstatus`.
    public var isHealthy: Bool {
        lock.withLock { !isClosed && PQstatus(handle) == CONNECTION_OK }
    }

    /// The server's version number, such as `150010`. Calls libpq's `PQserverVersion`.
    public var serverVersion: Int {
        lock.withLock { Int(PQserverVersion(handle)) }
    }

    /// The database this connection is connected to. Calls libpq's `PQdb`.
    public var databaseName: String {
        lock.withLock { PQdb(handle).map { String(cString: $0) } ?? "" }
    }

    /// Runs one statement with parameters and returns all its rows.
    ///
    /// Calls libpq's `PQexecParams` with each parameter in text format, or in binary for
    /// the types that give one (``PostgresArray``). Write parameters as `$1`, `$2`, … in
    /// the statement; never build SQL from data.
    /// - Throws: ``PostgresError`` with the SQLSTATE, the server's message and
    ///   the statement.
    @discardableResult
    public func query(
        _ statement: String, _ parameters: [any PostgresBindable] = []
    ) throws(PostgresError) -> QueryResult {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen(statement)

        let result = try withParameters(parameters, statement: statement) { values, lengths, formats in
            PQexecParams(handle, statement, Int32(values.count), nil, values, lengths, formats, 0)
        }
        return try consume(result, statement: statement)
    }

    /// Runs one statement through a server-side prepared statement, preparing it on
    /// this connection the first time its text is seen. For statements a hot path runs
    /// over and over: parsing and planning happen once per connection instead of once
    /// per call (PostgreSQL switches to a generic plan after a few executions).
    ///
    /// Calls libpq's `PQprepare` once per statement text, then `PQexecPrepared`.
    /// Parameters travel as in ``query(_:_:)``; give their types by casts in the
    /// statement (`$1::text[]`), which binary parameters must match.
    @discardableResult
    public func queryPrepared(
        _ statement: String, _ parameters: [any PostgresBindable] = []
    ) throws(PostgresError) -> QueryResult {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen(statement)

        let name: String
        if let known = preparedNames[statement] {
            name = known
        } else {
            name = "splitlane_\(preparedNames.count + 1)"
            let result = PQprepare(handle, name, statement, 0, nil)
            _ = try consume(result, statement: statement)
            preparedNames[statement] = name
        }

        let result = try withParameters(parameters, statement: statement) { values, lengths, formats in
            PQexecPrepared(handle, name, Int32(values.count), values, lengths, formats, 0)
        }
        return try consume(result, statement: statement)
    }

    /// Runs one statement with parameters and returns the number of rows it affected.
    ///
    /// Calls libpq's `PQexecParams` (through ``query(_:_:)``).
    @discardableResult
    public func execute(
        _ statement: String, _ parameters: [any PostgresBindable] = []
    ) throws(PostgresError) -> Int {
        try query(statement, parameters).affectedRows
    }

    /// Runs a script of several statements with no parameters, such as a migration
    /// file. Only for SQL the program ships, never for text built from user data.
    ///
    /// Calls libpq's `PQexec`, which runs the script in the simple-query protocol.
    public func executeScript(_ script: String) throws(PostgresError) {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen(script)

        var failure: PostgresError?
        guard PQsendQuery(handle, script) == 1 else {
            throw connectionError(statement: script)
        }
        while let result = PQgetResult(handle) {
            if failure == nil {
                do throws(PostgresError) {
                    _ = try consume(result, statement: script)
                } catch {
                    failure = error
                }
            } else {
                PQclear(result)
            }
        }
        if let failure { throw failure }
    }

    // MARK: Internals shared with the COPY and transaction extensions

    var rawHandle: OpaquePointer { handle }

    func checkOpen(_ statement: String?) throws(PostgresError) {
        if isClosed {
            throw PostgresError(
                code: .connection, message: "the connection is closed", statement: statement)
        }
    }

    /// Turns a `PGresult` into a ``QueryResult`` or a ``PostgresError``, and frees it.
    func consume(_ result: OpaquePointer?, statement: String) throws(PostgresError)
        -> QueryResult
    {
        guard let result else { throw connectionError(statement: statement) }
        defer { PQclear(result) }

        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return QueryResult(copying: result)
        default:
            throw Connection.serverError(result, connection: handle, statement: statement)
        }
    }

    func connectionError(statement: String?) -> PostgresError {
        let code: PostgresError.Code = PQstatus(handle) == CONNECTION_OK ? .server : .connection
        return PostgresError(
            code: code, message: Connection.libpqMessage(handle), statement: statement)
    }

    static func serverError(
        _ result: OpaquePointer, connection: OpaquePointer, statement: String?
    ) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let primary = field(UInt8(ascii: "M"))
        let sqlState = field(UInt8(ascii: "C"))
        let message = primary ?? libpqMessage(connection)
        let code: PostgresError.Code =
            PQstatus(connection) == CONNECTION_OK ? .server : .connection
        return PostgresError(
            code: code,
            message: message,
            sqlState: sqlState,
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            statement: statement)
    }

    static func libpqMessage(_ handle: OpaquePointer) -> String {
        guard let raw = PQerrorMessage(handle) else { return "unknown libpq error" }
        let text = String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown libpq error" : text
    }
}

/// Calls `body` with the parameters as libpq takes them: a C copy of each value (a
/// NUL-terminated string, or `NULL`, for text; the bytes for binary), their lengths
/// and their formats (0 text, 1 binary). Lengths and formats are `nil` when every
/// parameter is text, for which libpq needs neither.
///
/// - Throws: ``PostgresError`` with ``PostgresError/Code/usage`` when a text value holds
///   a NUL character, which PostgreSQL's text cannot, before anything is sent.
private func withParameters<R>(
    _ parameters: [any PostgresBindable],
    statement: String,
    _ body: ([UnsafePointer<CChar>?], [Int32]?, [Int32]?) -> R
) throws(PostgresError) -> R {
    var owned: [UnsafeMutablePointer<CChar>?] = []
    var lengths: [Int32] = []
    var formats: [Int32] = []
    owned.reserveCapacity(parameters.count)
    defer { owned.forEach { free($0) } }

    for parameter in parameters {
        let holdsNUL: Bool
        if let binary = parameter.postgresBinary {
            holdsNUL = (parameter as? PostgresArray)?.containsNUL ?? false
            // malloc, as strdup below, so that one `free` releases every copy.
            let copy = malloc(max(1, binary.count))
            binary.withUnsafeBytes { raw in
                if let base = raw.baseAddress { copy?.copyMemory(from: base, byteCount: raw.count) }
            }
            owned.append(copy?.assumingMemoryBound(to: CChar.self))
            lengths.append(Int32(binary.count))
            formats.append(1)
        } else {
            let text = parameter.postgresText
            holdsNUL = text?.utf8.contains(0) ?? false
            owned.append(text.flatMap { strdup($0) })
            lengths.append(0)
            formats.append(0)
        }
        if holdsNUL {
            throw PostgresError(
                code: .usage, message: "a text parameter contains a NUL character",
                statement: statement)
        }
    }
    let values = owned.map { $0.map { UnsafePointer($0) } }
    guard formats.contains(1) else {
        return body(values, nil, nil)
    }
    return body(values, lengths, formats)
}
