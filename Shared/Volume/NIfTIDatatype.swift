/// The on-disk voxel types ActiveSeg reads and writes (NIfTI `datatype` codes).
public enum NIfTIDatatype: Int32, Sendable, CaseIterable {
    case uint8 = 2
    case int16 = 4
    case int32 = 8
    case float32 = 16
    case float64 = 64
    case int8 = 256
    case uint16 = 512
}

/// The header layout written: NIfTI-1 (348-byte header, 16-bit dims) or NIfTI-2 (540 bytes, 64-bit).
public enum NIfTIVersion: Int32, Sendable, CaseIterable {
    case nifti1 = 1
    case nifti2 = 2
}
