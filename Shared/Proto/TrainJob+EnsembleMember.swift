extension TrainJob {
    /// The job's place in an ensemble, the one number its model, checkpoint and events record:
    /// its bootstrap member (trained on a resample) or its member of the full-data reference
    /// (trained on every case with its own seed); nil for a round's single model.
    public var ensembleMember: UInt32? {
        if hasBootstrapMember { return bootstrapMember }
        if hasReferenceMember { return referenceMember }
        return nil
    }
}
