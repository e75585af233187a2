// swift-tools-version:6.1
import PackageDescription

/// The protoc plugin that turns the `service` blocks of `Protos/` into typed NATS subjects.
///
/// Built only by `scripts/gen-protos`, into `.tools/`; the product never links it.
let package = Package(
    name: "protoc-gen-activeseg",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0")
    ],
    targets: [
        .executableTarget(
            name: "protoc-gen-activeseg",
            dependencies: [.product(name: "SwiftProtobufPluginLibrary", package: "swift-protobuf")],
            path: "Sources/protoc-gen-activeseg"
        )
    ]
)
