// swift-tools-version:6.0
//
// splitlane: deterministic experiment assignment, exposure and outcome storage in
// PostgreSQL, and readouts with real statistics, for last-mile NPS programs.
//
// Dependencies point one way. At the bottom sit the C libraries (each a
// `systemLibrary` with its pkg-config name and Debian provider) and the experiment
// definitions; the CLI and the HTTP service sit on top.

import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "splitlane",
    products: [
        .executable(name: "splitlane", targets: ["splitlane"]),
    ],
    targets: [
        // MARK: C libraries from Debian

        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Boost.Math (header-only, libboost-math-dev) behind a few extern "C" functions.
        .target(
            name: "CDistributions",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("m")]
        ),

        // MARK: splitlane modules, bottom to top

        .target(
            name: "SplitlaneDefinitions",
            dependencies: ["CYAML"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneJSON",
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneAssignment",
            dependencies: ["SplitlaneDefinitions", "CCrypto"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneStatistics",
            dependencies: ["CDistributions"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneStorage",
            dependencies: ["Postgres", "SplitlaneDefinitions", "SplitlaneAssignment"],
            swiftSettings: strictSwift,
            plugins: ["EmbedMigrations"]
        ),
        .target(
            name: "SplitlaneReadout",
            dependencies: [
                "SplitlaneDefinitions", "SplitlaneStatistics", "SplitlaneStorage",
                "Postgres", "SplitlaneJSON",
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "HTTPServer",
            dependencies: ["CMicroHTTPD"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneService",
            dependencies: [
                "HTTPServer", "SplitlaneDefinitions", "SplitlaneAssignment",
                "SplitlaneStorage", "SplitlaneReadout", "Postgres", "SplitlaneJSON",
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SplitlaneCLI",
            dependencies: [
                "SplitlaneDefinitions", "SplitlaneAssignment", "SplitlaneStatistics",
                "SplitlaneStorage", "SplitlaneReadout", "SplitlaneService", "Postgres",
                "SplitlaneJSON", "HTTPServer",
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "splitlane",
            dependencies: ["SplitlaneCLI"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "splitlane-bench",
            dependencies: [
                "SplitlaneDefinitions", "SplitlaneAssignment", "SplitlaneStorage",
                "SplitlaneReadout", "Postgres",
            ],
            path: "Benchmarks/splitlane-bench",
            swiftSettings: strictSwift
        ),

        // MARK: Build tools

        // Compiles sql/ into SplitlaneStorage, so the binary carries its migrations.
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["embed-migrations"]
        ),
        .executableTarget(
            name: "embed-migrations",
            path: "Plugins/EmbedMigrationsTool",
            swiftSettings: strictSwift
        ),

        // MARK: Tests (pure logic first; live PostgreSQL and HTTP in their own targets)

        .testTarget(
            name: "SplitlaneDefinitionsTests",
            dependencies: ["SplitlaneDefinitions"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SplitlaneAssignmentTests",
            dependencies: ["SplitlaneAssignment", "SplitlaneDefinitions"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SplitlaneStatisticsTests",
            dependencies: ["SplitlaneStatistics"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SplitlaneReadoutTests",
            dependencies: ["SplitlaneReadout", "SplitlaneDefinitions", "SplitlaneStatistics", "SplitlaneJSON"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SplitlaneJSONTests",
            dependencies: ["SplitlaneJSON"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SplitlaneCLITests",
            dependencies: ["SplitlaneCLI"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "LiveTestSupport",
            dependencies: ["Postgres", "SplitlaneStorage"],
            path: "Tests/LiveTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "LiveReadoutTests",
            dependencies: [
                "LiveTestSupport", "Postgres", "SplitlaneStorage", "SplitlaneDefinitions",
                "SplitlaneReadout", "SplitlaneStatistics", "SplitlaneJSON",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "LiveStorageTests",
            dependencies: [
                "LiveTestSupport", "Postgres", "SplitlaneStorage", "SplitlaneDefinitions",
                "SplitlaneAssignment", "SplitlaneReadout",
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "LiveServiceTests",
            dependencies: ["LiveTestSupport", "SplitlaneService", "Postgres", "SplitlaneStorage"],
            swiftSettings: strictSwift
        ),
    ],
    cxxLanguageStandard: .cxx17
)
