import Statistics

/// A small experiment with fixed numbers: six test cases, a pool of 200 training cases, and two
/// strategies whose curves approach the full-data model at different speeds.
public enum FixedExperiment {
    public static let cases = ["c1", "c2", "c3", "c4", "c5", "c6"]
    public static let fullData = [0.86, 0.79, 0.91, 0.74, 0.83, 0.88]

    public static func round(_ round: Int, annotated: Int, shift: [Double]) -> RoundEvaluation {
        let dice = zip(fullData, shift).map { $0 - $1 }
        return RoundEvaluation(
            round: round, annotatedCases: annotated,
            dice: Dictionary(uniqueKeysWithValues: zip(cases, dice)))
    }

    public static let strategies = [
        StrategyEvaluation(
            strategy: "random",
            rounds: [
                round(0, annotated: 40, shift: [0.30, 0.25, 0.35, 0.28, 0.33, 0.31]),
                round(1, annotated: 80, shift: [0.12, 0.18, 0.10, 0.15, 0.14, 0.11]),
                round(2, annotated: 120, shift: [0.01, -0.02, 0.02, 0.00, 0.01, -0.01]),
            ]),
        StrategyEvaluation(
            strategy: "dropout-train-test",
            rounds: [
                round(1, annotated: 80, shift: [0.02, -0.01, 0.01, 0.00, 0.02, -0.02]),
                round(0, annotated: 40, shift: [0.25, 0.22, 0.30, 0.24, 0.29, 0.27]),
                round(2, annotated: 120, shift: [0.00, 0.01, -0.01, 0.00, 0.01, 0.00]),
            ]),
    ]

    /// A second repetition of each: random reaches the full-data model a round earlier, dropout
    /// never does.
    public static let secondRepetitions = [
        StrategyEvaluation(
            strategy: "random", repetition: 1,
            rounds: [
                round(0, annotated: 40, shift: [0.28, 0.22, 0.31, 0.30, 0.26, 0.29]),
                round(1, annotated: 80, shift: [0.01, 0.00, 0.02, -0.01, 0.01, 0.00]),
                round(2, annotated: 120, shift: [0.00, 0.01, 0.00, -0.01, 0.01, 0.00]),
            ]),
        StrategyEvaluation(
            strategy: "dropout-train-test", repetition: 1,
            rounds: [
                round(0, annotated: 40, shift: [0.32, 0.27, 0.35, 0.30, 0.31, 0.33]),
                round(1, annotated: 80, shift: [0.30, 0.25, 0.33, 0.29, 0.28, 0.31]),
                round(2, annotated: 120, shift: [0.26, 0.22, 0.30, 0.24, 0.25, 0.27]),
            ]),
    ]

    public static func analysis(_ evaluations: [StrategyEvaluation] = strategies) throws -> LearningCurveAnalysis {
        try LearningCurveAnalysis(
            trainingPoolSize: 200,
            fullDataDice: Dictionary(uniqueKeysWithValues: zip(cases, fullData)),
            strategies: evaluations)
    }
}
