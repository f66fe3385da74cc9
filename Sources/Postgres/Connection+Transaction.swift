extension Connection {
    /// Runs `body` inside `BEGIN` … `COMMIT`, rolling back when it throws.
    ///
    /// The connection's lock is held throughout, so no other thread's statement can
    /// land inside the transaction. Nested calls are not savepoints: do not nest.
    /// - Returns: What `body` returned, once the commit succeeded.
    /// - Throws: What `body` threw (after the rollback), or a ``PostgresError`` from
    ///   `BEGIN` or `COMMIT`.
    @discardableResult
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(endingWith: "COMMIT", body)
    }

    /// Runs `body` inside `BEGIN` … `ROLLBACK`: for a preview that must see its own
    /// writes and keep none of them.
    ///
    /// Row locks taken by `body` (`FOR UPDATE`) are held until the rollback, as they
    /// would be by the real change. Nested calls are not savepoints: do not nest.
    /// - Returns: What `body` returned, after the rollback.
    /// - Throws: What `body` threw, or a ``PostgresError`` from `BEGIN` or `ROLLBACK`.
    @discardableResult
    public func withRolledBackTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(endingWith: "ROLLBACK", body)
    }

    /// `BEGIN`, `body`, then `end` (`COMMIT` or `ROLLBACK`); a rollback when `body` throws.
    private func inTransaction<T>(endingWith end: String, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }

        try execute("BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
        try execute(end)
        return value
    }
}
