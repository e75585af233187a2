extension Preprocessor {
    /// T2 with its affine corrected by rigid registration onto T1c, when the configuration asks for
    /// it; otherwise T2 as it is.
    ///
    /// Only the affine changes (T2's voxels are placed by T⁻¹ · A, T mapping T1c's world to T2's), so
    /// the resampling step that follows interpolates T2 once, through both affines, onto the
    /// resampled T1c grid. A failed registration is the case's `.registrationFailed` error, with the
    /// metric and overlap in its detail, so the case is excluded rather than stacked misaligned.
    func registeredT2(
        _ t2: Volume, onto t1c: Volume, mask: LabelVolume?, file: String?
    ) throws(VolumeError) -> Volume {
        guard let settings = configuration.t2Registration else { return t2 }
        let result: RigidRegistration.Result
        do {
            result = try RigidRegistration(settings).register(moving: t2, fixed: t1c, fixedMask: mask)
        } catch {
            throw VolumeError(.registrationFailed, file: file, detail: "T2 onto T1c: \(error)")
        }
        guard let undo = result.transform.matrix.inverse else {
            throw VolumeError(.invalidGeometry, file: file, detail: "the registration's transform is singular")
        }
        var moved = t2
        moved.affine = undo * t2.affine
        return moved
    }
}
