import CCrypto

/// Deterministic bucketing: the SHA-256 of a UTF-8 string, read as the big-endian
/// unsigned 32-bit integer of its first four bytes, modulo 10,000.
///
/// The same function ships as `splitlane.bucket(text)` in PostgreSQL; in Python it is
/// `int.from_bytes(hashlib.sha256(s.encode()).digest()[:4], "big") % 10000`.
public enum Bucket {
    /// Number of buckets; every bucket is in `0..<count`.
    public static let count = 10_000

    /// The bucket of a string.
    public static func of(_ text: String) -> Int {
        PrefixHasher(prefix: "").bucket(text)
    }
}

/// Buckets many strings that share a prefix, such as `salt + ":" + unit`.
///
/// The SHA-256 state after the prefix is computed once and copied for every
/// string, and neither the prefix nor the unit is concatenated into a new string.
/// Immutable after creation, so one hasher can serve many threads.
public struct PrefixHasher: Sendable {
    private let state: SHA256_CTX

    /// Prepares the hasher for strings that start with `prefix`.
    public init(prefix: String) {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        var prefix = prefix
        prefix.withUTF8 { bytes in
            _ = SHA256_Update(&context, bytes.baseAddress, bytes.count)
        }
        state = context
    }

    /// The bucket of `prefix + suffix`.
    public func bucket(_ suffix: String) -> Int {
        var suffix = suffix
        return suffix.withUTF8 { bucket(utf8: $0) }
    }

    /// The bucket of `prefix + suffix`, where `suffix` is UTF-8 bytes.
    public func bucket(utf8 suffix: UnsafeBufferPointer<UInt8>) -> Int {
        var context = state
        _ = SHA256_Update(&context, suffix.baseAddress, suffix.count)
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &digest) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            SHA256_Final(bytes.baseAddress, &context)
            let high = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16
            let value = high | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            return Int(value % UInt32(Bucket.count))
        }
    }
}
