import Glibc

/// A bound, listening, non-blocking TCP socket handed to libmicrohttpd.
struct ListenSocket {
    /// The file descriptor; libmicrohttpd owns it once the daemon starts.
    let descriptor: Int32

    /// The port actually bound, which differs from the requested one when that was 0.
    let port: UInt16

    /// Resolves `host`, binds, listens; calls `getaddrinfo`, `bind`, `listen`, `getsockname`.
    init(host: String, port: UInt16, backlog: Int32 = 511) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            let reason = String(cString: gai_strerror(status))
            throw HTTPServerError(code: .bindFailed, message: "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(found) }

        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw HTTPServerError(
                code: .bindFailed, message: "cannot create a socket", systemError: errno)
        }
        var yes: Int32 = 1
        _ = setsockopt(
            descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))

        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0,
            listen(descriptor, backlog) == 0,
            fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0
        else {
            let failure = errno
            close(descriptor)
            throw HTTPServerError(
                code: .bindFailed,
                message: "cannot listen on \(host):\(port)",
                systemError: failure
            )
        }

        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else {
            let failure = errno
            close(descriptor)
            throw HTTPServerError(
                code: .bindFailed, message: "cannot read the bound port", systemError: failure)
        }
        self.descriptor = descriptor
        self.port = Self.port(of: bound)
    }

    private static func port(of address: sockaddr_storage) -> UInt16 {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            if Int32(address.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt16(bigEndian: $0.pointee.sin_port)
            }
        }
    }
}
