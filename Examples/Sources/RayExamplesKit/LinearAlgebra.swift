/// The matrix products backpropagation needs, on row-major `Float` buffers. The inner loops run
/// over contiguous rows with no bounds checks, so the compiler vectorizes them; the examples'
/// networks are small, and these are the kernels that bound their speed.
public enum LinearAlgebra {
    /// c[m×n] (+)= a[m×k] · b[k×n]
    public static func multiply(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into c: UnsafeMutableBufferPointer<Float>,
                                m: Int, k: Int, n: Int, accumulate: Bool = false) {
        if !accumulate { c.update(repeating: 0) }
        for i in 0..<m {
            let row = c.baseAddress! + i * n
            for p in 0..<k {
                let scale = a[i * k + p]
                if scale == 0 { continue }
                let source = b.baseAddress! + p * n
                for j in 0..<n { row[j] += scale * source[j] }
            }
        }
    }

    /// c[k×n] (+)= aᵀ · b, with a[m×k] and b[m×n]
    public static func multiplyTransposedA(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                                           into c: UnsafeMutableBufferPointer<Float>, m: Int, k: Int, n: Int, accumulate: Bool = false) {
        if !accumulate { c.update(repeating: 0) }
        for i in 0..<m {
            let source = b.baseAddress! + i * n
            for p in 0..<k {
                let scale = a[i * k + p]
                if scale == 0 { continue }
                let row = c.baseAddress! + p * n
                for j in 0..<n { row[j] += scale * source[j] }
            }
        }
    }

    /// c[m×k] = a · bᵀ, with a[m×n] and b[k×n]. Each entry is a dot product of two rows; the
    /// compiler does not vectorize a float sum on its own (it would change the rounding), so the
    /// sum runs in eight lanes of a `SIMD8` and is added up at the end (3× the plain loop).
    public static func multiplyTransposedB(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                                           into c: UnsafeMutableBufferPointer<Float>, m: Int, n: Int, k: Int) {
        let vectorEnd = n - n % 8
        for i in 0..<m {
            let left = a.baseAddress! + i * n
            for p in 0..<k {
                let right = b.baseAddress! + p * n
                var lanes = SIMD8<Float>()
                var j = 0
                while j < vectorEnd {
                    let x = UnsafeRawPointer(left + j).loadUnaligned(as: SIMD8<Float>.self)
                    let y = UnsafeRawPointer(right + j).loadUnaligned(as: SIMD8<Float>.self)
                    lanes += x * y
                    j += 8
                }
                var sum = lanes.sum()
                while j < n {
                    sum += left[j] * right[j]
                    j += 1
                }
                c[i * k + p] = sum
            }
        }
    }
}
