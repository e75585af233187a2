import CBLAS

/// Row-major single-precision GEMM, C = alpha·op(A)·op(B) + beta·C, on OpenBLAS.
///
/// All matrices are row-major; `m × k` times `k × n` gives `m × n`. The leading dimensions let a
/// kernel write one voxel tile into a wider output (`ldc` = all voxels).
@inline(__always)
func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    ComputeThreads.singleThreadedBLAS
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k), alpha,
        a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
