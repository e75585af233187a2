import SeededRandom

/// Draws training patches: `patchesPerCase` per case and epoch, a fraction of them centred on a
/// random foreground voxel (nnU-Net oversamples foreground in a third of its patches so that small
/// tumours are seen often enough; the case's `samplingRegion` where it has one), the rest placed
/// uniformly. Patches that reach past the volume, or volumes smaller than a patch, are zero-padded.
public struct PatchSampler: Sendable {
    public var patchSize: [Int]
    public var patchesPerCase: Int
    public var foregroundFraction: Double

    public init(patchSize: [Int], patchesPerCase: Int = 2, foregroundFraction: Double = 1.0 / 3.0) {
        precondition(patchSize.count == 3 && patchSize.allSatisfy { $0 > 0 })
        self.patchSize = patchSize
        self.patchesPerCase = patchesPerCase
        self.foregroundFraction = foregroundFraction
    }

    /// A patch: image `[1, C, d, h, w]` and label `[1, 1, d, h, w]`.
    public struct Patch: Sendable {
        public var image: Tensor
        public var label: Tensor
        /// Corner in the case's voxel grid (negative where padded).
        public var origin: [Int]
    }

    /// One epoch's patches in a seeded random order.
    public func epoch(_ cases: [TrainingCase], generator: inout SeededGenerator) -> [Patch] {
        var patches: [Patch] = []
        for trainingCase in cases {
            for _ in 0..<patchesPerCase {
                patches.append(sample(trainingCase, generator: &generator))
            }
        }
        return patches.shuffled(using: &generator)
    }

    /// `count` patches, each of a case drawn uniformly with replacement (nnU-Net's fixed number of
    /// iterations per epoch), in draw order.
    public func epoch(_ cases: [TrainingCase], count: Int, generator: inout SeededGenerator) -> [Patch] {
        precondition(!cases.isEmpty, "no cases to draw patches from")
        return (0..<count).map { _ in
            sample(cases[Int(generator.next() % UInt64(cases.count))], generator: &generator)
        }
    }

    public func sample(_ trainingCase: TrainingCase, generator: inout SeededGenerator) -> Patch {
        let size = trainingCase.size
        let wantsForeground = generator.nextUnitDouble() < foregroundFraction
        var origin: [Int]
        if wantsForeground, let center = randomForegroundVoxel(trainingCase, generator: &generator) {
            origin = (0..<3).map { axis in
                let free = size[axis] - patchSize[axis]
                let centred = center[axis] - patchSize[axis] / 2
                return free >= 0 ? min(max(centred, 0), free) : free / 2
            }
        } else {
            origin = (0..<3).map { axis in
                let free = size[axis] - patchSize[axis]
                return free >= 0 ? Int(generator.nextUnitDouble() * Double(free + 1)) : free / 2
            }
        }
        return extract(trainingCase, origin: origin)
    }

    /// The patch with its corner at `origin`, zero outside the volume.
    public func extract(_ trainingCase: TrainingCase, origin: [Int]) -> Patch {
        let size = trainingCase.size
        let (pd, ph, pw) = (patchSize[0], patchSize[1], patchSize[2])
        let channels = trainingCase.channels
        var image = Tensor(zeros: [1, channels, pd, ph, pw])
        var label = Tensor(zeros: [1, 1, pd, ph, pw])
        let volumeVoxels = size[0] * size[1] * size[2]
        let patchVoxels = pd * ph * pw
        for z in 0..<pd {
            let sz = origin[0] + z
            guard sz >= 0, sz < size[0] else { continue }
            for y in 0..<ph {
                let sy = origin[1] + y
                guard sy >= 0, sy < size[1] else { continue }
                let x0 = max(0, -origin[2]), x1 = min(pw, size[2] - origin[2])
                guard x0 < x1 else { continue }
                let source = (sz * size[1] + sy) * size[2] + origin[2]
                let target = (z * ph + y) * pw
                for c in 0..<channels {
                    for x in x0..<x1 {
                        image.scalars[c * patchVoxels + target + x] =
                            trainingCase.image.scalars[c * volumeVoxels + source + x]
                    }
                }
                for x in x0..<x1 { label.scalars[target + x] = Float(trainingCase.label[source + x]) }
            }
        }
        return Patch(image: image, label: label, origin: origin)
    }

    /// A voxel of the case's sampling region (its label's foreground unless it names another).
    private func randomForegroundVoxel(_ trainingCase: TrainingCase, generator: inout SeededGenerator) -> [Int]? {
        let region = trainingCase.samplingRegion ?? trainingCase.label
        let foreground = region.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        guard foreground > 0 else { return nil }
        var k = Int(generator.nextUnitDouble() * Double(foreground))
        let size = trainingCase.size
        for (index, value) in region.enumerated() where value > 0 {
            if k == 0 {
                return [index / (size[1] * size[2]), (index / size[2]) % size[1], index % size[2]]
            }
            k -= 1
        }
        return nil
    }
}
