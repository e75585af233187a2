import ActiveLearning
import Proto
import SeededRandom

/// Which cases a train job fits and validates on, as a pure function of the job.
///
/// The validation cases are the job's when it names any; otherwise `validationFraction` of the
/// training cases (at least one, when there are two or more) is held out, drawn from the job's
/// seed. A bootstrap member then trains on a with-replacement resample of the remaining cases, of
/// their size, drawn from (seed, member), so each member of an ensemble sees a different sample and
/// a job trained twice sees the same one.
///
/// Every draw is over the positions of the cases in the job, and both lists keep the job's order,
/// which patch sampling follows too. The orchestrator lists the cases in a seeded order of their
/// source names, so a job planned on a new import of the cohort, whose case ids differ, trains on
/// the same cases, by name, in the same order; ordering by id would not.
struct TrainingSet: Equatable {
    var training: [String]
    var validation: [String]

    init(job: TrainJob, validationFraction: Double) {
        var training = job.trainingCases.map(\.caseID)
        var validation = job.validationCases.map(\.caseID)
        if validation.isEmpty, training.count >= 2 {
            var generator = SeededGenerator(seed: job.seed, stream: 1)
            var positions = Array(training.indices)
            positions.shuffle(using: &generator)
            let held = ValidationHoldOut.count(of: training.count, fraction: validationFraction)
            let heldOut = Set(positions.prefix(held))
            validation = training.indices.filter { heldOut.contains($0) }.map { training[$0] }
            training = training.indices.filter { !heldOut.contains($0) }.map { training[$0] }
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
