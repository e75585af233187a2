// swift-tools-version:6.1
import PackageDescription

/// ActiveSeg: active learning for 3D medical image segmentation.
///
/// Layout: C bindings and libraries under `Shared/`, one executable per service (and the `activeseg`
/// command line) under `Services/`, tests and benchmark commands under `Tests/`, the protobuf
/// contracts under `Protos/`.
let package = Package(
    name: "activeseg",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "Proto", targets: ["Proto"]),
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Artifacts", targets: ["Artifacts"]),
        .library(name: "Volume", targets: ["Volume"]),
        .library(name: "Neural", targets: ["Neural"]),
        .library(name: "ActiveLearning", targets: ["ActiveLearning"]),
        .library(name: "Statistics", targets: ["Statistics"]),
        .library(name: "SeededRandom", targets: ["SeededRandom"]),
        .library(name: "ServiceRuntime", targets: ["ServiceRuntime"]),
        .library(name: "Profiles", targets: ["Profiles"]),
        .library(name: "WorkerSupport", targets: ["WorkerSupport"]),
        .executable(name: "activeseg-trainer", targets: ["TrainerService"]),
        .executable(name: "activeseg-scorer", targets: ["ScorerService"]),
        .executable(name: "activeseg-selector", targets: ["SelectorService"]),
        .executable(name: "activeseg-stats", targets: ["StatsService"]),
        .executable(name: "activeseg-ingest", targets: ["IngestService"]),
        .executable(name: "activeseg-orchestrator", targets: ["OrchestratorService"]),
        .executable(name: "activeseg-dashboard", targets: ["DashboardService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C bindings
        .systemLibrary(
            name: "CNATS", path: "Shared/CNATS", pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", path: "Shared/CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CBLAS", path: "Shared/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CCompute", path: "Shared/CCompute",
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]
        ),
        .target(
            name: "CNIfTI", path: "Shared/CNIfTI",
            cSettings: [.unsafeFlags(["-I/usr/include/nifti"]), .define("HAVE_ZLIB", to: "1")],
            linkerSettings: [.linkedLibrary("nifti2"), .linkedLibrary("znz"), .linkedLibrary("z")]
        ),

        // Libraries
        .target(name: "Domain", path: "Shared/Domain"),
        .target(
            name: "Proto", dependencies: ["Domain", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Shared/Proto"),
        .target(
            name: "Bus",
            dependencies: [
                "CNATS", "Redaction",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Shared/Bus"),
        .target(
            name: "Store",
            dependencies: [
                "CLibPQ", "Domain", "Redaction",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], path: "Shared/Store"),
        .target(
            name: "Artifacts",
            dependencies: ["Bus", "CLibCrypto"], path: "Shared/Artifacts"),
        .target(name: "SeededRandom", path: "Shared/SeededRandom"),
        .target(name: "Redaction", path: "Shared/Redaction"),
        .target(
            name: "Volume",
            dependencies: [
                "CNIfTI",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Shared/Volume"),
        .target(
            name: "SyntheticData", dependencies: ["Volume", "SeededRandom", "Statistics"], path: "Shared/SyntheticData"),
        .target(
            name: "Neural",
            dependencies: [
                "CBLAS", "CCompute", "Domain", "SeededRandom",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Shared/Neural"),
        .target(name: "ActiveLearning", dependencies: ["Domain", "SeededRandom"], path: "Shared/ActiveLearning"),
        .target(name: "Statistics", dependencies: ["Domain"], path: "Shared/Statistics"),
        .target(name: "Reporting", dependencies: ["Domain", "Statistics"], path: "Shared/Reporting"),
        .target(
            name: "Orchestration", dependencies: ["Domain", "ActiveLearning", "SeededRandom"],
            path: "Shared/Orchestration"),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "Artifacts", "Bus", "Domain", "Proto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Shared/ServiceRuntime"),
        .target(
            name: "Profiles", dependencies: ["ActiveLearning", "Domain", "Neural", "Proto"], path: "Shared/Profiles"),
        .target(
            name: "WorkerSupport",
            dependencies: [
                "Domain", "Profiles", "ServiceRuntime", "Store", "Artifacts", "Volume", "Neural", "Bus", "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Shared/WorkerSupport"),

        // Services
        .executableTarget(
            name: "SelectorService",
            dependencies: [
                "ServiceRuntime", "ActiveLearning", "Bus", "Domain", "Proto",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Services/Selector"),
        .executableTarget(
            name: "StatsService",
            dependencies: [
                "Domain", "ServiceRuntime", "Statistics", "Bus", "Proto",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Services/Stats"),
        .executableTarget(
            name: "IngestService",
            dependencies: [
                "Domain", "ServiceRuntime", "Store", "Artifacts", "Volume", "ActiveLearning", "Bus", "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Services/Ingest"),
        .executableTarget(
            name: "OrchestratorService",
            dependencies: [
                "Domain", "Orchestration", "Profiles", "ServiceRuntime", "Store", "Bus", "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Services/Orchestrator"),

        .executableTarget(
            name: "TrainerService",
            dependencies: [
                "Domain", "WorkerSupport", "Profiles", "ServiceRuntime", "Neural", "Store", "Artifacts", "Bus", "Proto",
                "SeededRandom",
                "ActiveLearning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Services/Trainer"),
        .executableTarget(
            name: "ScorerService",
            dependencies: [
                "WorkerSupport", "Profiles", "ServiceRuntime", "Neural", "ActiveLearning", "Domain", "Statistics",
                "Reporting", "Store", "Artifacts",
                "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Services/Scorer"),

        .executableTarget(
            name: "DashboardService",
            dependencies: [
                "Artifacts", "CommandLineTools", "Domain", "Reporting", "Statistics", "ServiceRuntime", "Bus", "Proto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], path: "Services/Dashboard"),

        .target(
            name: "CommandLineTools",
            dependencies: [
                "Domain", "Volume", "SyntheticData", "Statistics", "Reporting", "Bus", "Neural", "Profiles",
                "ServiceRuntime", "Proto", "Artifacts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Shared/CommandLineTools"),

        // The command-line client
        .executableTarget(name: "activeseg", dependencies: ["CommandLineTools"], path: "Services/CLI"),

        // Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "ProtoTests",
            dependencies: [
                "Artifacts", "Domain", "Proto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/ProtoTests"),
        .testTarget(
            name: "BusTests",
            dependencies: [
                "TestSupport",
                "Bus",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/BusTests"),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "TestSupport", "Domain", "Store",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/StoreTests"),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], path: "Tests/DomainTests"),
        .testTarget(
            name: "ArtifactsTests", dependencies: ["Artifacts", "Bus", "TestSupport"], path: "Tests/ArtifactsTests"),
        .testTarget(
            name: "VolumeTests", dependencies: ["TestSupport", "Volume"], path: "Tests/VolumeTests",
            resources: [.copy("Vectors")]),
        .testTarget(
            name: "SyntheticDataTests",
            dependencies: [
                "SeededRandom", "Statistics", "SyntheticData", "TestSupport", "Volume",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SyntheticDataTests"),
        .executableTarget(
            name: "skull-strip-benchmark", dependencies: ["SyntheticData", "Volume"],
            path: "Tests/Benchmarks/SkullStripBenchmark"),
        .executableTarget(
            name: "preprocess-benchmark", dependencies: ["Volume"],
            path: "Tests/Benchmarks/PreprocessBenchmark"),
        .executableTarget(
            name: "registration-benchmark", dependencies: ["Volume"],
            path: "Tests/Benchmarks/RegistrationBenchmark"),
        .testTarget(
            name: "NeuralTests",
            dependencies: ["Neural", "SeededRandom", .product(name: "Logging", package: "swift-log")],
            path: "Tests/NeuralTests",
            resources: [.copy("Vectors")]),
        .target(name: "CPeak", path: "Tests/Benchmarks/CPeak"),
        .executableTarget(
            name: "neural-benchmark", dependencies: ["Neural", "CPeak", "SeededRandom"],
            path: "Tests/Benchmarks/NeuralBenchmark"),
        .executableTarget(
            name: "training-benchmark",
            dependencies: [
                "ActiveLearning", "Neural", "Profiles", "Proto", "Statistics", "Volume", "SyntheticData",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Tests/Benchmarks/TrainingBenchmark"),
        .testTarget(
            name: "ActiveLearningTests", dependencies: ["ActiveLearning", "Domain", "SeededRandom"],
            path: "Tests/ActiveLearningTests"),
        .executableTarget(
            name: "artifact-benchmark", dependencies: ["Artifacts", "Bus"],
            path: "Tests/Benchmarks/ArtifactBenchmark"),
        .executableTarget(
            name: "selection-benchmark", dependencies: ["ActiveLearning", "Domain", "SeededRandom"],
            path: "Tests/Benchmarks/SelectionBenchmark"),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"], path: "Tests/SeededRandomTests"),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction"], path: "Tests/RedactionTests"),
        .target(name: "StatisticsFixtures", dependencies: ["Statistics"], path: "Tests/StatisticsFixtures"),
        .testTarget(
            name: "StatisticsTests", dependencies: ["Statistics", "StatisticsFixtures"], path: "Tests/StatisticsTests",
            resources: [.copy("Vectors")]),
        .testTarget(
            name: "ReportingTests", dependencies: ["Reporting", "Statistics", "StatisticsFixtures"],
            path: "Tests/ReportingTests"),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Artifacts", "TestSupport",
                "ServiceRuntime", "SelectorService", "StatsService", "ActiveLearning", "Domain", "Statistics", "Bus",
                "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/ServiceTests"),

        .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "Neural", "Proto"], path: "Tests/ProfilesTests"),

        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "TestSupport", "Domain",
                "TrainerService", "ScorerService", "WorkerSupport", "Profiles", "ServiceRuntime", "Store", "Artifacts",
                "Volume",
                "SyntheticData", "Neural", "ActiveLearning", "SeededRandom", "Bus", "Proto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/WorkerTests"),

        .testTarget(
            name: "CLITests",
            dependencies: [
                "TestSupport",
                "CommandLineTools", "Domain", "Volume", "SyntheticData", "Statistics", "Reporting", "Bus", "Store",
                "Neural",
                "ServiceRuntime", "Proto", "Artifacts",
                .product(name: "Logging", package: "swift-log"),
            ], path: "Tests/CLITests"),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Domain", "IngestService", "ServiceRuntime", "Store", "Artifacts", "Volume", "SyntheticData", "Bus",
                "Proto", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/IngestTests"),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "Artifacts", "Bus", "Proto", "ServiceRuntime", "Store", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/DeploymentTests"),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "DashboardService", "Proto", "Statistics",
                .product(name: "Hummingbird", package: "hummingbird"),
            ], path: "Tests/DashboardTests"),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: [
                "TestSupport", "ActiveLearning", "Domain",
                "OrchestratorService", "SelectorService", "StatsService", "TrainerService", "ScorerService",
                "WorkerSupport",
                "IngestService", "Profiles", "Artifacts", "Volume", "SyntheticData", "Orchestration", "ServiceRuntime",
                "Store",
                "Bus", "Proto", "CommandLineTools",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Tests/OrchestratorTests"),
    ]
)
