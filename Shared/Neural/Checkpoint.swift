import Foundation

/// U-Net checkpoints in the safetensors format.
///
/// Layout: an 8-byte little-endian header length, a JSON header (padded with spaces to a multiple of
/// 8 bytes) mapping each tensor name to `{"dtype": "F32", "shape": …, "data_offsets": [begin, end]}`,
/// then the raw little-endian float32 data. `__metadata__` (string values only, as the format
/// requires) holds `format` = `activeseg.unet3d`, `config` = the `UNet3DConfig` as JSON, and the
/// caller's training metadata. Tensor names are those of `UNet3D.namedParameters`, which mirror a
/// PyTorch module tree, so `safetensors.torch.load_file` plus `load_state_dict` restores the weights.
public enum Checkpoint {
    public static let format = "activeseg.unet3d"

    /// A network restored from a checkpoint with the metadata it was saved with.
    public struct Loaded {
        public let network: UNet3D
        /// Training metadata (without the reserved `format` and `config` keys).
        public let metadata: [String: String]
    }

    /// Writes `network` to `url` atomically: a temporary file in the same folder, then a rename, so a
    /// reader never sees a half-written checkpoint.
    public static func save(_ network: UNet3D, metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(network, metadata: metadata)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw CheckpointError(.io, file: url.path, detail: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch let error as CheckpointError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(.io, file: url.path, detail: "\(error)")
        }
    }

    /// Reads a checkpoint; when `expected` is given, a different stored configuration is rejected.
    public static func load(from url: URL, expecting expected: UNet3DConfig? = nil) throws -> Loaded {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(.io, file: url.path, detail: "\(error)")
        }
        return try decode(data, file: url.path, expecting: expected)
    }

    /// The file's bytes.
    public static func encode(_ network: UNet3D, metadata: [String: String] = [:]) throws -> Data {
        var fullMetadata = metadata
        fullMetadata["format"] = format
        let configJSON = try JSONEncoder.sorted.encode(network.config)
        fullMetadata["config"] = String(decoding: configJSON, as: UTF8.self)
        var header: [String: Any] = ["__metadata__": fullMetadata]
        var offset = 0
        for (name, parameter) in network.namedParameters {
            let bytes = parameter.value.count * MemoryLayout<Float>.size
            header[name] = ["dtype": "F32", "shape": parameter.value.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let padding = (8 - (headerBytes.count % 8)) % 8
        headerBytes.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerBytes)
        for (_, parameter) in network.namedParameters {
            parameter.value.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Parses and validates checkpoint bytes.
    public static func decode(
        _ data: Data, file: String = "<memory>", expecting expected: UNet3DConfig? = nil
    ) throws -> Loaded {
        guard data.count >= 8 else {
            throw CheckpointError(
                .truncated, file: file, detail: "\(data.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw CheckpointError(
                .truncated, file: file,
                detail: "header claims \(headerLength) bytes, file has \(data.count - 8) after the length")
        }
        let dataStart = 8 + Int(headerLength)
        let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + dataStart))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw CheckpointError(.malformedHeader, file: file, detail: "the header is not a JSON object")
        }
        var metadata = header["__metadata__"] as? [String: String] ?? [:]
        guard metadata["format"] == format, let configText = metadata["config"],
            let config = try? JSONDecoder().decode(UNet3DConfig.self, from: Data(configText.utf8))
        else {
            throw CheckpointError(
                .configMismatch, file: file, detail: "no readable \(format) network configuration in __metadata__")
        }
        if let expected, expected != config {
            throw CheckpointError(
                .configMismatch, file: file,
                detail: "stored configuration \(config) differs from the expected \(expected)")
        }
        metadata["format"] = nil
        metadata["config"] = nil
        let payload = data.count - dataStart
        // The configuration decides how much the network allocates, so it is checked against the
        // limits and the file's size before the network is built.
        if let problem = config.limitViolation {
            throw CheckpointError(.invalidConfig, file: file, detail: "stored configuration: \(problem)")
        }
        if let parameters = config.parameterCount, parameters > payload / MemoryLayout<Float>.size {
            throw CheckpointError(
                .truncated, file: file,
                detail: "the stored configuration has \(parameters) parameters, "
                    + "the file holds \(payload) bytes of tensor data")
        }
        let network = UNet3D(weightsToLoad: config)
        let named = network.namedParameters
        let stored = Set(header.keys).subtracting(["__metadata__"])
        let expectedNames = Set(named.map(\.name))
        guard stored == expectedNames else {
            let missing = expectedNames.subtracting(stored).sorted(), extra = stored.subtracting(expectedNames).sorted()
            throw CheckpointError(.tensorMismatch, file: file, detail: "missing \(missing), unexpected \(extra)")
        }
        for (name, parameter) in named {
            guard let entry = header[name] as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw CheckpointError(
                    .malformedHeader, file: file, detail: "tensor \(name) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else {
                throw CheckpointError(.wrongDType, file: file, detail: "tensor \(name) is \(dtype), expected F32")
            }
            guard shape == parameter.value.shape else {
                throw CheckpointError(
                    .wrongShape, file: file,
                    detail: "tensor \(name) has shape \(shape), expected \(parameter.value.shape)")
            }
            let byteCount = parameter.value.count * MemoryLayout<Float>.size
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == byteCount else {
                throw CheckpointError(
                    .malformedHeader, file: file,
                    detail: "tensor \(name) has data_offsets \(offsets) for \(byteCount) bytes")
            }
            guard offsets[1] <= payload else {
                throw CheckpointError(
                    .truncated, file: file, detail: "tensor \(name) ends at byte \(offsets[1]) of \(payload) data bytes"
                )
            }
            let start = data.startIndex + dataStart + offsets[0]
            parameter.value.scalars.withUnsafeMutableBytes { destination in
                _ = data.copyBytes(to: destination, from: start..<(start + byteCount))
            }
        }
        return Loaded(network: network, metadata: metadata)
    }
}

#if _endian(big)
#error("checkpoints store little-endian floats; big-endian hosts need byte swapping")
#endif

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
