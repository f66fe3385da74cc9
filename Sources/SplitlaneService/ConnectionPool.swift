import Postgres
import Synchronization

/// Idle PostgreSQL connections for the read and ingest routes, opened on demand and
/// dropped when they break; the exposure committer keeps its own connection.
final class ConnectionPool: Sendable {
    private let url: String
    private let maximumIdle: Int
    private let idle = Mutex<[Connection]>([])

    init(url: String, maximumIdle: Int = 4) {
        self.url = url
        self.maximumIdle = maximumIdle
    }

    /// Runs `body` with a connection, returning it to the pool when still healthy.
    ///
    /// - Throws: `ServiceError` 503 when no connection can be opened or the connection
    ///   broke, and whatever `body` throws otherwise.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try take()
        do {
            let result = try body(connection)
            giveBack(connection)
            return result
        } catch {
            giveBack(connection)
            throw error
        }
    }

    /// Closes every idle connection.
    func drain() {
        let connections = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool
        }
        connections.forEach { $0.close() }
    }

    private func take() throws(ServiceError) -> Connection {
        if let reused = idle.withLock({ $0.popLast() }) {
            return reused
        }
        do {
            return try Connection(url)
        } catch {
            throw .databaseUnavailable("cannot connect to the database: \(error.message)")
        }
    }

    private func giveBack(_ connection: Connection) {
        guard connection.isHealthy else {
            connection.close()
            return
        }
        let kept = idle.withLock { pool -> Bool in
            guard pool.count < maximumIdle else {
                return false
            }
            pool.append(connection)
            return true
        }
        if !kept {
            connection.close()
        }
    }
}
