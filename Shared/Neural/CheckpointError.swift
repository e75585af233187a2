import Domain

/// A checkpoint that cannot be read or does not fit the network that asks for it, described as
/// `checkpoint <file>: <code>: <detail>`.
public typealias CheckpointError = CodedError<CheckpointErrorCode>

extension CheckpointError {
    public init(_ code: Code, file: String, detail: String) { self.init(code, subject: file, detail: detail) }

    /// The file (or "<memory>" for in-memory data).
    public var file: String {
        get { subject }
        set { subject = newValue }
    }
}

/// What is wrong with a checkpoint:
/// - `truncated`: shorter than its header, its tensor data or its configuration's parameters claim;
/// - `malformedHeader`: the header is not the JSON a safetensors file must start with;
/// - `wrongDType`: a tensor is not float32;
/// - `wrongShape`: a tensor's shape differs from the network's parameter of that name;
/// - `tensorMismatch`: the network has a parameter that the file lacks, or the file has one the
///   network lacks;
/// - `configMismatch`: the stored network configuration is absent, unreadable or not the one
///   expected;
/// - `invalidConfig`: the stored network configuration is outside `UNet3DConfig.Limits`, so no
///   network is built from it;
/// - `io`: reading or writing the file failed.
public enum CheckpointErrorCode: String, CodedErrorCode {
    case truncated, malformedHeader, wrongDType, wrongShape, tensorMismatch, configMismatch, invalidConfig, io

    public static func describe(_ error: CheckpointError) -> String {
        "checkpoint \(error.file): \(error.code): \(error.detail)"
    }
}
