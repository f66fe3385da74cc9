public import Foundation
import Glibc
import Postgres

/// A private PostgreSQL cluster that splitlane creates, starts and reuses under a
/// directory (by default `.splitlane/` in the current directory), from the machine's
/// own PostgreSQL binaries.
///
/// Layout: `data/` (the cluster), `server.log`, `port` (the loopback TCP port chosen
/// at creation), `password` (mode 0600) and the Unix socket. The socket accepts the
/// cluster's superuser `splitlane` without a password (only the directory's owner can
/// reach it); TCP on 127.0.0.1 asks for the password in `password`. When run as root,
/// the server runs as the `postgres` user (PostgreSQL refuses root) through
/// `runuser`, and the directory is handed to that user.
public struct EmbeddedCluster: Sendable {
    /// Where the cluster lives, as an absolute path.
    public let directory: URL
    /// The database splitlane uses inside the cluster.
    public static let databaseName = "splitlane"
    /// The cluster's superuser.
    public static let userName = "splitlane"

    /// A cluster under `directory`, or `.splitlane/` in the current directory.
    public init(directory: URL? = nil) {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let chosen = directory ?? cwd.appendingPathComponent(".splitlane")
        self.directory = chosen.standardizedFileURL
    }

    /// Whether the cluster exists and runs.
    public enum Status: Sendable, Equatable {
        /// `initdb` has not run in the directory.
        case notCreated
        /// The cluster exists but no server runs.
        case stopped
        /// A server runs and listens on this TCP port.
        case running(port: Int)
    }

    var dataDirectory: URL { directory.appendingPathComponent("data") }
    var logFile: URL { directory.appendingPathComponent("server.log") }
    var portFile: URL { directory.appendingPathComponent("port") }
    var passwordFile: URL { directory.appendingPathComponent("password") }

    /// The TCP port stored at creation, if the cluster exists.
    public var port: Int? {
        guard let text = try? String(contentsOf: portFile, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether the Unix socket path fits the kernel's 107-byte limit.
    var usesSocket: Bool {
        directory.path.utf8.count + "/.s.PGSQL.65535".utf8.count <= 107
    }

    /// The cluster's state, read from `pg_ctl status`.
    public func status() throws -> Status {
        guard
            FileManager.default.fileExists(
                atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
        else { return .notCreated }
        let bin = try Self.binDirectory()
        let code = try run(
            bin.appendingPathComponent("pg_ctl"), ["-D", dataDirectory.path, "status"])
        guard code == 0, let port else { return .stopped }
        return .running(port: port)
    }

    /// Creates the cluster if needed, starts it if stopped, creates the `splitlane`
    /// database if missing, and returns the URL to connect with.
    @discardableResult
    public func start() throws -> String {
        if try status() == .notCreated { try create() }
        if case .stopped = try status() {
            let bin = try Self.binDirectory()
            let code = try run(
                bin.appendingPathComponent("pg_ctl"),
                ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"])
            guard code == 0 else {
                throw clusterError("pg_ctl could not start the cluster", showLog: true)
            }
        }
        try createDatabaseIfMissing()
        return connectionString
    }

    /// Stops the server if it runs (fast shutdown: open sessions are ended).
    public func stop() throws {
        guard case .running = try status() else { return }
        let bin = try Self.binDirectory()
        let code = try run(
            bin.appendingPathComponent("pg_ctl"),
            ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
        guard code == 0 else {
            throw clusterError("pg_ctl could not stop the cluster", showLog: true)
        }
    }

    /// The conninfo splitlane itself connects with: the Unix socket when the path
    /// fits, otherwise TCP with the password (do not print it; see ``analystURL``).
    public var connectionString: String {
        if usesSocket { return analystURL }
        let password = ((try? String(contentsOf: passwordFile, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return "host=127.0.0.1 port=\(port ?? 5432) dbname=\(Self.databaseName) "
            + "user=\(Self.userName) password='\(password)'"
    }

    /// A URL to give `psql`, which never contains the password: the Unix socket, or
    /// TCP (the password then is in the `password` file).
    public var analystURL: String {
        let port = self.port ?? 5432
        if usesSocket {
            let host =
                directory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
                ?? directory.path
            return "postgresql:///\(Self.databaseName)?host=\(host)&port=\(port)"
                + "&user=\(Self.userName)"
        }
        return "postgresql://\(Self.userName)@127.0.0.1:\(port)/\(Self.databaseName)"
    }

    /// The TCP URL for BI tools, without the password.
    public var tcpURL: String {
        "postgresql://\(Self.userName)@127.0.0.1:\(port ?? 5432)/\(Self.databaseName)"
    }

    // MARK: Creation

    private func create() throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o700)

        let password = Self.randomPassword()
        let pwfile = directory.appendingPathComponent("initdb.pw")
        try Data((password + "\n").utf8).write(to: pwfile)
        try Data((password + "\n").utf8).write(to: passwordFile)
        chmod(passwordFile.path, 0o600)
        defer { try? fileManager.removeItem(at: pwfile) }
        try handToServerUser(directory)
        try handToServerUser(pwfile)

        let bin = try Self.binDirectory()
        let code = try run(
            bin.appendingPathComponent("initdb"),
            [
                "-D", dataDirectory.path, "-U", Self.userName, "--pwfile", pwfile.path,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                "--locale=C.UTF-8",
            ])
        guard code == 0 else {
            throw clusterError(
                "initdb could not create a cluster in \(dataDirectory.path)"
                    + (Self.isRoot ? " (as user postgres, who must be able to reach it)" : ""),
                showLog: false)
        }

        let port = try Self.freeLoopbackPort()
        try Data("\(port)\n".utf8).write(to: portFile)
        let socketDirectory = usesSocket ? directory.path : ""
        let settings = """

            # Added by splitlane: a private cluster on loopback and a Unix socket.
            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDirectory)'
            unix_socket_permissions = 0700

            """
        let conf = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: conf)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    private func createDatabaseIfMissing() throws {
        let conninfo = connectionString.replacingOccurrences(
            of: "/\(Self.databaseName)?", with: "/postgres?"
        ).replacingOccurrences(of: "dbname=\(Self.databaseName) ", with: "dbname=postgres ")
        do {
            let connection = try Connection(conninfo)
            defer { connection.close() }
            let exists = try connection.query(
                "SELECT 1 FROM pg_database WHERE datname = $1", [Self.databaseName])
            if exists.rows.isEmpty {
                try connection.execute("CREATE DATABASE \(Self.databaseName)")
            }
        } catch {
            throw StorageError(
                code: .cluster, message: "cannot create the splitlane database: \(error.message)",
                underlying: error)
        }
    }

    // MARK: Processes

    static var isRoot: Bool { geteuid() == 0 }

    /// Runs a PostgreSQL binary, as `postgres` through `runuser` when root; output
    /// goes to `splitlane-cluster.log` in the directory. Returns the exit status.
    ///
    /// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`: on Linux,
    /// `Process` learns of the child's exit through a descriptor the child inherits,
    /// and the server that `pg_ctl start` leaves running inherits it too, so waiting
    /// for `pg_ctl` would last as long as the server.
    private func run(_ tool: URL, _ arguments: [String]) throws -> Int32 {
        var argv: [String]
        if Self.isRoot {
            let runuser =
                FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
                ? "/usr/sbin/runuser" : "/sbin/runuser"
            argv = [runuser, "-u", "postgres", "--", tool.path] + arguments
        } else {
            argv = [tool.path] + arguments
        }
        let toolLog = directory.appendingPathComponent("splitlane-cluster.log").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, toolLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw StorageError(
                code: .cluster,
                message: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw StorageError(code: .cluster, message: "waitpid failed for \(argv[0])")
            }
        }
        let exited = status & 0x7f == 0
        return exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Gives a path to the `postgres` user when running as root.
    private func handToServerUser(_ url: URL) throws {
        guard Self.isRoot else { return }
        guard let user = getpwnam("postgres") else {
            throw StorageError(
                code: .cluster,
                message: "running as root needs a \"postgres\" user to run the server as")
        }
        guard chown(url.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw StorageError(
                code: .cluster, message: "cannot hand \(url.path) to the postgres user")
        }
    }

    private func clusterError(_ message: String, showLog: Bool) -> StorageError {
        let log = showLog ? logFile : directory.appendingPathComponent("splitlane-cluster.log")
        let tail =
            (try? String(contentsOf: log, encoding: .utf8))
            .map { $0.split(separator: "\n").suffix(5).joined(separator: "\n") } ?? ""
        return StorageError(
            code: .cluster,
            message: message + (tail.isEmpty ? "" : "; last log lines:\n" + tail))
    }

    // MARK: Helpers

    /// The directory holding `initdb` and `pg_ctl`: the highest version under
    /// `/usr/lib/postgresql/*/bin`, else `pg_config --bindir` found on `PATH`.
    public static func binDirectory() throws -> URL {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name -> (Double, String)? in Double(name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
        for (_, name) in versions {
            let bin = URL(fileURLWithPath: "\(root)/\(name)/bin")
            if FileManager.default.isExecutableFile(
                atPath: bin.appendingPathComponent("initdb").path)
            {
                return bin
            }
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let pgConfig = "\(directory)/pg_config"
            guard FileManager.default.isExecutableFile(atPath: pgConfig) else { continue }
            let process = Process()
            let pipe = Pipe()
            process.executableURL = URL(fileURLWithPath: pgConfig)
            process.arguments = ["--bindir"]
            process.standardOutput = pipe
            try? process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let bin = String(decoding: data, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb") {
                return URL(fileURLWithPath: bin)
            }
        }
        throw StorageError(
            code: .cluster,
            message: "no PostgreSQL server binaries (initdb, pg_ctl) found; install the "
                + "postgresql package, or pass --database-url")
    }

    /// A loopback TCP port that was free a moment ago: bind port 0 and read it back.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StorageError(code: .cluster, message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw StorageError(code: .cluster, message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        guard named == 0 else {
            throw StorageError(code: .cluster, message: "getsockname() failed")
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func randomPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String(
            (0..<32).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
