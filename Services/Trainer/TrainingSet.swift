import Proto
import SeededRandom

/// Which cases a train job fits and validates on, as a pure function of the job.
///
/// The validation cases are the job's when it names any; otherwise `validationFraction` of the
/// training cases (at least one, when there are two or more) is held out, drawn from the job's
/// seed. A bootstrap member then trains on a with-replacement resample of the remaining cases, of
/// their size, drawn from (seed, member), so each member of an ensemble sees a different sample and
/// a job trained twice sees the same one.
struct TrainingSet: Equatable {
    var training: [String]
    var validation: [String]

    init(job: TrainJob, validationFraction: Double) {
        var training = job.trainingCases.map(\.caseID)
        var validation = job.validationCases.map(\.caseID)
        if validation.isEmpty, training.count >= 2 {
            var generator = SeededGenerator(seed: job.seed, stream: 1)
            training.shuffle(using: &generator)
            let held = min(training.count - 1, max(1, Int((Double(training.count) * validationFraction).rounded())))
            validation = Array(training.prefix(held))
            training = Array(training.dropFirst(held)).sorted()
            validation.sort()
        }
        if job.hasBootstrapMember {
            var generator = SeededGenerator(seed: job.seed, stream: 2 + UInt64(job.bootstrapMember))
            let pool = training
            training = pool.indices.map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
        }
        self.training = training
        self.validation = validation
    }
}
