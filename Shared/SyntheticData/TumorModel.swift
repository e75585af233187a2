import Foundation
import SeededRandom
import Volume

/// A lobulated blob: a sphere whose radius varies smoothly with direction.
struct Lobe: Sendable {
    var centre: SIMD3<Double>
    var radius: Double
    var modes: [(direction: SIMD3<Double>, frequency: Double, phase: Double, amplitude: Double)]

    init(centre: SIMD3<Double>, radius: Double, irregularity: Double, generator: inout SeededGenerator) {
        self.centre = centre
        self.radius = radius
        modes = (0..<3).map { _ in
            (
                generator.direction(), generator.uniform(1.5...3.5), generator.uniform(0...(2 * .pi)),
                irregularity * generator.uniform(0.3...1) / 3
            )
        }
    }

    /// Distance from the centre relative to the radius in that direction (< 1 inside).
    @inline(__always)
    func relativeDistance(_ p: SIMD3<Double>) -> Double {
        let d = p - centre
        let r = (d * d).sum().squareRoot()
        guard r > 1e-9 else { return 0 }
        let u = d / r
        var scale = 1.0
        for mode in modes {
            scale += mode.amplitude * cos(mode.frequency * (u * mode.direction).sum() * .pi + mode.phase)
        }
        return r / (radius * max(scale, 0.4))
    }

    var reach: Double { radius * 1.6 }
}

/// One tumor's geometry and contrast in subject space, drawn for a subtype.
struct TumorModel: Sendable {
    enum Part: Sendable {
        /// Enhancing rim around necrosis: inside `core` (relative distance) necrotic.
        case ring(core: Double)
        case solid
        case nonEnhancingCore
        case cyst
        case nodule
    }

    var subtype: TumorSubtype
    var parts: [(lobe: Lobe, part: Part)]
    var edema: [Lobe]
    /// T1c enhancement above white matter (white matter = 1).
    var enhancement: Double
    /// How far tissue around the tumor is pushed outward, relative to the tumor radius.
    var massEffect: Double
    var centre: SIMD3<Double>
    var reach: Double

    init(subtype: TumorSubtype, centre: SIMD3<Double>, voxelSize: Double, generator g: inout SeededGenerator) {
        self.subtype = subtype
        self.centre = centre
        let smallest = 1.3 * voxelSize
        var parts: [(Lobe, Part)] = []
        var edema: [Lobe] = []
        switch subtype {
        case .ringEnhancing:
            let lobe = Lobe(centre: centre, radius: g.uniform(12...22), irregularity: 0.35, generator: &g)
            parts.append((lobe, .ring(core: g.uniform(0.45...0.7))))
            edema.append(
                Lobe(centre: centre, radius: lobe.radius * g.uniform(1.5...2.3), irregularity: 0.5, generator: &g))
            enhancement = g.uniform(0.5...0.85)
            massEffect = g.uniform(0.3...0.6)
        case .solidEnhancing:
            let lobe = Lobe(centre: centre, radius: g.uniform(8...16), irregularity: 0.3, generator: &g)
            parts.append((lobe, .solid))
            edema.append(
                Lobe(centre: centre, radius: lobe.radius * g.uniform(1.4...2.2), irregularity: 0.5, generator: &g))
            enhancement = g.uniform(0.5...0.85)
            massEffect = g.uniform(0.2...0.45)
        case .nonEnhancing:
            let lobe = Lobe(centre: centre, radius: g.uniform(10...20), irregularity: 0.4, generator: &g)
            parts.append((lobe, .nonEnhancingCore))
            edema.append(
                Lobe(centre: centre, radius: lobe.radius * g.uniform(1.2...1.7), irregularity: 0.5, generator: &g))
            enhancement = 0
            massEffect = g.uniform(0.15...0.4)
        case .smallMultifocal:
            let count = 2 + Int(g.nextUnitDouble() * 3)
            for focus in 0..<count {
                let offset = focus == 0 ? SIMD3(0, 0, 0) : g.direction() * g.uniform(10...25)
                let lobe = Lobe(
                    centre: centre + offset, radius: max(g.uniform(2.5...5), smallest), irregularity: 0.2, generator: &g
                )
                parts.append((lobe, .solid))
                edema.append(
                    Lobe(
                        centre: lobe.centre, radius: lobe.radius * g.uniform(1.8...2.6), irregularity: 0.4,
                        generator: &g))
            }
            enhancement = g.uniform(0.45...0.8)
            massEffect = 0
        case .cysticMuralNodule:
            let cyst = Lobe(centre: centre, radius: g.uniform(10...18), irregularity: 0.1, generator: &g)
            let wall = centre + g.direction() * cyst.radius * 0.9
            parts.append(
                (Lobe(centre: wall, radius: max(g.uniform(3...6), smallest), irregularity: 0.2, generator: &g), .nodule)
            )
            parts.append((cyst, .cyst))
            edema.append(
                Lobe(centre: centre, radius: cyst.radius * g.uniform(1.15...1.45), irregularity: 0.3, generator: &g))
            enhancement = g.uniform(0.5...0.8)
            massEffect = g.uniform(0.3...0.5)
        case .faintEnhancing:
            let lobe = Lobe(centre: centre, radius: g.uniform(8...16), irregularity: 0.3, generator: &g)
            parts.append((lobe, .solid))
            edema.append(
                Lobe(centre: centre, radius: lobe.radius * g.uniform(1.3...2), irregularity: 0.5, generator: &g))
            enhancement = g.uniform(0.12...0.25)
            massEffect = g.uniform(0.1...0.3)
        }
        self.parts = parts
        self.edema = edema
        reach = (parts.map(\.0) + edema).map {
            (($0.centre - centre) * ($0.centre - centre)).sum().squareRoot() + $0.reach
        }.max()!
    }

    /// The subject point's anatomy before the tumor pushed it: points near the tumor came from
    /// closer to its centre.
    @inline(__always)
    func displaced(_ p: SIMD3<Double>) -> SIMD3<Double> {
        guard massEffect > 0 else { return p }
        let d = p - centre
        let r = (d * d).sum().squareRoot()
        let radius = parts[0].lobe.radius
        guard r > 1e-6, r < 4 * radius else { return p }
        let pushed = massEffect * radius * exp(-(r / (2 * radius)) * (r / (2 * radius)))
        return centre + d * (max(r - pushed, 0.2 * r) / r)
    }

    /// The BraTS 2021 label at a subject point: 4 enhancing, 1 necrotic/non-enhancing core or cyst,
    /// 2 edema, 0 none; and the part it falls in.
    @inline(__always)
    func label(at p: SIMD3<Double>) -> (label: UInt8, part: Part?) {
        let d = p - centre
        guard (d * d).sum() < reach * reach else { return (0, nil) }
        var core: Part?
        for (lobe, part) in parts {
            let s = lobe.relativeDistance(p)
            guard s < 1 else { continue }
            switch part {
            case .ring(let inner): if s >= inner { return (4, part) } else { core = part }
            case .solid, .nodule: return (4, part)
            case .nonEnhancingCore, .cyst: if core == nil { core = part }
            }
        }
        if let core { return (1, core) }
        for lobe in edema where lobe.relativeDistance(p) < 1 { return (2, nil) }
        return (0, nil)
    }
}
