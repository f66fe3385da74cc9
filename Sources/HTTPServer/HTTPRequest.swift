/// One name and optional value of a request's query string, percent-decoded.
public struct HTTPQueryItem: Sendable, Equatable {
    /// The decoded name.
    public var name: String

    /// The decoded value, or nil when the item had no `=`.
    public var value: String?

    /// Creates a query item.
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// A complete HTTP request as handed to the handler, with its whole body in memory.
public struct HTTPRequest: Sendable {
    /// The method as sent, for example `GET` or `POST`.
    public var method: String

    /// The percent-decoded path without the query string, for example `/v1/assign`.
    public var path: String

    /// The query items in the order they appeared.
    public var queryItems: [HTTPQueryItem]

    /// The request header fields.
    public var headers: HTTPHeaders

    /// The request body; never longer than the configured maximum.
    public var body: [UInt8]

    /// The peer's numeric address, such as `127.0.0.1` or `::1`, when known.
    public var peerAddress: String?

    /// The protocol version as sent, for example `HTTP/1.1`.
    public var version: String

    /// Creates a request; the server builds these, tests of handlers may too.
    public init(
        method: String,
        path: String,
        queryItems: [HTTPQueryItem] = [],
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        peerAddress: String? = nil,
        version: String = "HTTP/1.1"
    ) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
        self.peerAddress = peerAddress
        self.version = version
    }

    /// The value of the first query item named `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
