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
        try execute("COMMIT")
        return value
    }
}
