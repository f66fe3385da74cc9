import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small blocking HTTP/1.1 client over one keep-alive TCP connection.
///
/// For splitlane's own tools (the simulator, tests and benchmarks) talking to a
/// splitlane service: requests carry `Content-Length` bodies, responses must carry
/// `Content-Length` (as the service's do). Not a general-purpose client: no TLS, no
/// chunked responses, no redirects. One client belongs to one thread.
public final class HTTPClient {
    public let host: String
    public let port: UInt16
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private let timeoutSeconds: Int

    /// A client for `http://host:port`; connects on the first request.
    public init(host: String, port: UInt16, timeoutSeconds: Int = 30) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    /// A client for a base URL such as `http://127.0.0.1:8080`.
    public convenience init(url: String, timeoutSeconds: Int = 30) throws(HTTPClientError) {
        guard let components = URLComponents(string: url), components.scheme == "http",
            let host = components.host
        else {
            throw HTTPClientError(message: "expected an http://HOST:PORT URL, got \"\(url)\"")
        }
        self.init(host: host, port: UInt16(components.port ?? 80), timeoutSeconds: timeoutSeconds)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Sends one request and reads its response, reconnecting once if the kept-alive
    /// connection was closed by the server in between.
    public func send(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws(HTTPClientError) -> HTTPResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body

        let reused = descriptor >= 0
        do {
            try connectIfNeeded()
            try write(request)
            return try readResponse()
        } catch where reused {
            disconnect()
            try connectIfNeeded()
            try write(request)
            return try readResponse()
        }
    }

    /// Closes the connection; the next request opens a new one.
    public func disconnect() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        buffer.removeAll()
    }

    private func connectIfNeeded() throws(HTTPClientError) {
        guard descriptor < 0 else { return }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw HTTPClientError(message: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }

        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let candidate = socket(current.pointee.ai_family, current.pointee.ai_socktype, 0)
            if candidate >= 0, Glibc.connect(candidate, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
                descriptor = candidate
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                let size = socklen_t(MemoryLayout<timeval>.size)
                _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
                _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
                var one: Int32 = 1
                _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return
            }
            if candidate >= 0 { close(candidate) }
            entry = current.pointee.ai_next
        }
        throw HTTPClientError(message: "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
    }

    private func write(_ bytes: [UInt8]) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else {
                throw HTTPClientError(message: "cannot send to \(host):\(port): \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    private func fill() throws(HTTPClientError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0, errno == EINTR { return }
        guard count > 0 else {
            let reason = count == 0
                ? "the server closed the connection"
                : "receive failed: \(String(cString: strerror(errno)))"
            throw HTTPClientError(message: reason)
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    private func readResponse() throws(HTTPClientError) -> HTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let range = buffer.firstRange(of: separator) {
                headEnd = range.upperBound
            } else {
                try fill()
            }
        }
        guard let headEnd else { throw HTTPClientError(message: "no response head") }

        let head = String(decoding: buffer[..<(headEnd - 4)], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw HTTPClientError(message: "malformed status line \"\(lines.first ?? "")\"")
        }
        var headers = HTTPHeaders()
        var length = 0
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name: name, value: value)
            if name.lowercased() == "content-length" { length = Int(value) ?? 0 }
        }

        while buffer.count < headEnd + length { try fill() }
        let body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        if headers["connection"]?.lowercased() == "close" { disconnect() }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}

/// A request the client could not complete.
public struct HTTPClientError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
