import Foundation

@testable import Neural

/// PyTorch reference vectors from scripts/vectors/neural_reference.py (torch 2.13.0+cpu).
struct ReferenceVectors {
    let root: [String: Any]

    static func load() -> ReferenceVectors {
        let url = Bundle.module.url(forResource: "neural_reference", withExtension: "json", subdirectory: "Vectors")!
        let data = try! Data(contentsOf: url)
        return ReferenceVectors(root: try! JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    func entry(_ name: String) -> Entry { Entry(fields: root[name] as! [String: Any]) }

    struct Entry {
        let fields: [String: Any]

        func tensor(_ key: String) -> Tensor {
            Self.tensor(fields[key] as! [String: Any])
        }

        static func tensor(_ object: [String: Any]) -> Tensor {
            let shape = (object["shape"] as! [NSNumber]).map(\.intValue)
            let values = (object["values"] as! [NSNumber]).map(\.floatValue)
            return Tensor(shape: shape, scalars: values)
        }

        func tensors(_ key: String) -> [Tensor] {
            (fields[key] as! [[String: Any]]).map(Self.tensor)
        }

        func number(_ key: String) -> Double { (fields[key] as! NSNumber).doubleValue }
        func flag(_ key: String) -> Bool { (fields[key] as! NSNumber).boolValue }
        func numbers(_ key: String) -> [Double] { (fields[key] as! [NSNumber]).map(\.doubleValue) }
    }
}

/// Largest |a − b| / (atol + rtol·|b|); at most 1 means every element is within tolerance.
func toleranceRatio(_ a: Tensor, _ b: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4) -> Float {
    precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
    var worst: Float = 0
    for i in 0..<a.count {
        worst = max(worst, abs(a.scalars[i] - b.scalars[i]) / (atol + rtol * abs(b.scalars[i])))
    }
    return worst
}

func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
    var generator = SeededGeneratorForTests(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.gaussian() * scale) })
}
