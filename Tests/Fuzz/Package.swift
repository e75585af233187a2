// swift-tools-version:6.1
import PackageDescription

/// libFuzzer harnesses for ActiveSeg's readers of hostile input, built and run only by `scripts/fuzz`.
///
/// A package of its own, so that a plain `swift build` or `swift test` of ActiveSeg never sees them:
/// their executables link libFuzzer (`-sanitize=fuzzer` below), which supplies `main` and needs
/// `LLVMFuzzerTestOneInput`, and the script instruments everything else through its command line
/// (address sanitizer and coverage only, no libFuzzer, so ActiveSeg's own executables still link).
///
/// Each harness calls ActiveSeg's real reading entry points on the bytes. The services' request
/// handlers live in executable modules, which no other package can import, so `FuzzRPC` compiles
/// the handlers' own source files (symbolic links into `Services/`) into its module.
let fuzzer: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]

let package = Package(
    name: "activeseg-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "activeseg", path: "../.."),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(name: "CFuzzSupport", path: "Sources/CFuzzSupport", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "FuzzSupport", dependencies: ["CFuzzSupport"], path: "Sources/FuzzSupport"),
        .executableTarget(
            name: "FuzzNIfTI",
            dependencies: [
                "FuzzSupport", .product(name: "Volume", package: "activeseg"),
            ], path: "Sources/FuzzNIfTI", linkerSettings: fuzzer),
        .executableTarget(
            name: "FuzzCheckpoint",
            dependencies: [
                "FuzzSupport", .product(name: "Neural", package: "activeseg"),
            ], path: "Sources/FuzzCheckpoint", linkerSettings: fuzzer),
        .executableTarget(
            name: "FuzzManifest",
            dependencies: [
                "FuzzSupport", .product(name: "Volume", package: "activeseg"),
            ], path: "Sources/FuzzManifest", linkerSettings: fuzzer),
        .executableTarget(
            name: "FuzzBraTS",
            dependencies: [
                "FuzzSupport", .product(name: "Volume", package: "activeseg"),
            ], path: "Sources/FuzzBraTS", linkerSettings: fuzzer),
        .executableTarget(
            name: "FuzzNNUNetDataset",
            dependencies: [
                "FuzzSupport", .product(name: "Volume", package: "activeseg"),
            ], path: "Sources/FuzzNNUNetDataset", linkerSettings: fuzzer),
        .executableTarget(
            name: "FuzzRPC",
            dependencies: [
                "FuzzSupport",
                .product(name: "ActiveLearning", package: "activeseg"),
                .product(name: "Bus", package: "activeseg"),
                .product(name: "Domain", package: "activeseg"),
                .product(name: "Neural", package: "activeseg"),
                .product(name: "Profiles", package: "activeseg"),
                .product(name: "Proto", package: "activeseg"),
                .product(name: "ServiceRuntime", package: "activeseg"),
                .product(name: "Statistics", package: "activeseg"),
                .product(name: "Store", package: "activeseg"),
                .product(name: "Volume", package: "activeseg"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Sources/FuzzRPC", linkerSettings: fuzzer),
        // Writes the seed corpus with ActiveSeg's own writers; an ordinary executable.
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: [
                .product(name: "Neural", package: "activeseg"),
                .product(name: "Proto", package: "activeseg"),
                .product(name: "Volume", package: "activeseg"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], path: "Sources/FuzzSeeds", linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
    ]
)
